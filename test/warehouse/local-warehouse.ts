import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';
import { LOCAL_WORKSPACE_HOST } from '../support/workspace-dns.js';
import { makeCertificates } from './certificates.js';
import { fetchDeltaJarsWithMaven } from './delta-jars.js';
import { EngineClient, type EngineConfig } from './engine-client.js';
import { warehouseServer } from './https-server.js';
import { OAuthServer } from './oauth.js';
import { repoRoot } from './python-tooling.js';
import { thriftHandlers } from './thrift-service.js';

export interface LocalWarehouseOptions {
  /** Working folder: certificates, Spark warehouse, logs. */
  dir: string;
  python: string;
  s3: { endpoint: string; region: string };
  catalogs?: string[];
  storageCredentials?: EngineConfig['storage_credentials'];
  externalLocations?: EngineConfig['external_locations'];
}

/** Everything a client needs to reach the warehouse, in the names the loader's config uses. */
export interface WarehouseEndpoint {
  host: string;
  port: number;
  httpPath: string;
  catalog: string;
  accessToken: string;
  clientId: string;
  clientSecret: string;
  caCert: string;
  caFile: string;
  /** False when port 443 could not be bound: OAuth M2M needs its endpoints there. */
  oauthAvailable: boolean;
}

export interface LocalWarehouse extends WarehouseEndpoint {
  sparkStartupSeconds: number;
  stop(): Promise<void>;
}

/**
 * Starts the local Databricks SQL warehouse: a Spark + Delta engine, and an HTTPS server that
 * speaks the driver's Thrift protocol with PAT and OAuth M2M authentication. The driver builds
 * OAuth URLs from the host alone (no port), so the OAuth endpoints also listen on port 443.
 */
export async function startLocalWarehouse(options: LocalWarehouseOptions): Promise<LocalWarehouse> {
  await mkdir(options.dir, { recursive: true });
  const catalogs = options.catalogs ?? ['main'];
  const candidates = ['127.0.0.1', ...Array.from({ length: 8 }, (_, i) => `127.0.0.${i + 2}`)];
  const certificates = await makeCertificates(options.dir, candidates, [LOCAL_WORKSPACE_HOST]);
  const config: EngineConfig = {
    warehouse_dir: join(options.dir, 'spark'),
    ivy_dir: join(repoRoot, '.tooling', 'ivy'),
    catalogs,
    s3: options.s3,
    storage_credentials: options.storageCredentials ?? {},
    external_locations: options.externalLocations ?? [],
  };
  const configFile = join(options.dir, 'engine.json');
  await writeFile(configFile, JSON.stringify(config));
  const logFile = join(options.dir, 'spark-engine.log');
  // Spark resolves the Delta jars itself (Ivy); when that fails, Maven fetches them instead.
  const engine = await (process.env.SLUICE_DELTA_JARS === 'maven'
    ? Promise.reject(new Error('Maven requested'))
    : EngineClient.start(options.python, configFile, logFile)
  ).catch(async () => {
    await writeFile(configFile, JSON.stringify({ ...config, delta_jars: await fetchDeltaJarsWithMaven() }));
    return EngineClient.start(options.python, configFile, logFile);
  });

  const accessToken = `dapi${randomBytes(16).toString('hex')}`;
  const clientId = `local-sp-${randomBytes(4).toString('hex')}`;
  const clientSecret = `dose${randomBytes(16).toString('hex')}`;
  const oauth = new OAuthServer(clientId, clientSecret);
  const httpPath = '/sql/1.0/warehouses/local';
  const handlers = thriftHandlers(engine, catalogs[0]!);
  const servers: Server[] = [];
  const serve = (host: string, port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = warehouseServer({ certificates, httpPath, accessToken, oauth, handlers });
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });

  let host = candidates[0]!;
  let oauthAvailable = false;
  for (const candidate of candidates) {
    try {
      servers.push(await serve(candidate, 443));
      host = candidate;
      oauthAvailable = true;
      break;
    } catch {
      // 443 taken or not allowed here: try the next loopback address
    }
  }
  const port = await freePort(host);
  servers.push(await serve(host, port));

  return {
    host,
    port,
    httpPath,
    catalog: catalogs[0]!,
    accessToken,
    clientId,
    clientSecret,
    caCert: certificates.caPem,
    caFile: certificates.caFile,
    oauthAvailable,
    sparkStartupSeconds: engine.startupSeconds,
    async stop() {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      await engine.stop();
    },
  };
}
