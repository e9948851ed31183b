import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Certificates {
  caPem: string;
  caFile: string;
  certPem: string;
  keyPem: string;
}

/**
 * A throwaway CA and a server certificate it signs for localhost and the given addresses and names,
 * made with openssl, so the real driver can verify the warehouse with `customCaCert`.
 */
export async function makeCertificates(
  dir: string,
  ips: readonly string[],
  names: readonly string[] = [],
): Promise<Certificates> {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) =>
    exec('openssl', args).catch((error: Error) => {
      throw new Error(`openssl failed (is it installed?): ${error.message}`);
    });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=sluice local warehouse CA',
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  const san = ['DNS:localhost', ...names.map((n) => `DNS:${n}`), ...ips.map((ip) => `IP:${ip}`)].join(',');
  await writeFile(
    file('server.ext'),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    file('server.pem'),
    '-extfile',
    file('server.ext'),
  );
  const [caPem, certPem, keyPem] = await Promise.all(
    ['ca.pem', 'server.pem', 'server.key'].map((n) => readFile(file(n), 'utf8')),
  );
  return { caPem: caPem!, caFile: file('ca.pem'), certPem: certPem!, keyPem: keyPem! };
}
