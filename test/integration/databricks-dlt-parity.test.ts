import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { run } from '../../shared/pipeline/run.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { openLocalDatabricks } from '../support/local-databricks.js';
import { localS3 } from '../support/local-s3.js';
import { tempDir } from '../support/temp-dir.js';
import { TYPED_COLUMNS, typedItems } from '../support/typed-items.js';
import { openWarehouseSession } from '../support/warehouse-client.js';
import { dltDatabricksPython, repoRoot } from '../warehouse/python-tooling.js';

// dlt 1.26's own Databricks destination and Sluice load the same items into the local warehouse
// (COPY INTO from moto with a storage credential, dlt through Databricks' Python connector):
// the tables must have the same columns, types and values. Appended: dlt's merge SQL for nested
// tables needs what Databricks has and the open-source Delta under the local warehouse lacks
// (subqueries in a DELETE's condition), so it cannot run there.
const exec = promisify(execFile);
const stack = inject('localStack');
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;
let python: string;
beforeAll(async () => {
  warehouse = await openWarehouseSession(stack);
  python = await dltDatabricksPython();
});
afterAll(async () => warehouse?.close());

// dlt refuses a time column in Parquet for Databricks, and a Spark 3 runtime refuses its dates
// before 1582 (dlt does not say the files' calendar; the local warehouse reads as Spark 3 does)
const { clock: _time, ...columns } = TYPED_COLUMNS;
const beforeGregorian = /^(0\d\d\d|1[0-4]\d\d|15[0-7]\d|158[0-2])-/;

function itemsFor(seed: number, count: number, firstId: number): Record<string, unknown>[] {
  return typedItems(seed, count).map((item, i) => {
    const { clock: _clock, ...rest } = item;
    for (const key of ['day', 'local', 'at'])
      if (typeof rest[key] === 'string' && beforeGregorian.test(rest[key] as string)) rest[key] = null;
    // dlt's extract (orjson) cannot write integers beyond 64 bits (1e20 is written as one): such
    // values go in as their text, which both coerce to the column's decimal
    for (const key of ['w', 'big'])
      if (
        typeof rest[key] === 'bigint' ||
        (typeof rest[key] === 'number' && Math.abs(rest[key] as number) >= 2 ** 63)
      )
        rest[key] = String(rest[key]);
    // dlt turns a float into its exact binary fraction, which pyarrow then refuses to round to
    // the column's scale: decimals go in as text
    for (const key of ['amount', 'big'])
      if (typeof rest[key] === 'number')
        rest[key] = Number.isInteger(rest[key]) ? String(rest[key]) : (rest[key] as number).toFixed(9);
    return { id: firstId + i, ...rest };
  });
}

async function describeTable(dataset: string, table: string): Promise<string[]> {
  const rows = (await warehouse.query(`DESCRIBE TABLE main.${dataset}.${table}`)) as {
    col_name: string;
    data_type: string;
  }[];
  return rows
    .filter((r) => r.col_name !== '' && !r.col_name.startsWith('#'))
    .map((r) => `${r.col_name} ${r.data_type}`);
}

// random in each run (append keys root rows at random, as dlt does): a nested row is
// matched to its parent through the parent's primary key instead
const RANDOM_KEYS = ['_dlt_load_id', '_dlt_id', '_dlt_parent_id', '_dlt_root_id'];

/** The rows as text, sorted; a nested table's with the `id` of the row they belong to. */
async function rowsOf(dataset: string, table: string, names: string[], parent?: string): Promise<string[]> {
  const select = names.map((name) => `CAST(t.\`${name}\` AS STRING) AS \`${name}\``).join(', ');
  const rows = await warehouse.query(
    parent === undefined
      ? `SELECT ${select} FROM main.${dataset}.${table} t`
      : `SELECT ${select}, CAST(p.id AS STRING) AS parent_id FROM main.${dataset}.${table} t JOIN main.${dataset}.${parent} p ON t._dlt_parent_id = p._dlt_id`,
  );
  return rows.map((row) => JSON.stringify([...names, 'parent_id'].map((name) => row[name] ?? null))).sort();
}

describe("dlt's Databricks destination and Sluice load alike", () => {
  it('typed columns appended twice with a nested table: the same columns, types and values', async () => {
    const dir = await tempDir();
    const loads = [itemsFor(51, 30, 0), itemsFor(52, 30, 15)];
    const files = await Promise.all(
      loads.map(async (items, n) => {
        const path = join(dir, `load-${n}.jsonl`);
        await writeFile(path, items.map((item) => toJsonLine(item)).join('\n'));
        return path;
      }),
    );
    const suffix = randomUUID().replace(/-/g, '').slice(0, 10);
    const [byDlt, bySluice] = [`dlt_${suffix}`, `sluice_${suffix}`];

    await exec(
      python,
      [
        join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_databricks.py'),
        join(dir, 'dlt'),
        byDlt,
        ...files,
      ],
      {
        maxBuffer: 1 << 24,
        env: {
          ...process.env,
          WAREHOUSE_HOST: stack.warehouse.host,
          WAREHOUSE_PORT: String(stack.warehouse.port),
          WAREHOUSE_HTTP_PATH: stack.warehouse.httpPath,
          WAREHOUSE_TOKEN: stack.warehouse.accessToken,
          WAREHOUSE_CA_FILE: stack.warehouse.caFile,
          STORAGE_CREDENTIAL: stack.storageCredential,
          STAGING_BUCKET: stack.stagingBucket,
          AWS_ENDPOINT_URL: stack.aws.endpoint,
          AWS_ACCESS_KEY_ID: stack.aws.accessKeyId,
          AWS_SECRET_ACCESS_KEY: stack.aws.secretAccessKey,
          COLUMNS: JSON.stringify(columns),
        },
      },
    );

    const destination = await openLocalDatabricks(stack);
    const hints: ResourceHints = { name: 'parity', writeDisposition: 'append', primaryKey: ['id'], columns };
    const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, `sluice/${bySluice}`);
    try {
      for (const file of files)
        await run({
          storage,
          pipeline: 'databricks_parity',
          dataset: bySluice,
          destination,
          resources: [{ hints, files: [file] }],
        });
    } finally {
      await destination.close();
    }

    for (const [table, parent] of [['parity'], ['parity__lines', 'parity']] as const) {
      const described = await describeTable(bySluice, table);
      expect(described, table).toEqual(await describeTable(byDlt, table));
      const names = described
        .map((line) => line.split(' ')[0]!)
        .filter((name) => !RANDOM_KEYS.includes(name));
      const ours = await rowsOf(bySluice, table, names, parent);
      expect(ours.length, table).toBeGreaterThan(0);
      expect(ours, table).toEqual(await rowsOf(byDlt, table, names, parent));
    }
  });
});
