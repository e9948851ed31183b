import { Worker } from 'node:worker_threads';
import type { FileFormat } from '../formats/file-writer.js';
import {
  type ColumnCheck,
  completeColumns,
  type FileLimits,
  refuseUnloadable,
  type WritingOptions,
  type WrittenFile,
} from '../formats/table-files.js';
import type { QuarantineWriter } from '../package/quarantine.js';
import type { Schema } from '../schema/schema.js';
import { applyChanges, changesApply } from '../schema/schema-changes.js';
import type { StoredSchema } from '../schema/types.js';
import { SourceError } from '../sources/source-error.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { StorageSpec } from '../storage/storage-spec.js';
import { gunzipped } from '../util/gunzip.js';
import type { LineSource } from './normalize-lines.js';
import type { FromWorker, ThreadError, ToWorker, WorkerSetup } from './normalize-protocol.js';
import { FROM_SOURCE, normalizeWorkerEntry, type WorkerEntry } from './normalize-worker-entry.js';

/** Everything normalize hands to either the in-thread loop or the workers. */
export interface NormalizeWork {
  storage: FileStorage;
  /** How worker threads open `storage`; without it, normalize stays in one thread. */
  workerStorage: StorageSpec | undefined;
  /** The package's schema, resource hints applied; grows as data arrives. */
  schema: Schema;
  sources: LineSource[];
  loadId: string;
  prefix: string;
  format: FileFormat;
  limits: FileLimits;
  writing: WritingOptions;
  checkColumn: ColumnCheck | undefined;
  quarantine: QuarantineWriter;
  onProgress: ((items: number) => void) | undefined;
}

export interface ParallelTuning {
  /** Below this many extracted items, starting workers costs more than it saves. */
  minItems: number;
  /** Bytes of JSONL per chunk handed to a worker. */
  chunkBytes: number;
}

// Since items of a known shape are read from their bytes (one thread got about a third faster),
// two workers in a bundle (Lambda) tie one thread at 200k items (medians, 2 cores: 0.96 vs 1.28 s
// at 50k, 1.54 vs 1.81 s at 100k, 2.66 vs 2.67 s at 200k; `npm run bench` prints these; before,
// they tied at 50k-100k). Measured again after rows went into columns (both sides faster): 0.92 vs
// 1.33 s at 50k, 1.38 vs 1.82 s at 100k, 2.53 vs 2.55 s at 200k, the same break-even. From the
// TypeScript sources (the CLI, the tests) the worker is first bundled (about 0.2 s), so two
// workers overtake one thread later: they tied at 250k items once bundled workers started without
// tsx (medians of 3: 3.12 vs 3.07 s at 250k, 5.23 vs 4.81 s at 500k; before, 3.36 vs 3.54 s at
// 250k and 5.8-5.9 vs 6.4-6.6 s at 500k). Since batches hold up to 24,000 rows, one thread is
// about 5% faster and two workers no faster, so the break-even moved to 300k in a bundle (medians
// of 3: 1.88 vs 2.03 s at 200k, 2.01 vs 2.11 s at 250k, 2.34 vs 2.31 s at 300k, 2.68 vs 2.57 s at
// 400k; again 1.63 vs 1.75, 2.13 vs 2.12 and 2.67 vs 2.45 s at 200k, 300k and 400k); from the
// sources it is taken to move by the same 100k, unmeasured.
export const DEFAULT_PARALLEL_TUNING: ParallelTuning = {
  minItems: FROM_SOURCE ? 350_000 : 300_000,
  chunkBytes: 2 * 1024 * 1024,
};

/**
 * Workers need storage they can open themselves and tables whose contracts all evolve: freeze
 * and discard decide row by row against the schema as it grows, so those packages stay in one
 * thread.
 */
export function canNormalizeInWorkers(work: NormalizeWork, workers: number, tuning: ParallelTuning): boolean {
  if (workers < 2 || work.workerStorage === undefined) return false;
  const items = work.sources.reduce((n, { file }) => n + file.items, 0);
  if (items < tuning.minItems) return false;
  return work.sources.every(({ table }) => {
    if (work.schema.isDiscarded(table)) return false;
    const contract = work.schema.contract(table);
    return contract.tables === 'evolve' && contract.columns === 'evolve' && contract.data_type === 'evolve';
  });
}

/** How a package was split across workers: chunks sent, and chunks normalized again in order. */
export interface WorkersUsed {
  count: number;
  chunks: number;
  reruns: number;
}

interface Chunk {
  source: LineSource;
  firstLine: number;
  data: Buffer;
}

