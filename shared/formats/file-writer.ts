import type { ColumnSchema } from '../schema/types.js';
import type { BatchColumn } from './column-batch.js';

export const FILE_FORMATS = ['parquet', 'jsonl'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** One open data file of one table; batches of rows go in, the file is complete after close. */
export interface DataFileWriter {
  /** Whether a batch with these columns can go into this file (else the file is rotated). */
  accepts(columns: readonly ColumnSchema[]): boolean;
  /** Writes `rows` rows given column by column: `values[i]` holds the values of `columns[i]`. */
  writeBatch(columns: readonly ColumnSchema[], values: readonly BatchColumn[], rows: number): Promise<void>;
  /** Bytes written so far (compressed output). */
  readonly bytesWritten: number;
  /** Bytes of values handed in and held until they are written (Parquet's open row group). */
  readonly heldBytes: number;
  close(): Promise<number>;
}
