import type { BatchColumn, ColumnBatch } from '../formats/column-batch.js';
import type { ColumnSchema, TableSchema } from '../schema/types.js';
import { own } from '../util/own.js';
import type { TableContext } from './relational.js';

/** A key of incoming data at some path (or a linkage column): its column name and its path. */
export interface Field {
  name: string;
  /** The normalized fragments joined, not shortened: dlt shortens the whole path each time. */
  path: string;
  /**
   * Another field of the table has this name (keys that normalize alike, a data key named like a
   * linkage column): its value replaces the one the row already holds.
   */
  shared: boolean;
  /** The table's column of this name as of the schema's change count `columnAt` (a cache). */
  column: ColumnSchema | undefined;
  columnAt: number;
  /** The row KnownShapeScanner last read this field in: a second read there is a duplicate key. */
  scannedInRow: number;
  /** The batch KnownShapeScanner last wrote this field's values to, and its column there (a cache). */
  batch: ColumnBatch | undefined;
  batchColumn: BatchColumn | undefined;
  /** The dict this field holds, as KnownShapeScanner last read it (a cache). */
  scannedDict: ScannedDict | undefined;
  /** The nested table of the list this field holds, once KnownShapeScanner found it (a cache). */
  listContext: TableContext | undefined;
}

/**
 * A dict's keys as KnownShapeScanner last read them at one path of a table, in order, with their
 * fields (see known-shape.ts): each key's bytes up to the colon after it, and the first and last
 * eight of those bytes (four, for a shorter key) read as one number, so that most keys are matched
 * with two reads. `names` is the table's map of the keys at that path.
 */
export interface ScannedDict {
  names: Map<string, Field>;
  keys: Uint8Array[];
  heads: number[];
  tails: number[];
  fields: Field[];
}

export function newField(name: string, path: string): Field {
  return {
    name,
    path,
    shared: false,
    column: undefined,
    columnAt: -1,
    scannedInRow: -1,
    batch: undefined,
    batchColumn: undefined,
    scannedDict: undefined,
    listContext: undefined,
  };
}

/** The table's column a field names, looked up again only after the schema changed (`changes`). */
export function fieldColumn(field: Field, table: TableSchema, changes: number): ColumnSchema | undefined {
  if (field.columnAt !== changes) {
    field.column = own(table.columns, field.name);
    field.columnAt = changes;
  }
  return field.column;
}

/**
 * One row's flattened values in the order their names came, reused from row to row (an object
 * per row cost more than filling it). A name seen twice keeps its first place and takes the later
 * value, as a Python dict does.
 */
export class FlatRow {
  readonly fields: Field[] = [];
  readonly values: unknown[] = [];
  length = 0;
  /** Whether a shared field was set: only then can a name hold a value set under another key. */
  private sharedSet = false;

  clear(): void {
    this.length = 0;
    this.sharedSet = false;
  }

  /** Sets a field's value; `below` a shared key, the field may be set already in this row. */
  set(field: Field, value: unknown, below = false): void {
    if (field.shared || below) {
      this.sharedSet = true;
      const at = this.indexOf(field.name);
      if (at >= 0) {
        this.values[at] = value;
        return;
      }
    }
    this.fields[this.length] = field;
    this.values[this.length++] = value;
  }

  /** The value held under `name` (undefined if none). */
  get(name: string): unknown {
    const at = this.indexOf(name);
    return at < 0 ? undefined : this.values[at];
  }

  /**
   * The value of a linkage column the data itself brought, which a field of the data shares.
   * Rows without shared fields hold none, and are not searched.
   */
  sharedValue(name: string): unknown {
    return this.sharedSet ? this.get(name) : undefined;
  }

  indexOf(name: string): number {
    for (let i = 0; i < this.length; i++) if (this.fields[i]!.name === name) return i;
    return -1;
  }
}