interface InFlight {
  id: number;
  chunk: Chunk;
  worker: WorkerHandle;
  /** The schema version the chunk was normalized against. */
  version: number;
  result: Promise<FromWorker>;
}

/**
 * Normalizes in worker threads with the same result as one thread. Chunks of lines go out in
 * parallel against the schema known at the time; their schema changes are then folded in, in
 * file order. The lines a chunk opens with that change no schema are written at once and stand.
 * A chunk whose changes clash with what earlier chunks added since (or that failed against an
 * older schema) is normalized again from its first line that changed the schema (or failed),
 * against the schema it would have seen in order, so types, variant columns and errors come out
 * as a single pass makes them.
 */
export async function normalizeInWorkers(
  work: NormalizeWork,
  count: number,
  tuning: ParallelTuning,
): Promise<{ written: WrittenFile[]; items: number; workers: WorkersUsed }> {
  if (work.workerStorage === undefined) throw new Error('normalize workers need a storage they can open');
  const setup: WorkerSetup = {
    storage: work.workerStorage,
    prefix: work.prefix,
    format: work.format,
    limits: work.limits,
    writing: work.writing,
    loadId: work.loadId,
    maxIdentifierLength: work.schema.naming.maxLength,
  };
  const entry = await normalizeWorkerEntry();
  const pool = Array.from({ length: count }, () => new WorkerHandle(entry, setup));
  const schema = work.schema;
  let version = 0;
  let stored: StoredSchema = schema.toStored();
  let nextId = 0;
  let items = 0;
  let reruns = 0;
  const checked = new Set<string>();

  const sync = (worker: WorkerHandle) => {
    if (worker.version === version) return;
    worker.send({ type: 'schema', version, stored });
    worker.version = version;
  };
  const dispatch = (worker: WorkerHandle, chunk: Chunk): InFlight => {
    sync(worker);
    const id = nextId++;
    const result = worker.result(id);
    worker.send({
      type: 'chunk',
      id,
      version,
      source: chunk.source,
      firstLine: chunk.firstLine,
      data: chunk.data,
    });
    worker.outstanding++;
    return { id, chunk, worker, version, result };
  };
  const checkColumns = (tables: readonly string[]) => {
    for (const name of tables) {
      const table = schema.table(name);
      for (const column of table === undefined ? [] : completeColumns(table)) {
        const key = `${name}\u0000${column.name}\u0000${column.data_type}`;
        if (checked.has(key)) continue;
        checked.add(key);
        refuseUnloadable(work.checkColumn, work.format, name, column);
      }
    }
  };
  const settle = async (first: InFlight): Promise<void> => {
    let entry = first;
    for (;;) {
      const outcome = await entry.result;
      entry.worker.outstanding--;
      if (outcome.type !== 'normalized' && outcome.type !== 'rejected')
        throw new Error(`unexpected ${outcome.type} from a normalize worker`);
      // the lines the worker wrote at once changed no schema: they stand whatever follows
      const { written } = outcome;
      checkColumns(written.tables);
      for (const record of written.quarantined) work.quarantine.add(record);
      items += written.items;
      const inOrder = entry.version === version;
      if (outcome.type === 'normalized' && (inOrder || changesApply(schema, outcome.changes))) {
        if (outcome.changes.length > 0) {
          applyChanges(schema, outcome.changes);
          version++;
          stored = schema.toStored();
        }
        checkColumns(outcome.tables);
        sync(entry.worker);
        entry.worker.send({ type: 'verdict', id: entry.id, commit: true });
        for (const record of outcome.quarantined) work.quarantine.add(record);
        items += outcome.items;
        work.onProgress?.(items);
        return;
      }
      if (outcome.type === 'rejected' && inOrder) throw rebuiltError(outcome.error);
      if (outcome.type === 'normalized') entry.worker.send({ type: 'verdict', id: entry.id, commit: false });
      entry = dispatch(entry.worker, linesFrom(entry.chunk, written.lines));
      reruns++;
    }
  };

  try {
    const inFlight: InFlight[] = [];
    for (const source of work.sources) {
      let firstLine = 1;
      const stream = gunzipped(await work.storage.getStream(source.file.key));
      for await (const piece of lineChunks(stream, tuning.chunkBytes)) {
        // two chunks per worker: one being normalized, one waiting, so no worker idles on a verdict
        while (inFlight.length >= count * 2) await settle(inFlight.shift()!);
        const worker = pool.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
        inFlight.push(dispatch(worker, { source, firstLine, data: piece.data }));
        firstLine += piece.lines;
      }
    }
    while (inFlight.length > 0) await settle(inFlight.shift()!);
    const files = await Promise.all(
      pool.map((worker) => {
        sync(worker);
        return worker.close();
      }),
    );
    return { written: files.flat(), items, workers: { count, chunks: nextId - reruns, reruns } };
  } finally {
    await Promise.all(pool.map((worker) => worker.terminate()));
  }
}

