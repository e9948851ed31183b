import type { NormalizedRow } from '../normalize/relational.js';
import type { Coerced } from '../schema/coerce.js';
import { DLT_COLUMNS } from '../schema/types.js';
import { latin1Slice, writeAscii } from '../util/ascii.js';
import { LastView } from '../util/byte-view.js';

/** One column's values in a batch, by row; undefined where a row has none. */
export type ColumnValues = (Coerced | undefined)[];

/** A column of a batch: values set by row, in any order. */
export class ValueColumn {
  readonly values: ColumnValues;

  constructor(rows: number) {
    // as long as the rows so far: a column first set late in a batch starts without a gap
    this.values = new Array(rows);
  }

  set(row: number, value: Coerced): void {
    this.values[row] = value;
  }

  /** ASCII text given as bytes [start, end). */
  setAscii(row: number, bytes: Buffer, start: number, end: number): void {
    this.values[row] = latin1Slice(bytes, start, end);
  }

  valueAt(row: number): Coerced | undefined {
    return this.values[row];
  }

  /** Drops the values of rows from `rows` on. */
  truncate(rows: number): void {
    if (this.values.length > rows) this.values.length = rows;
  }

  /** The values of `rows` rows. */
  finish(rows: number): ColumnValues {
    if (this.values.length < rows) this.values.length = rows;
    return this.values;
  }
}

/**
 * A text column kept as UTF-8 bytes, the form Arrow and Parquet take: text read from a line is
 * copied as it is, without a string made of it and encoded again. Rows are set in order; a row
 * skipped is null.
 */
export class TextBytes {
  private bytes: Buffer;
  // renewed where `bytes` grows, not looked up through a LastView per copy (1-2% more samples)
  private view: DataView;
  private used = 0;
  /** Where each row's text ends in `bytes` (it starts where the row before ends). */
  private ends: Int32Array;
  private valid: Uint8Array;
  private rows = 0;
  /** A view of the bytes setAscii copies from: a column's text comes from one chunk (or key list) after another. */
  private readonly sources = new LastView();
  nullCount = 0;

  /** Bytes of text held. */
  get textBytes(): number {
    return this.used;
  }

  /** Room for `rows` rows and `bytes` bytes of text to begin with. */
  constructor(rows = 0, bytes = 0) {
    this.bytes = Buffer.allocUnsafe(Math.max(4096, bytes));
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.ends = new Int32Array(Math.max(256, rows));
    this.valid = new Uint8Array((this.ends.length + 7) >> 3);
  }

  set(row: number, value: Coerced): void {
    if (typeof value !== 'string') throw new Error(`text column given a ${typeof value}`);
    if (row !== this.rows) this.skipTo(row);
    this.room(row, value.length * 3);
    const end = value.length < 64 ? writeAscii(value, this.bytes, this.used) : -1;
    this.close(row, end >= 0 ? end : this.used + this.bytes.write(value, this.used, 'utf8'));
  }

  setAscii(row: number, bytes: Buffer, start: number, end: number): void {
    if (row !== this.rows) this.skipTo(row);
    const length = end - start;
    this.room(row, length);
    let at = this.used;
    if (length < 64) {
      // short text is copied faster here than through Buffer#copy's call into C++, four bytes at
      // a time (14 bytes: 13-19 ns, byte by byte 23-37, Buffer#copy 83-86)
      const from = this.sources.of(bytes);
      const to = this.view;
      let i = start;
      for (; i + 4 <= end; i += 4, at += 4) to.setUint32(at, from.getUint32(i));
      const target = this.bytes;
      for (; i < end; i++) target[at++] = bytes[i]!;
    } else at += bytes.copy(this.bytes, at, start, end);
    this.close(row, at);
  }

  valueAt(row: number): Coerced | undefined {
    if (row >= this.rows || (this.valid[row >> 3]! & (1 << (row & 7))) === 0) return undefined;
    return this.bytes.toString('utf8', row === 0 ? 0 : this.ends[row - 1]!, this.ends[row]!);
  }

  /** Drops the rows from `rows` on: their text, and their nulls from the count. */
  truncate(rows: number): void {
    if (rows >= this.rows) return;
    for (let row = rows; row < this.rows; row++) {
      const bit = 1 << (row & 7);
      if ((this.valid[row >> 3]! & bit) === 0) this.nullCount--;
      else this.valid[row >> 3]! &= ~bit;
    }
    this.used = rows === 0 ? 0 : this.ends[rows - 1]!;
    this.rows = rows;
  }

