import type { FileFormat } from '../formats/file-writer.js';
import {
  type ColumnCheck,
  DEFAULT_FILE_LIMITS,
  type FileLimits,
  TableFileWriters,
  type WrittenFile,
} from '../formats/table-files.js';
import { RelationalNormalizer } from '../normalize/relational.js';
import { applyResourceHints } from '../normalize/resource.js';
import type { Jobs } from '../package/jobs.js';
import { packageKeys, packagePrefix } from '../package/layout.js';
import { hasStage, markStage } from '../package/markers.js';
import { type QuarantinedRecord, QuarantineWriter } from '../package/quarantine.js';
import { emptySchema, Schema } from '../schema/schema.js';
import { lineBounds, wholeLines } from '../sources/lines.js';
import type { FileStorage } from '../storage/file-storage.js';
import { LocalFileStorage } from '../storage/local-storage.js';
import type { StorageSpec } from '../storage/storage-spec.js';
import { gunzipped } from '../util/gunzip.js';
import { own } from '../util/own.js';
import { tuneV8ForNormalize } from '../util/v8-tuning.js';
import { type LineSource, normalizeLineBytes } from './normalize-lines.js';
import {
  canNormalizeInWorkers,
  DEFAULT_PARALLEL_TUNING,
  type NormalizeWork,
  normalizeInWorkers,
  type ParallelTuning,
  type WorkersUsed,
} from './normalize-parallel.js';
import { readJobs, readManifest } from './package-io.js';
import { commitPipelineSchema, loadPipelineSchema } from './schema-store.js';

export interface NormalizeOptions {
  storage: FileStorage;
  pipeline: string;
  loadId: string;
  format: FileFormat;
  /** The destination's identifier limit; longer names are shortened. */
  maxIdentifierLength?: number;
  limits?: FileLimits;
  /** Refuses data types the destination cannot load from this format, before anything is staged. */
  checkColumn?: ColumnCheck;
  /** Time columns go into Parquet as text (a destination that cannot read Parquet's TIME). */
  timeAsText?: boolean;
  onProgress?: (items: number) => void;
  /** Worker threads for large packages (default 1: normalize in this thread). */
  workers?: number;
  /** How workers open `storage`; a local folder needs no saying, an S3 prefix does. */
  workerStorage?: StorageSpec;
  parallel?: Partial<ParallelTuning>;
}

export interface NormalizeResult {
  jobs: Jobs;
  items: number;
  skipped: boolean;
  /** Set when worker threads did the work. */
  workers?: WorkersUsed;
}

/**
 * Normalizes an extracted package: streams each extracted file line by line through the
 * relational normalizer into data files per table, then writes the package schema and
 * jobs.json, folds the schema into the pipeline's, and marks the package normalized.
 */
