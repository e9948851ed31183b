import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import type { ResourceInput } from '../../shared/pipeline/extract.js';
import { type RunInfo, run } from '../../shared/pipeline/run.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';

/**
 * A pipeline over a temp folder and a DuckDB file, as `sluice run` builds it. Opened inside a
 * test, whose end closes the database.
 */
export async function localPipeline(dir: string, pipeline = 'test_pipeline', dataset = 'test_data') {
  const storage = new LocalFileStorage(join(dir, 'storage'));
  const destination = await DuckDbDestination.open(join(dir, 'test.duckdb'));
  onTestFinished(() => destination.close());
  return {
    storage,
    destination,
    run: (
      hints: ResourceHints,
      source: Pick<ResourceInput, 'items' | 'files' | 'read'>,
      loadId?: string,
    ): Promise<RunInfo> =>
      run({ storage, pipeline, dataset, destination, resources: [{ hints, ...source }], loadId }),
    query: (sql: string) => destination.client.query(sql),
  };
}