  /** Arrow's Utf8 buffers for `rows` rows: offsets, data and the validity bitmap. */
  finish(rows: number): { offsets: Int32Array; data: Uint8Array; validity: Uint8Array; nullCount: number } {
    this.skipTo(rows);
    const offsets = new Int32Array(rows + 1);
    offsets.set(this.ends.subarray(0, rows), 1);
    return {
      offsets,
      data: this.bytes.subarray(0, this.used),
      validity: this.valid.subarray(0, (rows + 7) >> 3),
      nullCount: this.nullCount,
    };
  }

  /** Rows before `row` that were not set are null. */
  private skipTo(row: number): void {
    if (row < this.rows) throw new Error(`text column set at row ${row} after row ${this.rows - 1}`);
    this.grow(row + 1);
    while (this.rows < row) {
      this.ends[this.rows] = this.used;
      this.rows++;
      this.nullCount++;
    }
  }

  /** Ends row `row` at `end` in the bytes. */
  private close(row: number, end: number): void {
    this.used = end;
    this.ends[row] = end;
    this.valid[row >> 3]! |= 1 << (row & 7);
    this.rows = row + 1;
  }

  /** Makes room for row `row` and `bytes` more bytes. */
  private room(row: number, bytes: number): void {
    if (row >= this.ends.length) this.grow(row + 1);
    if (this.used + bytes <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + bytes));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  // the bitmap covers every row `ends` has room for: room is checked against `ends` alone
  private grow(rows: number): void {
    this.ends = atLeast(this.ends, rows, newInt32s);
    this.valid = atLeast(this.valid, (this.ends.length + 7) >> 3, newBytes);
  }
}

/**
 * A column of numbers (doubles, integers, timestamps and dates as numbers) kept unboxed, the form
 * Arrow takes them in, instead of an array of values V8 boxes one by one. A value of another kind
 * (a bigint past 2^53) turns it into an array of values from then on.
 */
export class NumberColumn {
  private numbers: Float64Array;
  private valid: Uint8Array;
  private others: ColumnValues | undefined;

  /** Room for `rows` rows to begin with. */
  constructor(rows = 0) {
    this.numbers = new Float64Array(Math.max(256, rows));
    this.valid = new Uint8Array((this.numbers.length + 7) >> 3);
  }

  set(row: number, value: Coerced): void {
    if (this.others === undefined && typeof value === 'number') {
      if (row >= this.numbers.length) this.grow(row + 1);
      this.numbers[row] = value;
      this.valid[row >> 3]! |= 1 << (row & 7);
      return;
    }
    this.others ??= this.asValues();
    this.others[row] = value;
  }

  setAscii(row: number, bytes: Buffer, start: number, end: number): void {
    this.set(row, latin1Slice(bytes, start, end));
  }

  valueAt(row: number): Coerced | undefined {
    if (this.others !== undefined) return this.others[row];
    if (row >= this.numbers.length || (this.valid[row >> 3]! & (1 << (row & 7))) === 0) return undefined;
    return this.numbers[row];
  }

  /** Drops the values of rows from `rows` on (rows are set in any order: every later bit is cleared). */
  truncate(rows: number): void {
    if (this.others !== undefined) {
      if (this.others.length > rows) this.others.length = rows;
      return;
    }
    if (rows >= this.numbers.length) return;
    this.valid[rows >> 3]! &= (1 << (rows & 7)) - 1;
    this.valid.fill(0, (rows >> 3) + 1);
  }

  /** The numbers of `rows` rows and their validity bitmap, or the values where one is not a number. */
  finish(rows: number): { numbers: Float64Array; validity: Uint8Array; nullCount: number } | ColumnValues {
    if (this.others !== undefined) {
      // asValues copied the whole buffer, which may reach past the batch's rows
      this.others.length = rows;
      return this.others;
    }
    this.grow(rows);
    const validity = this.valid.subarray(0, (rows + 7) >> 3);
    let set = 0;
    for (let i = 0; i < rows; i++) set += (validity[i >> 3]! >> (i & 7)) & 1;
    return { numbers: this.numbers.subarray(0, rows), validity, nullCount: rows - set };
  }

  private asValues(): ColumnValues {
    const values: ColumnValues = [];
    for (let row = 0; row < this.numbers.length; row++) values[row] = this.valueAt(row);
    return values;
  }