export async function normalize(options: NormalizeOptions): Promise<NormalizeResult> {
  const { storage, pipeline, loadId } = options;
  const pkg = packagePrefix(pipeline, loadId);
  if (await hasStage(storage, pkg, 'normalized'))
    return { jobs: await readJobs(storage, pkg), items: 0, skipped: true };
  const manifest = await readManifest(storage, pkg);
  // far fewer full GCs and TurboFan compiles (v8-tuning.ts has the figures)
  tuneV8ForNormalize();
  // a refreshed package infers its tables anew, as if the pipeline had never run
  const base =
    manifest.refresh === undefined
      ? await loadPipelineSchema(storage, pipeline, manifest.schemaName)
      : emptySchema(manifest.schemaName);
  const schema = new Schema(base, options.maxIdentifierLength);
  const tables = new Map(manifest.resources.map((hints) => [hints.name, applyResourceHints(schema, hints)]));
  const quarantines = new Set(
    manifest.resources.filter((hints) => hints.onBadRecord === 'quarantine').map((hints) => hints.name),
  );
  const sources = manifest.files.map((file): LineSource => {
    const table = tables.get(file.resource);
    if (table === undefined)
      throw new Error(`manifest of ${pkg} has a file for unknown resource ${file.resource}`);
    return { file, table, quarantining: quarantines.has(file.resource) };
  });
  const quarantine = new QuarantineWriter(storage, packageKeys.quarantine(pkg, 'normalize', 0));
  const work: NormalizeWork = {
    storage,
    workerStorage:
      options.workerStorage ??
      (storage instanceof LocalFileStorage ? { kind: 'local', root: storage.root } : undefined),
    schema,
    sources,
    loadId,
    prefix: packageKeys.normalizedPrefix(pkg),
    format: options.format,
    limits: options.limits ?? DEFAULT_FILE_LIMITS,
    writing: { timeAsText: options.timeAsText ?? false },
    checkColumn: options.checkColumn,
    quarantine,
    onProgress: options.onProgress,
  };
  const tuning = { ...DEFAULT_PARALLEL_TUNING, ...options.parallel };
  const workers = options.workers ?? 1;
  const { written, items, ...used } = canNormalizeInWorkers(work, workers, tuning)
    ? await normalizeInWorkers(work, workers, tuning)
    : await normalizeInThread(work);
  const quarantined = [
    ...(manifest.quarantine ?? []),
    ...[await quarantine.close()].filter((q) => q !== undefined),
  ];
  for (const file of written) if (file.rows > 0) schema.markSeenData(file.table);
  schema.dropPlaceholders();
  const stored = schema.toStored();
  // a replaced table whose resource brought nothing is emptied by the load, as dlt empties it
  const replaced = [...new Set(tables.values())].filter(
    (name) => own(stored.tables, name)?.write_disposition === 'replace',
  );
  const jobs = {
    ...jobsOf(written, options.format, stored.version_hash, replaced),
    ...(quarantined.length > 0 && { quarantine: quarantined }),
  };
  await storage.put(packageKeys.schema(pkg), JSON.stringify(stored, null, 2));
  await storage.put(packageKeys.jobs(pkg), JSON.stringify(jobs, null, 2));
  await commitPipelineSchema(storage, pipeline, stored, { replace: manifest.refresh !== undefined });
  await markStage(storage, pkg, 'normalized');
  return { jobs, items, skipped: false, ...used };
}

async function normalizeInThread(
  work: NormalizeWork,
): Promise<{ written: WrittenFile[]; items: number; workers?: WorkersUsed }> {
  const writers = new TableFileWriters(
    work.storage,
    work.prefix,
    work.format,
    work.limits,
    work.checkColumn,
    work.writing,
  );
  const normalizer = new RelationalNormalizer(work.schema, writers, work.loadId);
  let items = 0;
  for (const source of work.sources) {
    const stream = gunzipped(await work.storage.getStream(source.file.key));
    let n = 0;
    const quarantine = (record: QuarantinedRecord) => work.quarantine.add(record);
    for await (const bytes of wholeLines(stream)) {
      const bounds = lineBounds(bytes);
      for (let i = 0; i < bounds.length; i += 2) {
        if (!normalizeLineBytes(normalizer, source, bytes, bounds[i]!, bounds[i + 1]!, ++n, quarantine))
          continue;
        items++;
        if (writers.needsFlush) {
          await writers.flush();
          work.onProgress?.(items);
        }
      }
    }
  }
  return { written: await writers.close(), items };
}

/** The files of each table; a replaced table without any gets an entry with none (an empty job). */
function jobsOf(
  written: WrittenFile[],
  format: FileFormat,
  schemaVersionHash: string,
  replaced: readonly string[],
): Jobs {
  const tables: Jobs['tables'] = {};
  for (const file of written) {
    const entry = own(tables, file.table) ?? (tables[file.table] = { files: [], rows: 0 });
    entry.files.push({ key: file.key, rows: file.rows, bytes: file.bytes });
    entry.rows += file.rows;
  }
  for (const name of replaced) if (own(tables, name) === undefined) tables[name] = { files: [], rows: 0 };
  return { format, schemaVersionHash, tables };
}
