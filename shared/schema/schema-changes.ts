import { isDeepStrictEqual } from 'node:util';
import { own } from '../util/own.js';
import type { Schema } from './schema.js';
import type { ColumnSchema, TableSchema } from './types.js';

/** A column a normalize run added or completed: what it was in the run's base schema, and after. */
export interface ColumnChange {
  before?: ColumnSchema;
  after: ColumnSchema;
}

/** What a normalize run changed in one table; `created` holds the table itself when it is new. */
export interface TableChange {
  name: string;
  created?: Omit<TableSchema, 'columns'>;
  columns: ColumnChange[];
}

/** The tables and columns `current` added to or changed from `base`, in the order they were added. */
export function schemaChanges(
  base: Readonly<Record<string, TableSchema>>,
  current: Readonly<Record<string, TableSchema>>,
): TableChange[] {
  const changes: TableChange[] = [];
  for (const [name, table] of Object.entries(current)) {
    const before = own(base, name);
    const columns: ColumnChange[] = [];
    for (const [columnName, column] of Object.entries(table.columns)) {
      const previous = before && own(before.columns, columnName);
      if (!isDeepStrictEqual(previous, column))
        columns.push({ ...(previous && { before: previous }), after: column });
    }
    if (before === undefined) changes.push({ name, created: withoutColumns(table), columns });
    else if (columns.length > 0) changes.push({ name, columns });
  }
  return changes;
}

/**
 * Whether `changes`, made against an older base, can be folded into `schema` as they are: every
 * table and column they touch is either untouched since that base or already exactly as they
 * leave it. Then normalizing against the newer schema would have produced the same rows.
 */
export function changesApply(schema: Schema, changes: readonly TableChange[]): boolean {
  return changes.every((change) => {
    const table = schema.table(change.name);
    if (
      change.created !== undefined &&
      table !== undefined &&
      !isDeepStrictEqual(withoutColumns(table), change.created)
    )
      return false;
    if (change.created === undefined && table === undefined) return false;
    return change.columns.every(({ before, after }) => {
      const column = table && own(table.columns, after.name);
      return isDeepStrictEqual(column, before) || isDeepStrictEqual(column, after);
    });
  });
}

/** Folds changes that `changesApply` accepted into `schema`, keeping the order columns came in. */
export function applyChanges(schema: Schema, changes: readonly TableChange[]): void {
  for (const change of changes) {
    if (schema.table(change.name) === undefined && change.created !== undefined)
      schema.addTable({ ...structuredClone(change.created), columns: {} });
    for (const { after } of change.columns) schema.setColumn(change.name, structuredClone(after));
  }
}

function withoutColumns(table: TableSchema): Omit<TableSchema, 'columns'> {
  const { columns: _columns, ...rest } = table;
  return rest;
}
