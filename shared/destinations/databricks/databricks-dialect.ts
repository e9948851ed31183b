import { integerBits } from '../../schema/coerce.js';
import type { ColumnSchema } from '../../schema/types.js';
import type { FileLoad, SqlDialect } from '../sql/dialect.js';
import type { StagingCredentials } from './staging-credentials.js';
import { tableClauses } from './table-options.js';

const TYPES: Record<NonNullable<ColumnSchema['data_type']>, string> = {
  text: 'STRING',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  bool: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  time: 'STRING',
  decimal: 'DECIMAL(38,9)',
  binary: 'BINARY',
  json: 'STRING',
  wei: 'DECIMAL(38,0)',
};

/** A backtick-quoted identifier; a backtick inside is doubled, as Databricks SQL escapes it. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A string literal with backslash escapes (Databricks reads `\'`, `\\`, `\n`, `\r`). */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return `'${value.replace(/[\\'\n\r]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r' })[c]!)}'`;
}

const INTEGERS = { 8: 'TINYINT', 16: 'SMALLINT', 32: 'INT', 64: 'BIGINT' };

export function columnType(column: ColumnSchema): string {
  const type = column.data_type ?? 'text';
  // a precision hint sizes an integer, as dlt's does
  if (type === 'bigint') return INTEGERS[integerBits(column.precision)];
  if (type === 'decimal' && (column.precision !== undefined || column.scale !== undefined)) {
    return `DECIMAL(${column.precision ?? 38},${column.scale ?? 9})`;
  }
  if (type === 'timestamp' && column.timezone === false) return 'TIMESTAMP_NTZ';
  return TYPES[type];
}

/** The most file names COPY INTO's FILES clause takes. */
const MAX_FILES_PER_COPY = 1000;

/** The common folder of a table's files and their names relative to it, for FROM and FILES. */
function folderAndFiles(urls: readonly string[]): { folder: string; files: string[] } {
  const folder = urls[0]!.slice(0, urls[0]!.lastIndexOf('/') + 1);
  const outside = urls.find((u) => !u.startsWith(folder) || u.slice(folder.length).includes('/'));
  if (outside !== undefined)
    throw new Error(`staged files of one table must share a folder: ${outside} is not in ${folder}`);
  return { folder, files: urls.map((u) => u.slice(folder.length)) };
}

/**
 * Databricks SQL on Unity Catalog: three-part names with the catalog folded to lower case,
 * and one COPY INTO per table per package that names exactly the package's files.
 */
export function databricksDialect(catalog: string, credentials: StagingCredentials): SqlDialect {
  const catalogName = catalog.toLowerCase();
  const dialect: SqlDialect = {
    quoteIdentifier,
    literal,
    timestampLiteral: (date) => `TIMESTAMP ${literal(date.toISOString())}`,
    columnType,
    qualify: (dataset, table) =>
      `${quoteIdentifier(catalogName)}.${quoteIdentifier(dataset)}.${quoteIdentifier(table)}`,
    qualifySchema: (dataset) => `${quoteIdentifier(catalogName)}.${quoteIdentifier(dataset)}`,
    addColumns: (table, columns) => [
      `ALTER TABLE ${table} ADD COLUMNS (${columns.map((c) => `${quoteIdentifier(c.name)} ${columnType(c)}`).join(', ')})`,
    ],
    loadFiles(load: FileLoad) {
      const { folder, files } = folderAndFiles(load.urls);
      const clause = credentials.clause(folder);
      // FILES takes at most 1,000 names: more go in further COPY INTOs, each exactly-once alike
      const batches = Array.from({ length: Math.ceil(files.length / MAX_FILES_PER_COPY) }, (_, i) =>
        files.slice(i * MAX_FILES_PER_COPY, (i + 1) * MAX_FILES_PER_COPY),
      );
      // the clauses in the order Databricks documents: FILEFORMAT, FILES, FORMAT_OPTIONS, COPY_OPTIONS
      return batches.map((batch) =>
        [
          `COPY INTO ${dialect.qualify(load.dataset, load.table)}`,
          `FROM ${literal(folder)}${clause === '' ? '' : ` ${clause}`}`,
          `FILEFORMAT = ${load.format === 'parquet' ? 'PARQUET' : 'JSON'}`,
          `FILES = (${batch.map(literal).join(', ')})`,
          // Arrow writes dates and timestamps in the standard (proleptic Gregorian) calendar, as
          // Parquet defines them, without Spark's marks saying so: on a Spark 3 runtime a value
          // before 1582-10-15, such as Go's zero time, would fail the COPY or be shifted by days
          load.format === 'parquet'
            ? "FORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED')"
            : "FORMAT_OPTIONS ('inferTimestamp' = 'true')",
          // COPY INTO skips files it loaded into the table before, which keeps an append retried
          // after its COPY exactly-once; a table emptied for this load must take them again
          ...(load.emptied ? ["COPY_OPTIONS ('force' = 'true')"] : []),
        ].join('\n'),
      );
    },
    cloneTable: (target, source) => [
      `DROP TABLE IF EXISTS ${target}`,
      `CREATE TABLE ${target} CLONE ${source}`,
    ],
    truncate: (table) => `TRUNCATE TABLE ${table}`,
    tableOptions: (table) => tableClauses(table, quoteIdentifier, literal),
  };
  return dialect;
}
