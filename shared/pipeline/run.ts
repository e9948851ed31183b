import type { Destination, LoadOutcome } from '../destinations/destination.js';
import type { FileFormat } from '../formats/file-writer.js';
import type { FileLimits } from '../formats/table-files.js';
import { packagePrefix } from '../package/layout.js';
import { markStage } from '../package/markers.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { StorageSpec } from '../storage/storage-spec.js';
import { dataItems, type ResourceInput } from './extract.js';
import { extractWithState } from './extract-with-state.js';
import { load } from './load.js';
import { type NormalizeResult, normalize } from './normalize.js';
import { readManifest } from './package-io.js';

export interface RunOptions {
  storage: FileStorage;
  pipeline: string;
  dataset: string;
  resources: ResourceInput[];
  destination: Destination;
  format?: FileFormat;
  loadId?: string;
  limits?: FileLimits;
  /** Worker threads for normalizing large packages (default 1), and how they open `storage`. */
  workers?: number;
  workerStorage?: StorageSpec;
  /** The pulled sources' state after extraction (cursors), committed when the package is loaded. */
  sources?: () => Record<string, unknown>;
  trigger?: 'cli' | 'schedule';
  /** dlt's refresh (drop_sources): drop the pipeline's tables, schema and sources' state, then load. */
  refresh?: boolean;
  onStage?: (stage: 'extract' | 'normalize' | 'load', progress: { items?: number }) => void;
}

export interface RunInfo {
  loadId: string;
  items: number;
  jobs: NormalizeResult['jobs'];
  outcome: LoadOutcome;
  seconds: { extract: number; normalize: number; load: number };
}

/** The three stages in-process, exactly as the Lambdas run them one after another. */
export async function run(options: RunOptions): Promise<RunInfo> {
  const { storage, pipeline, destination } = options;
  const format = stagingFormat(options);
  const clock = process.hrtime.bigint;
  const t0 = clock();
  const extracted = await extractWithState({
    storage,
    pipeline,
    dataset: options.dataset,
    resources: options.resources,
    trigger: { kind: options.trigger ?? 'cli' },
    destination: destination.capabilities.stateNames,
    ...(options.sources && { sources: options.sources }),
    loadId: options.loadId,
    ...(options.refresh && { refresh: true }),
    onProgress: (items) => options.onStage?.('extract', { items }),
  });
  const t1 = clock();
  const finished = await normalizeAndLoad(options, extracted.loadId, format);
  return {
    loadId: extracted.loadId,
    items: extracted.items,
    jobs: finished.jobs,
    outcome: finished.outcome,
    seconds: { extract: Number(t1 - t0) / 1e9, ...finished.seconds },
  };
}

/**
 * Normalizes and loads a package that an earlier run extracted and left unloaded (killed
 * half-way), as dlt's run does with pending packages. A stage already done is skipped, and a
 * package the destination committed is not loaded again.
 */
export async function finishPackage(options: FinishOptions, loadId: string): Promise<RunInfo> {
  const format = stagingFormat(options);
  const manifest = await readManifest(options.storage, packagePrefix(options.pipeline, loadId));
  const finished = await normalizeAndLoad(options, loadId, format);
  return {
    loadId,
    items: dataItems(manifest.files),
    jobs: finished.jobs,
    outcome: finished.outcome,
    seconds: { extract: 0, ...finished.seconds },
  };
}

/** What normalize and load take of a run's options. */
export type FinishOptions = Omit<
  RunOptions,
  'resources' | 'dataset' | 'loadId' | 'sources' | 'refresh' | 'trigger'
>;

function stagingFormat({ format, destination }: FinishOptions): FileFormat {
  const chosen = format ?? destination.capabilities.preferredFormat;
  if (!destination.capabilities.supportedFormats.includes(chosen))
    throw new Error(`destination ${destination.capabilities.name} cannot load ${chosen} files`);
  return chosen;
}

async function normalizeAndLoad(
  options: FinishOptions,
  loadId: string,
  format: FileFormat,
): Promise<Pick<RunInfo, 'jobs' | 'outcome'> & { seconds: { normalize: number; load: number } }> {
  const { storage, pipeline, destination } = options;
  const clock = process.hrtime.bigint;
  const t1 = clock();
  const pkg = packagePrefix(pipeline, loadId);
  const normalized = await failOnError(storage, pkg, () =>
    normalize({
      storage,
      pipeline,
      loadId,
      format,
      maxIdentifierLength: destination.capabilities.maxIdentifierLength,
      checkColumn: destination.capabilities.refusesColumn,
      timeAsText: destination.capabilities.timeAsTextInParquet ?? false,
      limits: options.limits,
      ...(options.workers !== undefined && { workers: options.workers }),
      ...(options.workerStorage !== undefined && { workerStorage: options.workerStorage }),
      onProgress: (items) => options.onStage?.('normalize', { items }),
    }),
  );
  const t2 = clock();
  const outcome = await failOnError(storage, pkg, () => load({ storage, pipeline, loadId, destination }));
  const t3 = clock();
  const seconds = (a: bigint, b: bigint) => Number(b - a) / 1e9;
  return { jobs: normalized.jobs, outcome, seconds: { normalize: seconds(t1, t2), load: seconds(t2, t3) } };
}

/** A stage that fails marks its package failed (with the reason) before the error goes on. */
async function failOnError<T>(storage: FileStorage, pkg: string, stage: () => Promise<T>): Promise<T> {
  try {
    return await stage();
  } catch (error) {
    await markStage(storage, pkg, 'failed', {
      error: error instanceof Error ? error.message : String(error),
    }).catch(() => undefined);
    throw error;
  }
}
