import { createHash } from 'node:crypto';
import type { NormalizedRow, RowSink } from '../normalize/relational.js';
import type { ColumnSchema, TableSchema } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { uniqIdHex } from '../util/digest.js';
import { ColumnBatch } from './column-batch.js';
import type { DataFileWriter, FileFormat } from './file-writer.js';
import { JsonlFileWriter } from './jsonl-writer.js';
import { ParquetFileWriter } from './parquet-writer.js';

export interface FileLimits {
  /**
   * Rows held per table before they are handed to the file writer. Held column by column (see
   * ColumnBatch), larger batches cost less per row: each batch pays for Arrow's IPC and
   * parquet-wasm's reading of it whatever its size. 1M orders in one thread took 0.95 of the time
   * at 24,000 against 6,000 (paired runs; the Parquet part of the profile 300 ms smaller), peaking
   * at 227 MB against 180 MB; with two workers no faster, at 500 MB against 433 MB. The orders
   * table's 13 columns reach the values budget first (23,076 rows). (Held as objects, rows had
   * outlived V8's young generation: GC took 13.5% of the time at 20,000 rows.)
   */
  bufferRows: number;
  /** Values (rows times columns) held per table at most: wide tables flush after fewer rows. */
  bufferCells?: number;
  /**
   * Characters of text (and bytes of binaries) held per table at most, estimated from every 16th
   * row: rows of large documents flush after fewer rows, and a batch's text stays far below
   * V8's longest string (about 512M characters).
   */
  bufferChars?: number;
  /** Rows per Parquet row group; the writer gathers the handed batches into groups of this size. */
  rowGroupRows?: number;
  /** Values per row group at most: parquet-wasm holds a group's pages until the group is full. */
  rowGroupCells?: number;
  /** Rotate to a new file after this many rows (undefined: no limit). */
  fileMaxRows?: number;
  /** Rotate to a new file after this many bytes of output (undefined: no limit). */
  fileMaxBytes?: number;
  /**
   * Rotate to a new Parquet file once its open row group holds this many bytes of values: row
   * groups are sized by a file's first batch, and later rows of larger text could otherwise fill
   * one with gigabytes, which parquet-wasm holds until the group is full.
   */
  fileMaxHeldBytes?: number;
}

const DEFAULT_ROW_GROUP_ROWS = 20_000;

// Tables up to 12 columns get 24,000-row batches, one of 50 columns 6,000, one of 150 columns
// 2,000, and 20,000-row groups; one of 1,500 columns gets 200 and 2,000: a batch never holds more
// than 300,000 values. Normalizing 60k rows of 1,500 columns (2 GB of JSONL) peaked at 2.3 GB
// with row counts alone and at 560 MB with these budgets, in 124 s instead of 132 (files 9%
// larger).
export const DEFAULT_FILE_LIMITS: FileLimits = {
  bufferRows: 24_000,
  bufferCells: 300_000,
  bufferChars: 8_000_000,
  rowGroupRows: DEFAULT_ROW_GROUP_ROWS,
  rowGroupCells: 3_000_000,
  fileMaxHeldBytes: 256 * 1024 * 1024,
};

// every this many rows one is measured for the text budget
const SAMPLE_EVERY = 16;

/** Characters of text and bytes of binaries in a row. */
function rowChars(row: NormalizedRow): number {
  let chars = 0;
  for (const name in row) {
    const value = row[name];
    if (typeof value === 'string') chars += value.length;
    else if (value instanceof Uint8Array) chars += value.byteLength;
  }
  return chars;
}

/** Rows to a batch or group: `rows`, fewer when `cells` spread over `columns` allow fewer. */
function rowsWithin(rows: number, cells: number | undefined, columns: number): number {
  return cells === undefined ? rows : Math.max(1, Math.min(rows, Math.floor(cells / Math.max(1, columns))));
}

/** Refuses a column the destination cannot load from this format (reason), before it is written. */
export type ColumnCheck = (format: FileFormat, column: ColumnSchema) => string | undefined;

