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
import { newLoadId } from '../../shared/package/load-id.js';
import { load } from '../../shared/pipeline/load.js';
import { restoreFromDestination } from '../../shared/pipeline/restore.js';
import { run } from '../../shared/pipeline/run.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { readState } from '../../shared/pipeline/state.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { USERS } from '../support/fixtures.js';
import { localDatabricksConfig } from '../support/local-databricks.js';
import { localS3 } from '../support/local-s3.js';
import { openWarehouseSession } from '../support/warehouse-client.js';
import { injectWarehouseFaults } from '../support/warehouse-faults.js';

const stack = inject('localStack');
const config: DatabricksConfig = localDatabricksConfig(stack);
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;

beforeAll(async () => {
  warehouse = await openWarehouseSession(stack);
});
afterAll(async () => warehouse?.close());

const users = USERS;

/** A pipeline staging on moto under `prefix` and loading into a fresh dataset of the local warehouse. */
async function pipeline(
  prefix = `runs/${randomUUID()}`,
  credentials = namedCredential(stack.storageCredential),
) {
  const dataset = `ds_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, prefix);
  const destination = await DatabricksDestination.open(config, { credentials });
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
  it('retries statements the warehouse refuses with 429 or 503, and gives up after its retries', async () => {
    const destination = await DatabricksDestination.open(config, {
      credentials: namedCredential(stack.storageCredential),
    });
    try {
      // each fault names its statement: other test files use the warehouse at the same time
      await injectWarehouseFaults(stack, { status: 503, count: 2, match: 'SELECT 2 AS two' });
      expect(await destination.client.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      await injectWarehouseFaults(stack, {
        status: 429,
        count: 1,
        retryAfter: 1,
        match: 'SELECT 3 AS three',
      });
      expect(await destination.client.query('SELECT 3 AS three')).toEqual([{ three: 3 }]);
      await injectWarehouseFaults(stack, { status: 503, count: 50, match: 'SELECT 4 AS four' });
      const refused = destination.client.query('SELECT 4 AS four');
      await expect(refused).rejects.toMatchObject({ disposition: 'transient' });
      await injectWarehouseFaults(stack, { status: 503, count: 0 });
    } finally {
      await destination.close();
    }
  });

  it('cancels a statement at the query timeout, as a terminal error naming it', async () => {
    const destination = await DatabricksDestination.open(
      parseDatabricksConfig({ ...config, query_timeout_seconds: 1 }, 'test'),
      { credentials: namedCredential(stack.storageCredential) },
    );
    try {
      const slow = destination.client.query(
        "SELECT reflect('java.lang.Thread', 'sleep', CAST(2500 AS BIGINT)) AS slept",
      );
      await expect(slow).rejects.toThrow(/QUERY_TIMEOUT.*1 seconds/);
      await expect(slow).rejects.toMatchObject({ disposition: 'terminal' });
    } finally {
      await destination.close();
    }
  });

  it('authenticates with OAuth M2M on any host and port, preferring a complete OAuth pair over a token', async () => {
    const oauth = parseDatabricksConfig(
      {
        ...config,
        access_token: 'dapi-not-valid',
        client_id: stack.warehouse.clientId,
        client_secret: stack.warehouse.clientSecret,
      },
      'test',
    );
    const destination = await DatabricksDestination.open(oauth, {
      credentials: namedCredential(stack.storageCredential),
    });
    try {
      expect(await destination.client.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await destination.close();
    }
    const wrong = parseDatabricksConfig({ ...oauth, client_secret: 'wrong' }, 'test');
    const refused = DatabricksDestination.open(wrong, {
      credentials: namedCredential(stack.storageCredential),
    });
    await expect(refused).rejects.toMatchObject({ isAuthFailure: true });
    await expect(refused).rejects.not.toThrow(/wrong/);
  });

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

  it('removes the staged files after the commit when keep_staged_files is false', async () => {
    const prefix = `runs/${randomUUID()}`;
    const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, prefix);
    const destination = await DatabricksDestination.open({ ...config, keep_staged_files: false });
    const dataset = `ks_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

    const info = await run({
      storage,
      pipeline: 'keep',
      dataset,
      destination,
      resources: [{ hints: { name: 'users' }, items: users }],
    });
    await destination.close();

    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${dataset}.users`)).toEqual([{ n: 2 }]);
    const left = (await storage.list(`keep/packages/${info.loadId}/`)).map((o) => o.key);
    expect(left.filter((k) => k.endsWith('.parquet'))).toEqual([]);
    expect(left).toContain(`keep/packages/${info.loadId}/_stage/loaded`);
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

  it("restores a new working folder's state and schema from the dataset, as dlt does", async () => {
    const p = await pipeline();
    await p.load({ name: 'users' }, users);
    const elsewhere = new S3FileStorage(localS3(stack), stack.stagingBucket, `runs/${randomUUID()}`);
    try {
      expect(
        await restoreFromDestination({
          storage: elsewhere,
          pipeline: 'users_pipeline',
          dataset: p.dataset,
          destination: p.destination,
        }),
      ).toEqual({
        stateVersion: 1,
        schemas: [
          {
            name: 'users_pipeline',
            version: (await loadPipelineSchema(p.storage, 'users_pipeline', 'users_pipeline')).version,
          },
        ],
      });
      expect(await loadPipelineSchema(elsewhere, 'users_pipeline', 'users_pipeline')).toEqual(
        await loadPipelineSchema(p.storage, 'users_pipeline', 'users_pipeline'),
      );
      expect((await readState(elsewhere, 'users_pipeline')).state).toEqual(
        (await readState(p.storage, 'users_pipeline')).state,
      );
      // a dataset that does not exist holds nothing to restore (and a pipeline with state starts over)
      expect(await p.destination.storedState('no_such_dataset', 'users_pipeline')).toBeUndefined();
      expect(await p.destination.datasetExists(p.dataset)).toBe(true);
      expect(await p.destination.datasetExists('no_such_dataset')).toBe(false);
    } finally {
      await p.close();
    }
  });

  it('loads time columns from Parquet as text, which Spark cannot read as TIME', async () => {
    const p = await pipeline();
    const hints: ResourceHints = { name: 'shifts', columns: { starts: { data_type: 'time' } } };
    const result = await p.load(hints, [
      { id: 1, starts: '08:30:00' },
      { id: 2, starts: '23:59:59.123456' },
      { id: 3, starts: null },
    ]);
    await p.close();
    expect(result.jobs.format).toBe('parquet');
    expect(await warehouse.query(`SELECT id, starts FROM main.${p.dataset}.shifts ORDER BY id`)).toEqual([
      { id: 1, starts: '08:30:00' },
      { id: 2, starts: '23:59:59.123456' },
      { id: 3, starts: null },
    ]);
  });

  it("loads dates and timestamps from before the Gregorian calendar's start exactly, such as Go's zero time", async () => {
    const p = await pipeline();
    const hints: ResourceHints = {
      name: 'ancient',
      columns: {
        day: { data_type: 'date' },
        at: { data_type: 'timestamp' },
        local: { data_type: 'timestamp', timezone: false },
      },
    };
    const result = await p.load(hints, [
      { id: 1, day: '0001-01-01', at: '0001-01-01T00:00:00Z', local: '0001-01-01T00:00:00' },
      { id: 2, day: '1582-10-04', at: '1500-02-28T23:59:59.999999Z', local: '1000-03-01T12:00:00' },
      { id: 3, day: '2024-02-29', at: '2024-02-29T10:00:00Z', local: '2024-02-29T10:00:00' },
    ]);
    await p.close();
    expect(result.outcome.status).toBe('loaded');
    expect(
      await warehouse.query(
        `SELECT id, CAST(day AS STRING) AS day, CAST(at AS STRING) AS at, CAST(local AS STRING) AS local FROM main.${p.dataset}.ancient ORDER BY id`,
      ),
    ).toEqual([
      { id: 1, day: '0001-01-01', at: '0001-01-01 00:00:00', local: '0001-01-01 00:00:00' },
      { id: 2, day: '1582-10-04', at: '1500-02-28 23:59:59.999999', local: '1000-03-01 12:00:00' },
      { id: 3, day: '2024-02-29', at: '2024-02-29 10:00:00', local: '2024-02-29 10:00:00' },
    ]);
  });

  it('replaces a table and its nested tables', async () => {
    const p = await pipeline();
    const hints: ResourceHints = { name: 'users', writeDisposition: 'replace' };
    await p.load(hints, users);
    await p.load(hints, [{ id: 9, name: 'Zed', pets: [{ id: 9, name: 'Rex' }] }]);
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.users`)).toEqual([{ id: 9 }]);
    expect(await warehouse.query(`SELECT name FROM main.${p.dataset}.users__pets`)).toEqual([
      { name: 'Rex' },
    ]);
    // a run without rows replaces both with nothing, as dlt's does (and runs no COPY INTO)
    await p.load(hints, []);
    await p.close();
    for (const table of ['users', 'users__pets'])
      expect(await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}.${table}`)).toEqual([
        { n: 0 },
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

describe('Databricks destination: merge and replace strategies on the local warehouse', () => {
  const upsertAcc: ResourceHints = {
    name: 'acc',
    writeDisposition: 'merge',
    mergeStrategy: 'upsert',
    primaryKey: ['id'],
  };

  it('upserts by primary key, replacing nested rows', async () => {
    const p = await pipeline();
    const hints = upsertAcc;
    await p.load(hints, [
      { id: 1, v: 'a', kids: [{ n: 1 }, { n: 2 }] },
      { id: 2, v: 'b' },
    ]);
    await p.load(hints, [
      { id: 1, v: 'a2', kids: [{ n: 9 }] },
      { id: 3, v: 'c' },
    ]);
    await p.close();
    expect(await warehouse.query(`SELECT id, v FROM main.${p.dataset}.acc ORDER BY id`)).toEqual([
      { id: 1, v: 'a2' },
      { id: 2, v: 'b' },
      { id: 3, v: 'c' },
    ]);
    expect(await warehouse.query(`SELECT n FROM main.${p.dataset}.acc__kids`)).toEqual([{ n: 9 }]);
  });

  it('refuses an upsert whose load holds a primary key twice, before merging', async () => {
    const p = await pipeline();
    const hints = upsertAcc;
    // into an empty table Delta's MERGE inserts both rows, with one _dlt_id; later it fails
    await expect(
      p.load(hints, [
        { id: 7, v: 'a', kids: [{ n: 1 }] },
        { id: 7, v: 'b', kids: [{ n: 2 }] },
      ]),
    ).rejects.toThrow(
      'table acc: 2 rows of this load have the primary key id = 7; upsert takes one row per key',
    );
    await p.close();
    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}.acc`)).toEqual([{ n: 0 }]);
  });

  it('refills a replaced table and a merge staging table when a load is retried after its COPY INTO', async () => {
    const p = await pipeline();
    const replaced: ResourceHints = { name: 'roster', writeDisposition: 'replace' };
    const merged: ResourceHints = {
      name: 'members',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
    };
    await p.load(replaced, [{ id: 1 }]);
    await p.load(merged, [{ id: 1, v: 'a' }]);
    // each second load copies its files, then fails at its _dlt_loads row; the retry runs it all again
    for (const [hints, items] of [
      [replaced, [{ id: 2 }, { id: 3 }]],
      [merged, [{ id: 2, v: 'b' }]],
    ] as const) {
      const loadId = newLoadId();
      await injectWarehouseFaults(stack, { status: 403, count: 1, match: '`_dlt_loads` (load_id' });
      await expect(p.load(hints, [...items], loadId)).rejects.toThrow();
      const retried = await load({
        storage: p.storage,
        pipeline: 'users_pipeline',
        loadId,
        destination: p.destination,
      });
      expect(retried.status).toBe('loaded');
    }
    await p.close();
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.roster ORDER BY id`)).toEqual([
      { id: 2 },
      { id: 3 },
    ]);
    expect(await warehouse.query(`SELECT id, v FROM main.${p.dataset}.members ORDER BY id`)).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
  });

  it('delete-inserts by primary key with deduplication and nested tables', async () => {
    const p = await pipeline();
    const hints: ResourceHints = {
      name: 'docs',
      writeDisposition: 'merge',
      primaryKey: ['id'],
      columns: { seq: { dedup_sort: 'desc' } },
    };
    await p.load(hints, [
      { id: 1, v: 'a', seq: 1, tags: ['x', 'y'] },
      { id: 2, v: 'b', seq: 1, tags: ['z'] },
    ]);
    await p.load(hints, [
      { id: 1, v: 'old', seq: 2, tags: ['q'] },
      { id: 1, v: 'new', seq: 3, tags: ['w'] },
    ]);
    await p.close();
    expect(await warehouse.query(`SELECT id, v FROM main.${p.dataset}.docs ORDER BY id`)).toEqual([
      { id: 1, v: 'new' },
      { id: 2, v: 'b' },
    ]);
    expect(await warehouse.query(`SELECT value FROM main.${p.dataset}.docs__tags ORDER BY value`)).toEqual([
      { value: 'w' },
      { value: 'z' },
    ]);
  });

  it('deletes rows flagged by hard_delete, in upsert and in delete-insert', async () => {
    for (const mergeStrategy of ['upsert', 'delete-insert'] as const) {
      const p = await pipeline();
      const hints: ResourceHints = {
        name: 'acc',
        writeDisposition: 'merge',
        mergeStrategy,
        primaryKey: ['id'],
        columns: { deleted: { hard_delete: true, data_type: 'bool' } },
      };
      await p.load(hints, [
        { id: 1, v: 'a', kids: [{ n: 1 }] },
        { id: 2, v: 'b', kids: [{ n: 2 }] },
      ]);
      await p.load(hints, [
        { id: 1, deleted: true },
        { id: 2, v: 'b2', deleted: false },
      ]);
      await p.close();
      expect(
        await warehouse.query(`SELECT id, v FROM main.${p.dataset}.acc ORDER BY id`),
        mergeStrategy,
      ).toEqual([{ id: 2, v: 'b2' }]);
      // the deleted row's nested rows go with it; the updated row came without kids, so has none
      expect(
        await warehouse.query(`SELECT count(*) AS n FROM main.${p.dataset}.acc__kids`),
        mergeStrategy,
      ).toEqual([{ n: 0 }]);
    }
  });

  it('inserts only new keys with insert-only, and replaces through staging with insert-from-staging', async () => {
    const p = await pipeline();
    const insertOnly: ResourceHints = {
      name: 'once',
      writeDisposition: 'merge',
      mergeStrategy: 'insert-only',
      primaryKey: ['id'],
    };
    await p.load(insertOnly, [{ id: 1, v: 'first' }]);
    await p.load(insertOnly, [
      { id: 1, v: 'changed' },
      { id: 2, v: 'new' },
    ]);
    const fromStaging: ResourceHints = {
      name: 'snap',
      writeDisposition: 'replace',
      replaceStrategy: 'insert-from-staging',
    };
    await p.load(fromStaging, [{ id: 1, tags: ['a'] }]);
    await p.load(fromStaging, [{ id: 2, tags: ['b', 'c'] }]);
    await p.close();
    expect(await warehouse.query(`SELECT id, v FROM main.${p.dataset}.once ORDER BY id`)).toEqual([
      { id: 1, v: 'first' },
      { id: 2, v: 'new' },
    ]);
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.snap`)).toEqual([{ id: 2 }]);
    expect(await warehouse.query(`SELECT value FROM main.${p.dataset}.snap__tags ORDER BY value`)).toEqual([
      { value: 'b' },
      { value: 'c' },
    ]);
  });

  it('keeps history with scd2', async () => {
    const p = await pipeline();
    const hints: ResourceHints = { name: 'dim', writeDisposition: 'merge', mergeStrategy: 'scd2' };
    await p.load(hints, [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
    await p.load(hints, [
      { id: 1, v: 'a' },
      { id: 2, v: 'B' },
    ]);
    await p.close();
    expect(
      await warehouse.query(
        `SELECT id, v, _dlt_valid_to IS NULL AS current FROM main.${p.dataset}.dim ORDER BY id, _dlt_valid_from`,
      ),
    ).toEqual([
      { id: 1, v: 'a', current: true },
      { id: 2, v: 'b', current: false },
      { id: 2, v: 'B', current: true },
    ]);
  });

  it('keeps history with scd2 under its own validity names and an active record timestamp', async () => {
    const p = await pipeline();
    const hints: ResourceHints = {
      name: 'dim2',
      writeDisposition: 'merge',
      mergeStrategy: 'scd2',
      scd2: { validityColumnNames: ['valid_from', 'valid_to'], activeRecordTimestamp: '9999-12-31' },
    };
    await p.load(hints, [{ id: 2, v: 'b' }]);
    await p.load(hints, [{ id: 2, v: 'B' }]);
    await p.close();
    expect(
      await warehouse.query(
        `SELECT v, year(valid_to) = 9999 AS current FROM main.${p.dataset}.dim2 ORDER BY valid_to`,
      ),
    ).toEqual([
      { v: 'b', current: false },
      { v: 'B', current: true },
    ]);
  });

  it('creates tables with partitioning, comment and table properties', async () => {
    const p = await pipeline();
    await p.load(
      {
        name: 'events',
        tableOptions: {
          partition_by: ['kind'],
          comment: 'raw events',
          properties: { 'delta.enableChangeDataFeed': true },
        },
      },
      [{ id: 1, kind: 'click' }],
    );
    await p.close();
    const [detail] = await warehouse.query(`DESCRIBE DETAIL main.${p.dataset}.events`);
    expect(detail).toMatchObject({ partitionColumns: ['kind'], description: 'raw events' });
    expect(detail!.properties).toMatchObject({ 'delta.enableChangeDataFeed': 'true' });
  });

  it('replaces through staging with staging-optimized (CLONE)', async () => {
    const p = await pipeline();
    const hints: ResourceHints = {
      name: 'snap',
      writeDisposition: 'replace',
      replaceStrategy: 'staging-optimized',
    };
    await p.load(hints, [{ id: 1 }, { id: 2 }]);
    await p.load(hints, [{ id: 3 }]);
    await p.close();
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.snap`)).toEqual([{ id: 3 }]);
  });
});

describe('Databricks destination: refresh on the local warehouse', () => {
  it("drops the pipeline's tables and their staging copies, then loads with a schema inferred anew", async () => {
    const p = await pipeline();
    const merge: ResourceHints = { name: 'orders', writeDisposition: 'merge', primaryKey: ['id'] };
    await p.load(merge, [{ id: 'a', lines: [{ sku: 'x' }] }]);
    await p.load({ name: 'other' }, [{ n: 1 }]);

    await run({
      storage: p.storage,
      pipeline: 'users_pipeline',
      dataset: p.dataset,
      destination: p.destination,
      resources: [{ hints: merge, items: [{ id: 1 }, { id: 2 }] }],
      refresh: true,
    });
    await p.close();

    const tables = async (dataset: string) =>
      (
        await warehouse.query(
          `SELECT table_name FROM main.information_schema.tables WHERE table_schema = '${dataset}' ORDER BY table_name`,
        )
      ).map((r) => r.table_name);
    expect(await tables(p.dataset)).toEqual(['_dlt_loads', '_dlt_pipeline_state', '_dlt_version', 'orders']);
    // the staging copy of `orders` was dropped too: its id column was text
    expect(await tables(`${p.dataset}_staging`)).toEqual(['orders']);
    const idType = await warehouse.query(
      `SELECT data_type FROM main.information_schema.columns WHERE table_schema = '${p.dataset}_staging' AND table_name = 'orders' AND column_name = 'id'`,
    );
    expect(idType).toEqual([{ data_type: 'BIGINT' }]);
    expect(await warehouse.query(`SELECT id FROM main.${p.dataset}.orders ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
  });
});

