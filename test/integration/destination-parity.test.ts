import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Destination } from '../../shared/destinations/destination.js';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { run } from '../../shared/pipeline/run.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import type { ColumnSchema, TableSchema } from '../../shared/schema/types.js';
import type { FileStorage } from '../../shared/storage/file-storage.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { openLocalDatabricks } from '../support/local-databricks.js';
import { localS3 } from '../support/local-s3.js';
import { tempDir } from '../support/temp-dir.js';
import { TYPED_COLUMNS, typedItems } from '../support/typed-items.js';
import { openWarehouseSession } from '../support/warehouse-client.js';

// The same items, loaded twice with overlapping keys into DuckDB (the local run's destination)
// and into the local Databricks warehouse, must leave the same values in every column: the type
// mapping, the Parquet files each reads and the merge SQL of the two dialects, checked together.
const stack = inject('localStack');
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;
beforeAll(async () => {
  warehouse = await openWarehouseSession(stack);
});
afterAll(async () => warehouse?.close());

type Side = 'duckdb' | 'databricks';

/** SQL giving a column's values in a form both destinations share. */
function comparable(side: Side, column: ColumnSchema): string {
  const name = side === 'duckdb' ? `"${column.name}"` : `\`${column.name}\``;
  if (column.data_type === 'double') return name;
  if (column.data_type === 'binary') return `hex(${name})`;
  if (column.data_type === 'timestamp') {
    if (side === 'duckdb') return `CAST(epoch_us(${name}) AS VARCHAR)`;
    // the local warehouse's session runs in UTC, so a naive timestamp reads as its UTC instant
    return `CAST(unix_micros(${column.timezone === false ? `CAST(${name} AS TIMESTAMP)` : name}) AS STRING)`;
  }
  return `CAST(${name} AS ${side === 'duckdb' ? 'VARCHAR' : 'STRING'})`;
}

/** A time's text with six fraction digits: DuckDB's TIME drops trailing zeros, text keeps them. */
function sixDigitTime(text: string): string {
  const [clock, fraction = ''] = text.split('.');
  return `${clock}.${fraction.padEnd(6, '0')}`;
}

/** Each row as sorted JSON of its non-null values, the rows sorted. */
function rowTexts(rows: Record<string, unknown>[], columns: ColumnSchema[]): string[] {
  return rows
    .map((row) =>
      JSON.stringify(
        columns.flatMap((column, i) => {
          const value = row[`c${i}`];
          if (value === null || value === undefined) return [];
          const text = String(value);
          return [[column.name, column.data_type === 'time' ? sixDigitTime(text) : text]];
        }),
      ),
    )
    .sort();
}

async function loadTwice(
  destination: Destination,
  storage: FileStorage,
  dataset: string,
  hints: ResourceHints,
  loads: Record<string, unknown>[][],
): Promise<void> {
  for (const items of loads) {
    const info = await run({
      storage,
      pipeline: 'parity',
      dataset,
      destination,
      resources: [{ hints, items }],
    });
    expect(info.outcome.status).toBe('loaded');
  }
}

describe('DuckDB and Databricks load alike', () => {
  it('columns of every dlt type at the edges of their ranges, upserted twice with a nested table', async () => {
    const half = 20;
    const loads = [0, 1].map((n) =>
      typedItems(41 + n, 2 * half).map((item, i) => ({ id: n * half + i, ...item })),
    );
    const hints: ResourceHints = {
      name: 'typed',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
      columns: TYPED_COLUMNS,
    };
    const dataset = `parity_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const dir = await tempDir();
    const duckdbStorage = new LocalFileStorage(join(dir, 'storage'));
    const duckdb = await DuckDbDestination.open(join(dir, 'parity.duckdb'));
    const databricksStorage = new S3FileStorage(localS3(stack), stack.stagingBucket, `parity/${dataset}`);
    const databricks = await openLocalDatabricks(stack);
    try {
      await loadTwice(duckdb, duckdbStorage, dataset, hints, loads);
      await loadTwice(databricks, databricksStorage, dataset, hints, loads);

      const schema = await loadPipelineSchema(databricksStorage, 'parity', 'parity');
      expect((await loadPipelineSchema(duckdbStorage, 'parity', 'parity')).tables).toEqual(schema.tables);
      const tables = Object.values(schema.tables).filter((t): t is TableSchema => !t.name.startsWith('_dlt'));
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['typed', 'typed__lines']));
      let compared = 0;
      for (const table of tables) {
        // the load id is the one value that differs between the two runs
        const columns = Object.values(table.columns).filter(
          (c) => c.data_type !== undefined && c.name !== '_dlt_load_id',
        );
        const select = (side: Side) => columns.map((c, i) => `${comparable(side, c)} AS c${i}`).join(', ');
        const fromDatabricks = await warehouse.query(
          `SELECT ${select('databricks')} FROM main.${dataset}.\`${table.name}\``,
        );
        const fromDuckdb = await duckdb.client.query(
          `SELECT ${select('duckdb')} FROM "${dataset}"."${table.name}"`,
        );
        expect(rowTexts(fromDatabricks, columns), table.name).toEqual(rowTexts(fromDuckdb, columns));
        compared += fromDuckdb.length;
      }
      // 60 distinct keys upserted, and their line items
      expect((await duckdb.client.query(`SELECT count(*) AS n FROM "${dataset}".typed`))[0]).toEqual({
        n: '60',
      });
      expect(compared).toBeGreaterThan(60);
    } finally {
      await databricks.close();
      await duckdb.close();
    }
  });
});