/** Raised when a table has a column its destination cannot load from the staging format. */
export class UnloadableColumnError extends Error {
  override name = 'UnloadableColumnError';
}

/** Throws when the destination cannot load this column from this format. */
export function refuseUnloadable(
  check: ColumnCheck | undefined,
  format: FileFormat,
  table: string,
  column: ColumnSchema,
): void {
  const reason = check?.(format, column);
  if (reason !== undefined)
    throw new UnloadableColumnError(`column ${column.name} of table ${table}: ${reason}`);
}

/** How values are written, where a destination reads a type its own way. */
export interface WritingOptions {
  /** Time columns go into Parquet as ISO text (`12:30:45.123456`) instead of TIME. */
  timeAsText: boolean;
}

/** A finished data file of one table. */
export interface WrittenFile {
  table: string;
  key: string;
  format: FileFormat;
  rows: number;
  bytes: number;
}

interface OpenTable {
  table: TableSchema;
  batch: ColumnBatch;
  /** Rows buffered before a flush, for the table's width when it last flushed. */
  flushAt: number;
  /** Its batch was handed out (see `columns`) since its size was last checked. */
  handedOut: boolean;
  file?: { writer: DataFileWriter; key: string; rows: number };
}

/**
 * Routes normalized rows into data files under a prefix, one or more files per table, named
 * `<table>.<file_id>.<ext>`. Rows are buffered per table and written in batches; a file is
 * rotated when its row or byte limit is reached or (Parquet) when the table gained columns.
 */
export class TableFileWriters implements RowSink {
  private readonly open = new Map<string, OpenTable>();
  private readonly pending = new Set<OpenTable>();
  /**
   * Tables whose batches were handed out since their size was last checked: the first
   * `handedOutCount` of the list (emptying an array at each item cost 25 ms a million items).
   */
  private readonly handedOut: OpenTable[] = [];
  private handedOutCount = 0;
  private readonly written: WrittenFile[] = [];

  constructor(
    private readonly storage: FileStorage,
    private readonly prefix: string,
    private readonly format: FileFormat,
    private readonly limits: FileLimits = DEFAULT_FILE_LIMITS,
    private readonly checkColumn?: ColumnCheck,
    private readonly writing: WritingOptions = { timeAsText: false },
  ) {}

  write(table: TableSchema, row: NormalizedRow): void {
    const entry = this.entry(table);
    const batch = entry.batch;
    batch.addRow(row);
    if (batch.length % SAMPLE_EVERY === 1) batch.chars += rowChars(row) * SAMPLE_EVERY;
    if (this.full(entry)) this.pending.add(entry);
  }

  /**
   * The batch rows of this table are added to column by column (see ColumnBatch), counting the
   * text they hold in its `chars`. Its size is checked at the next `needsFlush`.
   */
  columns(table: TableSchema): ColumnBatch {
    const entry = this.entry(table);
    if (!entry.handedOut) {
      entry.handedOut = true;
      this.handedOut[this.handedOutCount++] = entry;
    }
    return entry.batch;
  }

  private entry(table: TableSchema): OpenTable {
    let entry = this.open.get(table.name);
    if (entry === undefined) {
      entry = { table, batch: new ColumnBatch(), flushAt: this.flushAt(table), handedOut: false };
      this.open.set(table.name, entry);
    }
    // the newest definition of the table: a worker's schema is replaced as it grows
    entry.table = table;
    return entry;
  }

  private full(entry: OpenTable): boolean {
    const { length, chars } = entry.batch;
    return (
      length >= entry.flushAt || (this.limits.bufferChars !== undefined && chars >= this.limits.bufferChars)
    );
  }

  /** True when some table's buffer is full; the caller then awaits `flush()`. */
  get needsFlush(): boolean {
    for (let i = 0; i < this.handedOutCount; i++) {
      const entry = this.handedOut[i]!;
      entry.handedOut = false;
      if (this.full(entry)) this.pending.add(entry);
    }
    this.handedOutCount = 0;
    return this.pending.size > 0;
  }

