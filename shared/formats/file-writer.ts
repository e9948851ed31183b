import type { NormalizedRow } from '../normalize/relational.js';
import type { ColumnSchema } from '../schema/types.js';

export const FILE_FORMATS = ['parquet', 'jsonl'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** One open data file of one table; batches of rows go in, the file is complete after close. */
export interface DataFileWriter {
  /** Whether a batch with these columns can go into this file (else the file is rotated). */
  accepts(columns: readonly ColumnSchema[]): boolean;
  writeBatch(rows: readonly NormalizedRow[], columns: readonly ColumnSchema[]): Promise<void>;
  /** Bytes written so far (compressed output). */
  readonly bytesWritten: number;
  /** Bytes of values handed in and held until they are written (Parquet's open row group). */
  readonly heldBytes: number;
  close(): Promise<number>;
}
