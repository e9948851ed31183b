import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { ColumnHints } from '../schema/types.js';
import { recordsOf } from '../util/key-order.js';
import { columnReader, declaredColumns } from './arrow-values.js';
import { type ByteRanges, type RangeBlob, rangesAsBlob } from './byte-ranges.js';
import { readCsvRecords } from './csv-records.js';
import { detectFormat, type SourceFormat } from './file-formats.js';
import { decodeSourceStream, openSourceStream } from './file-reader.js';
import { ItemTooLargeError, jsonItemTexts } from './json-item-texts.js';
import { jsonSyntaxError } from './json-syntax.js';
import { LineTooLongError, splitLines } from './lines.js';
import { SourceError } from './source-error.js';

/** How a file is read: where a JSON file's records are, CSV dialect, what to do with bad records. */
export interface ReadOptions {
  /** The array of records at this path of a JSON document (`data.items`). */
  jsonPath?: string;
  /** CSV dialect; `nullValues` are fields read as null (`NULL`, `\\N`), quoted or not. */
  csv?: { delimiter?: string; quote?: string; escape?: string; nullValues?: string[] };
  /** The text formats' encoding when not UTF-8 (`latin1`, `windows-1252`): a label TextDecoder knows. */
  encoding?: string;
  /** Receives the column types a typed source (Parquet) declares, before its first record. */
  onColumns?: (columns: [string, ColumnHints][]) => void;
  /** Receives a malformed record instead of the read failing (quarantine). */
  onBadRecord?: (bad: { line?: number; reason: string; raw: string }) => void;
}

/** One record of a source file: a raw JSON line (JSONL), or a parsed item, with its position. */
export type SourceRecord = { n: number; raw: string } | { n: number; item: unknown };

/** Streams the records of a local file in any supported format. */
export async function* readFileRecords(path: string, options: ReadOptions = {}): AsyncIterable<SourceRecord> {
  const { format, gzip } = detectFormat(path);
  if (format === 'parquet') {
    yield* readParquetRecords(async () => ({ blob: await openAsBlob(path) }), path, options.onColumns);
    return;
  }
  const open = () => openSourceStream(path, gzip, options.encoding);
  yield* readStreamRecords(path, format, await open(), options, open);
}

/** An object to read records from (an S3 drop): its name for formats and errors, and its bytes. */
export interface SourceObject {
  name: string;
  open(): Promise<Readable>;
  /** Random access where the object lies (S3's ranged GETs), for Parquet. */
  ranges?(): Promise<ByteRanges>;
}

/**
 * Streams the records of an object. Parquet needs random access to its footer: it is read by
 * ranges where the object offers them, or else spooled to a temporary file (Lambda's /tmp), read
 * by row groups, and removed.
 */
