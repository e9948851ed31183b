import type { FileFormat } from '../formats/file-writer.js';
import type { FileLimits, WritingOptions, WrittenFile } from '../formats/table-files.js';
import type { QuarantinedRecord } from '../package/quarantine.js';
import type { TableChange } from '../schema/schema-changes.js';
import type { StoredSchema } from '../schema/types.js';
import type { StorageSpec } from '../storage/storage-spec.js';
import type { LineSource } from './normalize-lines.js';

// Messages between the normalize coordinator and its worker threads. Both ends are this module's
// code in one process, so they are typed rather than validated.

/** What a worker needs to write its own data files into the package. */
export interface WorkerSetup {
  storage: StorageSpec;
  prefix: string;
  format: FileFormat;
  limits: FileLimits;
  writing: WritingOptions;
  loadId: string;
  maxIdentifierLength?: number;
}

export type ToWorker =
  /** The coordinator's schema: the base of the next chunks and the columns of committed rows. */
  | { type: 'schema'; version: number; stored: StoredSchema }
  /** Lines `firstLine`… of an extracted file, normalized against schema `version`. */
  | { type: 'chunk'; id: number; version: number; source: LineSource; firstLine: number; data: Uint8Array }
  /** Write (commit) or drop the rows a chunk produced. */
  | { type: 'verdict'; id: number; commit: boolean }
  /** Flush and close every file, and report them. */
  | { type: 'close' };

/** An error as it crosses threads; SourceErrors keep their parts so they can be rebuilt. */
export interface ThreadError {
  message: string;
  /** Where it was thrown in the worker, kept as the rebuilt error's stack. */
  stack?: string;
  source?: { file: string; reason: string; line?: number };
}

/**
 * The lines a chunk opens with that changed no schema, written to the worker's files at once: they
 * come out the same against any later schema, so they stand whatever the verdict on the rest.
 */
export interface WrittenLines {
  lines: number;
  items: number;
  tables: string[];
  quarantined: QuarantinedRecord[];
}

export type FromWorker =
  /** The rest of the chunk, from the first line that changed the schema, waits for a verdict. */
  | {
      type: 'normalized';
      id: number;
      written: WrittenLines;
      items: number;
      tables: string[];
      changes: TableChange[];
      quarantined: QuarantinedRecord[];
    }
  | { type: 'rejected'; id: number; written: WrittenLines; error: ThreadError }
  | { type: 'closed'; files: WrittenFile[] }
  /** Writing failed: the worker is of no further use. */
  | { type: 'broken'; error: ThreadError };
