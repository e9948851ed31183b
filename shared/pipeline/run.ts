import type { Destination, LoadOutcome } from '../destinations/destination.js';
import type { FileFormat } from '../formats/file-writer.js';
import type { FileLimits } from '../formats/table-files.js';
import { packagePrefix } from '../package/layout.js';
import { markStage } from '../package/markers.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { StorageSpec } from '../storage/storage-spec.js';
import type { ResourceInput } from './extract.js';
import { extractWithState } from './extract-with-state.js';
import { load } from './load.js';
import { type NormalizeResult, normalize } from './normalize.js';

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
  const format = options.format ?? destination.capabilities.preferredFormat;
  if (!destination.capabilities.supportedFormats.includes(format)) {
    throw new Error(`destination ${destination.capabilities.name} cannot load ${format} files`);
  }
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
  const pkg = packagePrefix(pipeline, extracted.loadId);
  const normalized = await failOnError(storage, pkg, () =>
    normalize({
      storage,
      pipeline,
      loadId: extracted.loadId,
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
  const outcome = await failOnError(storage, pkg, () =>
    load({ storage, pipeline, loadId: extracted.loadId, destination }),
  );
  const t3 = clock();
  const seconds = (a: bigint, b: bigint) => Number(b - a) / 1e9;
  return {
    loadId: extracted.loadId,
    items: extracted.items,
    jobs: normalized.jobs,
    outcome,
    seconds: { extract: seconds(t0, t1), normalize: seconds(t1, t2), load: seconds(t2, t3) },
  };
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