  async flush(): Promise<void> {
    for (const entry of this.pending) await this.writeBuffer(entry);
    this.pending.clear();
  }

  /** Writes what is buffered, closes every file and returns all files written. */
  async close(): Promise<WrittenFile[]> {
    for (const entry of this.open.values()) {
      await this.writeBuffer(entry);
      await this.closeFile(entry);
    }
    this.open.clear();
    return this.written;
  }

  private flushAt(table: TableSchema): number {
    return rowsWithin(this.limits.bufferRows, this.limits.bufferCells, Object.keys(table.columns).length);
  }

  private async writeBuffer(entry: OpenTable): Promise<void> {
    const batch = entry.batch;
    if (batch.length === 0) return;
    entry.batch = new ColumnBatch(batch);
    entry.flushAt = this.flushAt(entry.table);
    const columns = completeColumns(entry.table);
    for (const column of columns) refuseUnloadable(this.checkColumn, this.format, entry.table.name, column);
    if (entry.file !== undefined && (!entry.file.writer.accepts(columns) || this.fileFull(entry.file)))
      await this.closeFile(entry);
    entry.file ??= this.openFile(entry.table.name, columns);
    const values = columns.map((column) => batch.columnOf(column.name));
    await entry.file.writer.writeBatch(columns, values, batch.length);
    entry.file.rows += batch.length;
  }

  private fileFull(file: NonNullable<OpenTable['file']>): boolean {
    const { fileMaxRows, fileMaxBytes, fileMaxHeldBytes } = this.limits;
    return (
      (fileMaxRows !== undefined && file.rows >= fileMaxRows) ||
      (fileMaxBytes !== undefined && file.writer.bytesWritten >= fileMaxBytes) ||
      (fileMaxHeldBytes !== undefined && file.writer.heldBytes >= fileMaxHeldBytes)
    );
  }

  private openFile(table: string, columns: ColumnSchema[]): NonNullable<OpenTable['file']> {
    const key = `${this.prefix}${fileStem(table)}.${uniqIdHex(5)}.${this.format}`;
    const writer =
      this.format === 'parquet'
        ? new ParquetFileWriter(
            columns,
            this.storage,
            key,
            rowsWithin(
              this.limits.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS,
              this.limits.rowGroupCells,
              columns.length,
            ),
            this.writing.timeAsText,
          )
        : new JsonlFileWriter(columns, this.storage, key, false);
    return { writer, key, rows: 0 };
  }

  private async closeFile(entry: OpenTable): Promise<void> {
    const file = entry.file;
    if (file === undefined) return;
    entry.file = undefined;
    const bytes = await file.writer.close();
    this.written.push({
      table: entry.table.name,
      key: file.key,
      format: this.format,
      rows: file.rows,
      bytes,
    });
  }
}

// Bytes of a table's name kept in its files' names: most file systems take 255 bytes a name,
// and deeply nested tables are named longer (DuckDB does not shorten identifiers).
const STEM_BYTES = 160;

/**
 * The start of a data file's name for a table. jobs.json maps tables to files, so names need not
 * parse: a long table name is cut and tagged with a hash of it, to stay distinct. Spark (and so
 * COPY INTO) skips files whose names start with `_` or `.`; dlt prefixes those with "valid" too.
 */
export function fileStem(table: string): string {
  const name = /^[_.]/.test(table) ? `valid${table}` : table;
  if (Buffer.byteLength(name) <= STEM_BYTES) return name;
  // whole characters only, so the cut stays valid UTF-8
  let cut = '';
  let bytes = 0;
  for (const char of name) {
    bytes += Buffer.byteLength(char);
    if (bytes > STEM_BYTES - 11) break;
    cut += char;
  }
  return `${cut}_${createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}

/** Columns with a known type, in schema order; hint-only columns have no data yet. */
export function completeColumns(table: TableSchema): ColumnSchema[] {
  return Object.values(table.columns).filter((c) => c.data_type !== undefined);
}
