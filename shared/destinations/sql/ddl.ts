import type { ColumnSchema } from '../../schema/types.js';
import type { SqlDialect } from './dialect.js';

export function columnDefinition(dialect: SqlDialect, column: ColumnSchema): string {
  const notNull = column.nullable === false ? ' NOT NULL' : '';
  return `${dialect.quoteIdentifier(column.name)} ${dialect.columnType(column)}${notNull}`;
}

export function createTableSql(
  dialect: SqlDialect,
  qualified: string,
  columns: readonly ColumnSchema[],
  options: { ifNotExists?: boolean; suffix?: string } = {},
): string {
  const body = columns.map((c) => columnDefinition(dialect, c)).join(',\n  ');
  const ifNotExists = options.ifNotExists ? 'IF NOT EXISTS ' : '';
  return `CREATE TABLE ${ifNotExists}${qualified} (\n  ${body}\n)${options.suffix ? ` ${options.suffix}` : ''}`;
}
