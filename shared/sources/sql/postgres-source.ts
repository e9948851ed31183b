import pg from 'pg';
import Cursor from 'pg-cursor';
import type { SecretResolver } from '../../config/secret-values.js';
import type { ColumnHints } from '../../schema/types.js';
import { dataOrder, keepKeyOrder } from '../../util/key-order.js';
import { cursorValue, IncrementalCursor, type IncrementalState } from '../incremental.js';
import { type ArrayElements, columnHintsFor, typeParser } from './postgres-types.js';
import type { PostgresSourceConfig } from './sql-config.js';

export interface PostgresShape {
  /** The result's columns in order, with their loader types. */
  columns: [string, ColumnHints][];
  /** The table's primary key from the catalog (tables only). */
  primaryKey?: string[];
}

/** A connection, with the database's array types (enums' and extensions' too) read once. */
async function connect(
  source: PostgresSourceConfig,
  secrets: SecretResolver,
): Promise<{ client: pg.Client; arrays: ArrayElements }> {
  const arrays = new Map<number, number>();
  const client = new pg.Client({
    connectionString: await secrets.resolve(source.connection),
    options: '-c TimeZone=UTC',
    types: { getTypeParser: ((oid: number) => typeParser(oid, arrays)) as typeof pg.types.getTypeParser },
  });
  try {
    await client.connect();
  } catch (error) {
    // the connection string carries a password: the message names only what failed
    throw new Error(`cannot connect to PostgreSQL for ${describe(source)}: ${(error as Error).message}`);
  }
  // each type's array type (not the vectors such as int2vector, which are written otherwise)
  const types = await client.query<{ array: number; element: number }>(
    'SELECT typarray::int AS array, oid::int AS element FROM pg_type WHERE typarray <> 0',
  );
  for (const { array, element } of types.rows) arrays.set(array, element);
  return { client, arrays };
}

/** The columns of the table or query with their loader types, and the table's primary key. */
export async function describePostgres(
  source: PostgresSourceConfig,
  secrets: SecretResolver,
): Promise<PostgresShape> {
  const { client, arrays } = await connect(source, secrets);
  try {
    const { fields } = await client.query(`SELECT * FROM (${baseQuery(source)}) AS described LIMIT 0`);
    const columns = fields.map((f): [string, ColumnHints] => [
      f.name,
      columnHintsFor(f.dataTypeID, f.dataTypeModifier, arrays),
    ]);
    if (source.table === undefined) return { columns };
    const catalog = await client.query<{ attname: string; attnotnull: boolean; primary: boolean }>(
      `SELECT a.attname, a.attnotnull,
              coalesce(a.attnum = ANY(i.indkey), false) AS primary
         FROM pg_attribute a
         LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [quoteTable(source.table)],
    );
    const byName = new Map(columns);
    for (const row of catalog.rows) {
      const column = byName.get(row.attname);
      if (column !== undefined) column.nullable = !row.attnotnull;
    }
    const primaryKey = catalog.rows.filter((r) => r.primary).map((r) => r.attname);
    return { columns, ...(primaryKey.length > 0 && { primaryKey }) };
  } finally {
    await client.end();
  }
}

export interface PostgresPull {
  source: PostgresSourceConfig;
  secrets: SecretResolver;
  incremental?: IncrementalState;
  onIncremental?: (state: IncrementalState) => void;
  /** The resource's primary key: rows at the cursor's last value are told apart by it. */
  primaryKey?: readonly string[];
  /** The result's column names in order (pg's rows list integer-like names first). */
  columnOrder?: readonly string[];
}

/**
 * Streams the rows of a table or query through a server-side cursor, one chunk in memory at a
 * time. Incremental runs ask for rows from the last cursor value reached, in cursor order.
 */
export async function* pullPostgresRecords(pull: PostgresPull): AsyncIterable<unknown> {
  const { source } = pull;
  const cursor = source.incremental;
  const tracker =
    cursor && new IncrementalCursor(cursor.initialValue, pull.incremental, pull.primaryKey, cursor.endValue);
  const column = cursor && quoteIdentifier(cursor.cursorColumn);
  // a backfill asks for its window: closed at the start, open at the end value, as dlt's range
  const bounds = tracker ? [tracker.start, ...(cursor?.endValue === undefined ? [] : [cursor.endValue])] : [];
  const range = bounds.length === 2 ? `${column} >= $1 AND ${column} < $2` : `${column} >= $1`;
  // rows without a cursor value fall outside any range; dlt's `include` asks for them as well
  const window = cursor?.onCursorValueMissing === 'include' ? `(${range}) OR ${column} IS NULL` : range;
  const sql = cursor
    ? `SELECT * FROM (${baseQuery(source)}) AS pulled WHERE ${window} ORDER BY ${column}`
    : baseQuery(source);
  const order = pull.columnOrder && dataOrder(pull.columnOrder);
  const { client } = await connect(source, pull.secrets);
  const rows = client.query(new Cursor<Record<string, unknown>>(sql, bounds));
  try {
    for (
      let chunk = await rows.read(source.chunkSize);
      chunk.length > 0;
      chunk = await rows.read(source.chunkSize)
    ) {
      // rows go on as pg parsed them: temporal types and numerics as exact text, bytea as a
      // Buffer (JSON lines carry it as base64)
      for (const record of chunk) {
        if (order !== undefined) keepKeyOrder(record, order);
        const value = cursor && record[cursor.cursorColumn];
        if (cursor && value !== null && !tracker!.accept(cursorValue(value, cursor.cursorColumn), record))
          continue;
        yield record;
      }
    }
  } finally {
    await rows.close().catch(() => undefined);
    await client.end();
  }
  if (tracker?.keepsState) pull.onIncremental?.(tracker.state());
}

function baseQuery(source: PostgresSourceConfig): string {
  return source.query ?? `SELECT * FROM ${quoteTable(source.table!)}`;
}

function quoteTable(table: string): string {
  return table.split('.').map(quoteIdentifier).join('.');
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function describe(source: PostgresSourceConfig): string {
  return source.table ? `table ${source.table}` : 'a query';
}