describe('sluice CLI with --destination databricks', () => {
  it('loads files through S3 staging on moto into the local warehouse with the local-stack exports, and info shows the tables', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { exportLines } = await import('../warehouse/local-stack.js');
    const exec = promisify(execFile);
    // exactly what `npm run local-stack` prints: a token and an OAuth pair (the pair is used)
    const exported = Object.fromEntries(
      exportLines(stack)
        .map((line) => /^export ([A-Z0-9_]+)=(.*)$/.exec(line))
        .filter((match) => match !== null)
        .map((match) => [match[1]!, match[2]!.replace(/^'(.*)'$/, '$1')]),
    );
    expect(exported).toHaveProperty('DESTINATION__DATABRICKS__CREDENTIALS__CLIENT_SECRET');
    const env = {
      ...process.env,
      ...exported,
      DESTINATION__FILESYSTEM__BUCKET_URL: `s3://${stack.stagingBucket}/cli/${randomUUID()}`,
    };
    const cli = new URL('../../bin/sluice.js', import.meta.url).pathname;
    const dataset = `cli_${randomUUID().replace(/-/g, '').slice(0, 10)}`;

    const ran = await exec(
      process.execPath,
      [
        cli,
        'run',
        'test/fixtures/sample/orders.jsonl',
        '--pipeline',
        'cli_pipeline',
        '--dataset',
        dataset,
        '--destination',
        'databricks',
      ],
      { env },
    );
    const info = await exec(
      process.execPath,
      [cli, 'info', '--pipeline', 'cli_pipeline', '--destination', 'databricks'],
      { env },
    );

    expect(ran.stdout).toMatch(/: loaded/);
    expect(info.stdout).toMatch(/orders__items \(nested in orders\)/);
    expect(info.stdout).toMatch(/\d+\.\d{6}\s+loaded\s+orders=40/);
    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${dataset}.orders__items`)).toEqual([
      { n: 73 },
    ]);
    expect(`${ran.stdout}${ran.stderr}${info.stdout}${info.stderr}`).not.toContain(
      stack.warehouse.accessToken,
    );
  });
});

describe('Databricks destination: forwarded credentials', () => {
  it('assumes the read-only role for each package and loads with the temporary keys', async () => {
    const { STSClient } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({
      endpoint: stack.aws.endpoint,
      region: stack.aws.region,
      credentials: { accessKeyId: stack.aws.accessKeyId, secretAccessKey: stack.aws.secretAccessKey },
    });
    const forward = parseDatabricksConfig(
      {
        ...config,
        staging_credentials_mode: 'forward',
        staging_credentials_name: undefined,
        staging_role_arn: 'arn:aws:iam::123456789012:role/sluice-copy-reader',
      },
      'test',
    );
    const dataset = `fw_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, `runs/${randomUUID()}`);
    const destination = await DatabricksDestination.open(forward, { sts });

    await run({
      storage,
      pipeline: 'fw',
      dataset,
      destination,
      resources: [{ hints: { name: 'users' }, items: users }],
    });
    await destination.close();

    expect(await warehouse.query(`SELECT count(*) AS n FROM main.${dataset}.users__pets`)).toEqual([
      { n: 3 },
    ]);
  });

  it('forwarded keys read their own package and are refused for another prefix, and once expired', async () => {
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const { assumeReadOnlyRole, readOnlySessionPolicy, splitS3Url } = await import(
      '../../shared/destinations/databricks/forward-credentials.js'
    );
    const { forwardedKeys } = await import('../../shared/destinations/databricks/staging-credentials.js');
    const { extract } = await import('../../shared/pipeline/extract.js');
    const { normalize } = await import('../../shared/pipeline/normalize.js');
    const sts = new STSClient({
      endpoint: stack.aws.endpoint,
      region: stack.aws.region,
      credentials: { accessKeyId: stack.aws.accessKeyId, secretAccessKey: stack.aws.secretAccessKey },
    });
    const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, `runs/${randomUUID()}`);
    const { loadId } = await extract({
      storage,
      pipeline: 'keys',
      dataset: 'keys',
      resources: [{ hints: { name: 'users' }, items: [{ id: 1, name: 'Alice' }] }],
    });
    const { jobs } = await normalize({ storage, pipeline: 'keys', loadId, format: 'parquet' });
    const url = storage.url(jobs.tables.users!.files[0]!.key);
    const folder = url.slice(0, url.lastIndexOf('/') + 1);
    const dataset = `keys_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await warehouse.query(`CREATE SCHEMA main.${dataset}`);
    await warehouse.query(`CREATE TABLE main.${dataset}.users (id BIGINT, name STRING)`);
    const copy = (keys: Parameters<typeof forwardedKeys>[0]) =>
      warehouse.query(
        `COPY INTO main.${dataset}.users FROM '${folder}' ${forwardedKeys(keys).clause(folder)} FILEFORMAT = PARQUET FILES = ('${url.slice(folder.length)}') COPY_OPTIONS ('force' = 'true')`,
      );
    const roleArn = stack.copyRoleArn;
    const session = { roleArn, durationSeconds: 900, sessionName: 'keys-test' };
    const other = await assumeReadOnlyRole(sts, {
      ...session,
      folderUrl: `s3://${stack.stagingBucket}/runs/other/`,
    });
    await expect(copy(other)).rejects.toThrow(/UNAUTHORIZED_ACCESS/);

    const own = await assumeReadOnlyRole(sts, { ...session, folderUrl: folder });
    await copy(own);
    expect(await warehouse.query(`SELECT id, name FROM main.${dataset}.users`)).toEqual([
      { id: 1, name: 'Alice' },
    ]);

    // AWS's shortest session is 900 s; moto issues a 1 s one, which the test lets run out
    const { bucket, prefix } = splitS3Url(folder);
    const short = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'keys-expiring',
        DurationSeconds: 1,
        Policy: JSON.stringify(readOnlySessionPolicy(bucket, prefix)),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const expired = {
      accessKeyId: short.Credentials!.AccessKeyId!,
      secretAccessKey: short.Credentials!.SecretAccessKey!,
      sessionToken: short.Credentials!.SessionToken!,
    };
    await expect(copy(expired)).rejects.toThrow(/UNAUTHORIZED_ACCESS/);
    sts.destroy();
  });
});