/** Cuts a byte stream into pieces of whole lines of about `size` bytes, counting their lines. */
export async function* lineChunks(
  stream: AsyncIterable<Buffer>,
  size: number,
): AsyncIterable<{ data: Buffer; lines: number }> {
  let parts: Buffer[] = [];
  let length = 0;
  // set when what is held has no line end past `size`: wait for a part that brings one
  let inLongLine = false;
  for await (const part of stream) {
    parts.push(part);
    length += part.length;
    if (length < size || (inLongLine && part.indexOf(10) === -1)) continue;
    // joined once per piece: appending each part to a growing buffer would copy it over and over
    const buffer = Buffer.concat(parts, length);
    let start = 0;
    while (length - start >= size) {
      // the last line end within `size`, or else the first one after it (a line longer than size)
      let end = buffer.lastIndexOf(10, start + size - 1) + 1;
      if (end <= start) end = buffer.indexOf(10, start + size) + 1;
      if (end === 0) break;
      const data = buffer.subarray(start, end);
      yield { data, lines: countLines(data) };
      start = end;
    }
    parts = start < length ? [buffer.subarray(start)] : [];
    length -= start;
    inLongLine = length >= size;
  }
  if (length > 0) {
    const rest = Buffer.concat(parts, length);
    yield { data: rest, lines: countLines(rest) + (rest.at(-1) === 10 ? 0 : 1) };
  }
}

/** The chunk from its line `skip` on (counted from 0). */
function linesFrom(chunk: Chunk, skip: number): Chunk {
  let start = 0;
  for (let i = 0; i < skip; i++) start = chunk.data.indexOf(10, start) + 1;
  return { source: chunk.source, firstLine: chunk.firstLine + skip, data: chunk.data.subarray(start) };
}

function countLines(data: Buffer): number {
  let lines = 0;
  for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  return lines;
}

function rebuiltError(error: ThreadError): Error {
  if (error.source !== undefined)
    return new SourceError(error.source.file, error.source.reason, error.source.line);
  const rebuilt = new Error(error.message);
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}

/** A worker thread with one pending promise per chunk it was sent. */
class WorkerHandle {
  /** The schema version this worker holds (-1: none yet). */
  version = -1;
  outstanding = 0;
  private readonly worker: Worker;
  private readonly waiting = new Map<
    number,
    { resolve: (m: FromWorker) => void; reject: (e: Error) => void }
  >();
  private closing: { resolve: (files: WrittenFile[]) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(entry: WorkerEntry, setup: WorkerSetup) {
    // A bundle starts without the parent's Node options: under tsx (the CLI, the tests) they load
    // tsx into the worker, whose loader parsed the whole bundle again (about 0.3 s of each worker
    // in profiles; two workers took 8.5-8.6 s for 1M orders instead of 8.8-9.0)
    this.worker = new Worker(entry.url, {
      workerData: { sluiceNormalize: setup },
      ...(entry.bundled && { execArgv: [] }),
    });
    this.worker.on('message', (message: FromWorker) => this.receive(message));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`normalize worker exited with code ${code}`)));
  }

  send(message: ToWorker): void {
    this.worker.postMessage(message);
  }

  result(id: number): Promise<FromWorker> {
    const promise = new Promise<FromWorker>((resolve, reject) => {
      if (this.failure !== undefined) reject(this.failure);
      else this.waiting.set(id, { resolve, reject });
    });
    // awaited in order; one that is never awaited after a failure must not go unhandled
    promise.catch(() => undefined);
    return promise;
  }

  close(): Promise<WrittenFile[]> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.closing = { resolve, reject };
      this.send({ type: 'close' });
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private receive(message: FromWorker): void {
    if (message.type === 'closed') {
      this.closing?.resolve(message.files);
    } else if (message.type === 'broken') {
      this.fail(rebuiltError(message.error));
    } else {
      this.waiting.get(message.id)?.resolve(message);
      this.waiting.delete(message.id);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const { reject } of this.waiting.values()) reject(this.failure);
    this.waiting.clear();
    this.closing?.reject(this.failure);
    this.closing = undefined;
  }
}
