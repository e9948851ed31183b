import type { ColumnSchema, StoredSchema, TableSchema } from '../../schema/types.js';
import { own } from '../../util/own.js';

/** A root table and all its nested tables (parents before children), in schema order. */
export function tableChain(schema: StoredSchema, root: string): TableSchema[] {
  const chain: TableSchema[] = [];
  const visit = (name: string) => {
    const table = own(schema.tables, name);
    if (table === undefined) return;
    chain.push(table);
    for (const child of Object.values(schema.tables)) if (child.parent === name) visit(child.name);
  };
  visit(root);
  return chain;
}

export function rootOf(schema: StoredSchema, name: string): TableSchema {
  let table = own(schema.tables, name);
  while (table?.parent !== undefined) table = own(schema.tables, table.parent);
  if (table === undefined) throw new Error(`table ${name} is not in schema ${schema.name}`);
  return table;
}

/** Columns with a data type, in schema order (hint-only columns have no data yet). */
export function typedColumns(table: TableSchema): ColumnSchema[] {
  return Object.values(table.columns).filter((c) => c.data_type !== undefined);
}

export function columnsWith(table: TableSchema, hint: keyof ColumnSchema): ColumnSchema[] {
  return typedColumns(table).filter((c) => c[hint] === true);
}
