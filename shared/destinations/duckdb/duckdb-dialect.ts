import { integerBits, timeUnit } from '../../schema/coerce.js';
import type { ColumnSchema } from '../../schema/types.js';
import type { FileLoad, SqlDialect } from '../sql/dialect.js';

const TYPES: Record<NonNullable<ColumnSchema['data_type']>, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
  time: 'TIME',
  decimal: 'DECIMAL',
  binary: 'BLOB',
  json: 'JSON',
  wei: 'DECIMAL(38,0)',
};

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/'/g, "''")}'`;
}

const INTEGERS = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' };
const NAIVE_TIMESTAMPS = { s: 'TIMESTAMP_S', ms: 'TIMESTAMP_MS', us: 'TIMESTAMP', ns: 'TIMESTAMP_NS' };

function columnType(column: ColumnSchema): string {
  const type = column.data_type ?? 'text';
  // a precision hint sizes an integer, as dlt's does
  if (type === 'bigint') return INTEGERS[integerBits(column.precision)];
  if (type === 'decimal') return `DECIMAL(${column.precision ?? 38},${column.scale ?? 9})`;
  // a precision hint picks a naive timestamp's type, as dlt's does (a zoned one has only µs)
  if (type === 'timestamp' && column.timezone === false) return NAIVE_TIMESTAMPS[timeUnit(column.precision)];
  return TYPES[type];
}

/**
 * DuckDB: double-quoted identifiers, standard literals, Parquet and JSON read by table functions.
 * Names carry the database's catalog, which DuckDB names after the file: in `shop.duckdb` a
 * dataset `shop` makes `shop.orders` ambiguous (catalog or schema?), and DuckDB refuses it.
 */
export function duckdbDialect(catalog: string): SqlDialect {
  const qualifySchema = (dataset: string) => `${quote(catalog)}.${quote(dataset)}`;
  const qualify = (dataset: string, table: string) => `${qualifySchema(dataset)}.${quote(table)}`;
  return {
    quoteIdentifier: quote,
    literal,
    timestampLiteral: (date) => `TIMESTAMPTZ ${literal(date.toISOString())}`,
    columnType,
    qualify,
    qualifySchema,
    addColumns: (table, columns) =>
      columns.map((c) => `ALTER TABLE ${table} ADD COLUMN ${quote(c.name)} ${columnType(c)}`),
    loadFiles: (load) => loadFiles(qualify(load.dataset, load.table), load),
    cloneTable: (target, source) => [
      `DROP TABLE IF EXISTS ${target}`,
      `CREATE TABLE ${target} AS SELECT * FROM ${source}`,
    ],
    truncate: (table) => `DELETE FROM ${table}`,
  };
}

function loadFiles(target: string, load: FileLoad): string[] {
  const files = `[${load.urls.map((u) => literal(u)).join(', ')}]`;
  if (load.format === 'parquet') {
    return [`INSERT INTO ${target} BY NAME SELECT * FROM read_parquet(${files}, union_by_name = true)`];
  }
  const columns = load.columns.map((c) => `${literal(c.name)}: ${literal(jsonReadType(c))}`).join(', ');
  const names = load.columns.map((c) => quote(c.name)).join(', ');
  // binary values are base64 text in JSON; read as text, a blob would hold the base64 itself
  const values = load.columns
    .map((c) => (c.data_type === 'binary' ? `from_base64(${quote(c.name)})` : quote(c.name)))
    .join(', ');
  return [
    `INSERT INTO ${target} (${names}) SELECT ${values} FROM read_json(${files}, format = 'newline_delimited', columns = {${columns}})`,
  ];
}

/** JSON files carry json columns as nested values, read back as JSON text, and binaries as base64. */
function jsonReadType(column: ColumnSchema): string {
  if (column.data_type === 'json') return 'JSON';
  return column.data_type === 'binary' ? 'VARCHAR' : columnType(column);
}
