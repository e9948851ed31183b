import type { Destination, LoadOutcome } from '../destinations/destination.js';
import type { Jobs } from '../package/jobs.js';
import { packagePrefix } from '../package/layout.js';
import { hasStage, markStage } from '../package/markers.js';
import type { FileStorage } from '../storage/file-storage.js';
import { readJobs, readManifest, readPackageSchema } from './package-io.js';
import { commitState, pipelineStateSchema } from './state.js';

export interface LoadOptions {
  storage: FileStorage;
  pipeline: string;
  loadId: string;
  destination: Destination;
}

/**
 * Loads a normalized package. The destination's `_dlt_loads` row is the commit marker; the
 * `loaded` stage marker only saves work on redelivery, it is never what decides.
 */
export async function load(options: LoadOptions): Promise<LoadOutcome & { jobs?: Jobs }> {
  const { storage, pipeline, loadId, destination } = options;
  const pkg = packagePrefix(pipeline, loadId);
  if (await hasStage(storage, pkg, 'loaded')) return { status: 'already_loaded', tables: [] };
  const [manifest, schema, jobs] = await Promise.all([
    readManifest(storage, pkg),
    readPackageSchema(storage, pkg),
    readJobs(storage, pkg),
  ]);
  const outcome = await destination.loadPackage({
    loadId,
    dataset: manifest.dataset,
    schema,
    jobs,
    ...(manifest.refresh && { dropTables: manifest.refresh.dropTables }),
    replaceStrategies: Object.fromEntries(
      manifest.resources.flatMap(({ name, replaceStrategy }) =>
        replaceStrategy === undefined ? [] : [[name, replaceStrategy]],
      ),
    ),
    fileUrl: (key) => storage.url(key),
  });
  await markStage(storage, pkg, 'loaded', { status: outcome.status });
  // the state (and so any cursor in it) moves on only once its package is loaded
  if (manifest.state !== undefined)
    await commitState(storage, pipeline, pipelineStateSchema.parse(manifest.state));
  // only after the commit: a retry before it must still find every file
  if (destination.keepStagedFiles === false) {
    await storage.delete(Object.values(jobs.tables).flatMap((table) => table.files.map((file) => file.key)));
  }
  return { ...outcome, jobs };
}
