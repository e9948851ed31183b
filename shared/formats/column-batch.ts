import type { NormalizedRow } from '../normalize/relational.js';
import type { Coerced } from '../schema/coerce.js';
import { DLT_COLUMNS } from '../schema/types.js';

/** One column's values in a batch, by row; undefined where a row has none. */
export type ColumnValues = (Coerced | undefined)[];

/**
 * A table's rows held column by column until they are written. Rows come in as objects (the
 * general path) or value by value into the columns (the known-shape scanner, which so makes no
 * object per row and the writer no pass splitting rows into columns).
 */
export class ColumnBatch {
  /** Rows held. */
  length = 0;
  /** Characters of text (and bytes of binaries) held, estimated, for the buffer's text budget. */
  chars = 0;
  private readonly values = new Map<string, ColumnValues>();
  // the linkage columns, looked up once per batch
  private linkage: { ids: ColumnValues; parentIds: ColumnValues; listIdx: ColumnValues } | undefined;

  /** A column's values, to set at the index of the row being added. */
  column(name: string): ColumnValues {
    let values = this.values.get(name);
    if (values === undefined) {
      // as long as the rows so far: a column first set late in a batch starts without a gap
      values = new Array(this.length);
      this.values.set(name, values);
    }
    return values;
  }

  /** The columns every nested row sets. */
  get nestedLinkage(): NonNullable<ColumnBatch['linkage']> {
    this.linkage ??= {
      ids: this.column(DLT_COLUMNS.id),
      parentIds: this.column(DLT_COLUMNS.parentId),
      listIdx: this.column(DLT_COLUMNS.listIdx),
    };
    return this.linkage;
  }

  /** Adds a row given as an object. */
  addRow(row: NormalizedRow): void {
    const at = this.length++;
    for (const name in row) this.column(name)[at] = row[name];
  }

  /** A column's values for every row held (undefined where a row has none). */
  valuesOf(name: string): ColumnValues {
    const values = this.values.get(name);
    if (values === undefined) return new Array(this.length);
    if (values.length < this.length) values.length = this.length;
    return values;
  }
}
