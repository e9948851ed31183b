import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitFor } from './ports.js';

const exec = promisify(execFile);

/** The server binaries: Debian's versioned folder, newest first. */
function serverBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Installs PostgreSQL from Debian's packages when it is missing (as root, or through sudo). */
async function ensureInstalled(): Promise<string> {
  const found = serverBinDir();
  if (found) return found;
  const asRoot = process.getuid?.() === 0;
  const apt = (args: string[]) =>
    asRoot
      ? exec('apt-get', args, { timeout: 600_000 })
      : exec('sudo', ['-n', 'apt-get', ...args], { timeout: 600_000 });
  try {
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', 'postgresql']);
  } catch (error) {
    throw new Error(
      `PostgreSQL is not installed and apt-get could not install it (${(error as Error).message.split('\n')[0]}); install the Debian package postgresql`,
    );
  }
  const installed = serverBinDir();
  if (!installed)
    throw new Error(
      'apt-get installed postgresql but no server binaries were found under /usr/lib/postgresql',
    );
  return installed;
}

export interface LocalPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL server on a free loopback port, in its own data folder, trusting local
 * connections. The server refuses to run as root, so under root it runs as the postgres user.
 */
export async function startPostgres(): Promise<LocalPostgres> {
  const bin = await ensureInstalled();
  const parent = await mkdtemp(join(tmpdir(), 'sluice-pg-'));
  await chmod(parent, 0o755);
  const data = join(parent, 'data');
  await mkdir(data, { mode: 0o700 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await exec('chown', ['-R', 'postgres:postgres', parent]);
  const as = (command: string, args: string[]) =>
    asRoot
      ? { file: 'runuser', args: ['-u', 'postgres', '--', join(bin, command), ...args] }
      : { file: join(bin, command), args };
  const init = as('initdb', ['-D', data, '-U', 'sluice', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await exec(init.file, init.args, { timeout: 120_000 });
  const port = await freePort();
  // pg_ctl starts the server in the background and stops it cleanly, whoever runs it
  const pgCtl = (args: string[]) => {
    const command = as('pg_ctl', ['-D', data, ...args]);
    return exec(command.file, command.args, { timeout: 120_000 });
  };
  await pgCtl([
    'start',
    '-w',
    '-l',
    join(parent, 'server.log'),
    '-o',
    `-p ${port} -k ${parent} -h 127.0.0.1 -c fsync=off`,
  ]);
  const base = `postgres://sluice@127.0.0.1:${port}`;
  await waitFor(
    'postgres',
    async () => {
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      try {
        await client.connect();
        await client.end();
        return true;
      } catch {
        return false;
      }
    },
    60_000,
  );
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE sluice_test');
  await admin.end();
  return {
    url: `${base}/sluice_test`,
    async stop() {
      await pgCtl(['stop', '-m', 'fast', '-w']).catch(() => undefined);
      await rm(parent, { recursive: true, force: true });
    },
  };
}