  // the bitmap covers every row `numbers` has room for: room is checked against `numbers` alone
  private grow(rows: number): void {
    this.numbers = atLeast(this.numbers, rows, newFloat64s);
    this.valid = atLeast(this.valid, (this.numbers.length + 7) >> 3, newBytes);
  }
}

export type BatchColumn = ValueColumn | TextBytes | NumberColumn;

// made once: a closure written at each call would be made at each call
const newInt32s = (length: number) => new Int32Array(length);
const newFloat64s = (length: number) => new Float64Array(length);
const newBytes = (length: number) => new Uint8Array(length);

/** `array`, or a copy of it at least `length` long (twice as long, at least), as rows come. */
function atLeast<T extends Int32Array | Float64Array | Uint8Array>(
  array: T,
  length: number,
  make: (length: number) => T,
): T {
  if (length <= array.length) return array;
  const grown = make(Math.max(array.length * 2, length));
  grown.set(array);
  return grown;
}

/** How a batch keeps a column: values as given, text as UTF-8 bytes, numbers unboxed. */
export type ColumnKind = 'values' | 'text' | 'numbers';

interface BatchSizes {
  rows: number;
  textBytes: Map<string, number>;
}

/**
 * A table's rows held column by column until they are written. Rows come in as objects (the
 * general path) or value by value into the columns (the known-shape scanner, which so makes no
 * object per row, copies text as bytes, and spares the writer a pass splitting rows into columns).
 */
export class ColumnBatch {
  /** Rows held. */
  length = 0;
  /**
   * The batch before (the same table's), whose rows and text bytes size this one's columns:
   * grown from nothing, each column was copied over five or six times a batch.
   */
  private readonly sizes: BatchSizes | undefined;
  /** Characters of text (and bytes of binaries) held, estimated, for the buffer's text budget. */
  chars = 0;
  private readonly columns = new Map<string, BatchColumn>();
  // the linkage columns, looked up once per batch
  private linkage: { ids: BatchColumn; parentIds: BatchColumn; listIdx: BatchColumn } | undefined;
  private rootColumns: { loadIds: BatchColumn; ids: BatchColumn } | undefined;

  constructor(before?: ColumnBatch) {
    if (before === undefined) return;
    const textBytes = new Map<string, number>();
    for (const [name, column] of before.columns)
      if (column instanceof TextBytes) textBytes.set(name, column.textBytes);
    this.sizes = { rows: before.length, textBytes };
  }

  /** A column, to set at the index of the row being added; a new one is kept as `kind` says. */
  column(name: string, kind: ColumnKind = 'values'): BatchColumn {
    let column = this.columns.get(name);
    if (column === undefined) {
      // a little more than the batch before held: a batch ends at the first item past its size
      const rows = Math.ceil((this.sizes?.rows ?? 0) * 1.125);
      column =
        kind === 'text'
          ? new TextBytes(rows, Math.ceil((this.sizes?.textBytes.get(name) ?? 0) * 1.125))
          : kind === 'numbers'
            ? new NumberColumn(rows)
            : new ValueColumn(this.length);
      this.columns.set(name, column);
    }
    return column;
  }

  /** The columns every nested row sets (its keys as bytes). */
  get nestedLinkage(): NonNullable<ColumnBatch['linkage']> {
    this.linkage ??= {
      ids: this.column(DLT_COLUMNS.id, 'text'),
      parentIds: this.column(DLT_COLUMNS.parentId, 'text'),
      listIdx: this.column(DLT_COLUMNS.listIdx, 'numbers'),
    };
    return this.linkage;
  }

  /** The columns every root row sets (its load id and key, as bytes). */
  get rootLinkage(): NonNullable<ColumnBatch['rootColumns']> {
    this.rootColumns ??= {
      loadIds: this.column(DLT_COLUMNS.loadId, 'text'),
      ids: this.column(DLT_COLUMNS.id, 'text'),
    };
    return this.rootColumns;
  }

  /** Drops the rows from `rows` on (a refused item's), and sets the text count back to `chars`. */
  truncate(rows: number, chars: number): void {
    for (const column of this.columns.values()) column.truncate(rows);
    this.length = rows;
    this.chars = chars;
  }

  /** Adds a row given as an object. */
  addRow(row: NormalizedRow): void {
    const at = this.length++;
    for (const name in row) {
      const value = row[name];
      if (value !== undefined) this.column(name).set(at, value);
    }
  }

  /** A column holding every row (none set: all null). */
  columnOf(name: string): BatchColumn {
    return this.columns.get(name) ?? new ValueColumn(this.length);
  }
}
