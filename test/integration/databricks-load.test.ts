import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabricksConfig } from '../../shared/destinations/databricks/databricks-config.js';
import { parseDatabricksConfig } from '../../shared/destinations/databricks/databricks-config.js';
import { DatabricksDestination } from '../../shared/destinations/databricks/databricks-destination.js';
import {
  externalLocation,
  namedCredential,
} from '../../shared/destinations/databricks/staging-credentials.js';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { run } from '../../shared/pipeline/run.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { localS3 } from '../support/local-s3.js';
import { openWarehouseSession } from '../support/warehouse-client.js';

const stack = inject('localStack');
const config: DatabricksConfig = parseDatabricksConfig(
  {
    server_hostname: stack.warehouse.host,
    port: stack.warehouse.port,
    http_path: stack.warehouse.httpPath,
    catalog: stack.warehouse.catalog,
    access_token: stack.warehouse.accessToken,
    ca_cert_file: stack.warehouse.caFile,
    staging_credentials_mode: 'credential',
    staging_credentials_name: stack.storageCredential,
  },
  'test',
);
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;

beforeAll(async () => {
  warehouse = await openWarehouseSession(stack);
});
afterAll(async () => warehouse?.close());

const users = [
  {
    id: 1,
    name: 'Alice',
    pets: [
      { id: 1, name: 'Fluffy', type: 'cat' },
      { id: 2, name: 'Spot', type: 'dog' },
    ],
  },
  { id: 2, name: 'Bob', pets: [{ id: 3, name: 'Fido', type: 'dog' }] },
];

/** A pipeline staging on moto under `prefix` and loading into a fresh dataset of the local warehouse. */
async function pipeline(
  prefix = `runs/${randomUUID()}`,
  credentials = namedCredential(stack.storageCredential),
) {
  const dataset = `ds_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, prefix);
  const destination = await DatabricksDestination.open(config, credentials);
  return {
    dataset,
    storage,
    destination,
    load: (hints: ResourceHints, items: unknown[], loadId?: string) =>
      run({
        storage,
        pipeline: 'users_pipeline',
        dataset,
        destination,
        resources: [{ hints, items }],
        loadId,
      }),
    close: () => destination.close(),
  };
}

describe('Databricks destination on the local warehouse', () => {
  it('loads dlt users/pets with a named storage credential, evolves the schema and appends', async () => {
    const p = await pipeline();
    const first = await p.load({ name: 'users' }, users);
    const second = await p.load({ name: 'users' }, [{ id: 3, name: 'Cy', email: 'cy@example.com' }]);
    await p.close();

    const t = `main.${p.dataset}`;
    expect(first.outcome.status).toBe('loaded');
    expect(await warehouse.query(`SELECT id, name, email FROM ${t}.users ORDER BY id`)).toEqual([
      { id: 1, name: 'Alice', email: null },
      { id: 2, name: 'Bob', email: null },
      { id: 3, name: 'Cy', email: 'cy@example.com' },
    ]);
    expect(
      await warehouse.query(
        `SELECT u.name, p.name AS pet FROM ${t}.users u JOIN ${t}.users__pets p ON p._dlt_parent_id = u._dlt_id ORDER BY p.id`,
      ),
    ).toEqual([
      { name: 'Alice', pet: 'Fluffy' },
      { name: 'Alice', pet: 'Spot' },
      { name: 'Bob', pet: 'Fido' },
    ]);
    expect(await warehouse.query(`SELECT load_id, status FROM ${t}._dlt_loads ORDER BY load_id`)).toEqual([
      { load_id: first.loadId, status: 0 },
      { load_id: second.loadId, status: 0 },
    ]);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}._dlt_version`)).toEqual([{ n: 2 }]);
    expect(await warehouse.query(`SELECT pipeline_name, version FROM ${t}._dlt_pipeline_state`)).toEqual([
      { pipeline_name: 'users_pipeline', version: 1 },
    ]);
  });

  it('loads through an external location with no credential clause', async () => {
    const p = await pipeline(`external/${randomUUID()}`, externalLocation);
    await p.load({ name: 'users' }, users);
    await p.close();
    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}.users__pets`)).toEqual([
      { n: 3 },
    ]);
  });

  it('loads a package only once when it is run again', async () => {
    const p = await pipeline();
    const first = await p.load({ name: 'users' }, users);
    const again = await p.load({ name: 'users' }, users, first.loadId);
    await p.close();
    expect(again.outcome.status).toBe('already_loaded');
    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}.users`)).toEqual([{ n: 2 }]);
  });

  it('replaces a table and its nested tables', async () => {
    const p = await pipeline();
    const hints: ResourceHints = { name: 'users', writeDisposition: 'replace' };
    await p.load(hints, users);
    await p.load(hints, [{ id: 9, name: 'Zed', pets: [{ id: 9, name: 'Rex' }] }]);
    await p.close();
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.users`)).toEqual([{ id: 9 }]);
    expect(await warehouse.query(`SELECT name FROM main.${p.dataset}.users__pets`)).toEqual([
      { name: 'Rex' },
    ]);
  });

  it('leaves no _dlt_loads row when COPY INTO fails', async () => {
    const p = await pipeline(`runs/${randomUUID()}`, namedCredential('no_such_credential'));
    await expect(p.load({ name: 'users' }, users)).rejects.toThrow(/NO_SUCH_STORAGE_CREDENTIAL/);
    await p.close();
    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}._dlt_loads`)).toEqual([
      { n: 0 },
    ]);
  });
});