export async function* readObjectRecords(
  object: SourceObject,
  options: ReadOptions = {},
): AsyncIterable<SourceRecord> {
  const { format, gzip } = detectFormat(object.name);
  if (format !== 'parquet') {
    const open = async () => decodeSourceStream(object.name, await object.open(), gzip, options.encoding);
    yield* readStreamRecords(object.name, format, await open(), options, open);
    return;
  }
  const { ranges } = object;
  if (ranges !== undefined) {
    yield* readParquetRecords(async () => rangesAsBlob(await ranges()), object.name, options.onColumns);
    return;
  }
  const folder = await mkdtemp(join(tmpdir(), 'sluice-object-'));
  try {
    const path = join(folder, 'object.parquet');
    await pipeline(await object.open(), createWriteStream(path));
    yield* readParquetRecords(async () => ({ blob: await openAsBlob(path) }), object.name, options.onColumns);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function* readStreamRecords(
  name: string,
  format: Exclude<SourceFormat, 'parquet'>,
  stream: Readable,
  options: ReadOptions,
  reopen: () => Promise<Readable>,
): AsyncIterable<SourceRecord> {
  try {
    yield* readers[format](stream, name, options, reopen);
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const line = error instanceof LineTooLongError ? error.line : undefined;
    throw new SourceError(name, error instanceof Error ? error.message : String(error), line, {
      cause: error,
    });
  } finally {
    stream.destroy();
  }
}

const readers: Record<
  Exclude<SourceFormat, 'parquet'>,
  (
    s: Readable,
    path: string,
    options: ReadOptions,
    reopen: () => Promise<Readable>,
  ) => AsyncIterable<SourceRecord>
> = {
  jsonl: readJsonlRecords,
  json: readJsonRecords,
  csv: readCsvRecords,
};

async function* readJsonlRecords(stream: Readable): AsyncIterable<SourceRecord> {
  let n = 0;
  for await (const line of splitLines(stream as AsyncIterable<Buffer>)) {
    // a byte order mark (files saved on Windows) opens the file; it is not part of the first item
    yield { n: ++n, raw: n === 1 && line.startsWith('\ufeff') ? line.slice(1) : line };
  }
}

/**
 * A top-level array streams element by element and any other document is one item, documents
 * one after another; with a `jsonPath`, the array at that path of each document streams. Broken
 * JSON is read again to say on which line it breaks.
 */
async function* readJsonRecords(
  stream: Readable,
  path: string,
  options: ReadOptions,
  reopen: () => Promise<Readable>,
): AsyncIterable<SourceRecord> {
  let n = 0;
  try {
    // items pass on as their text, as JSON lines do, checked here so a break is told by line; an
    // item that is whole but not valid JSON (`{"a": tru}`) is set aside when the resource quarantines
    for await (const text of jsonItemTexts(stream as AsyncIterable<Buffer>, options.jsonPath)) {
      n++;
      try {
        JSON.parse(text);
      } catch (error) {
        if (!(error instanceof SyntaxError && options.onBadRecord)) throw error;
        options.onBadRecord({ reason: `record ${n}: invalid JSON: ${error.message}`, raw: text });
        continue;
      }
      yield { n, raw: text };
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (error instanceof ItemTooLargeError) throw new SourceError(path, `record ${n + 1}: ${error.message}`);
    // a second read that fails leaves the first error as it was
    const syntax = await reopen()
      .then(jsonSyntaxError)
      .catch(() => undefined);
    // well-formed JSON failed otherwise: a `jsonPath` that names no array, say
    const reason = syntax === undefined ? (error as Error).message : `invalid JSON: ${syntax.reason}`;
    throw new SourceError(path, reason, syntax?.line, { cause: error });
  }
}

/**
 * Parquet files are read one record batch at a time from a Blob: a local file's, or one over
 * ranges, whose failed reads (`failed`) end the read with their own error. Failing to reach the
 * bytes is not bad input (S3 may be retried): only a file that is not Parquet is refused as such.
 */
async function* readParquetRecords(
  open: () => Promise<{ blob: Blob; failed?: RangeBlob['failed'] }>,
  name: string,
  onColumns: ReadOptions['onColumns'],
): AsyncIterable<SourceRecord> {
  const { blob, failed } = await open();
  const orFailedRead = <T>(reading: Promise<T>): Promise<T> =>
    failed === undefined ? reading : Promise.race([reading, failed]);
  // only the reader's own refusal is bad input; a failed read comes through `failed` as it was
  const opened = parquet.ParquetFile.fromFile(blob).catch((error: unknown) => {
    throw new SourceError(name, `not a readable Parquet file: ${String(error)}`, undefined, { cause: error });
  });
  const file = await orFailedRead(opened);
  const batches = (await orFailedRead(
    file.stream({ batchSize: 10_000 }),
  )) as unknown as AsyncIterable<parquet.RecordBatch>;
  const reader = batches[Symbol.asyncIterator]();
  let n = 0;
  for (;;) {
    const next = await orFailedRead(reader.next());
    if (next.done) break;
    const table = arrow.tableFromIPC(next.value.intoIPCStream());
    const fields = table.schema.fields;
    if (n === 0) onColumns?.(declaredColumns(table.schema));
    // by position: of two fields of one name, the last one's value is kept
    const readers = fields.map((_, j) => columnReader(table.getChildAt(j)!));
    const record = recordsOf(fields.map((field) => field.name));
    for (let i = 0; i < table.numRows; i++) yield { n: ++n, item: record((j) => readers[j]!(i)) };
  }
  file.free();
}
