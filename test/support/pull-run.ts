import { join } from 'node:path';
import {
  type PipelineConfig,
  parseSluiceConfig,
  type SluiceConfigInput,
} from '../../shared/config/pipelines.js';
import type { SecretResolver } from '../../shared/config/secret-values.js';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { extractWithState } from '../../shared/pipeline/extract-with-state.js';
import { load } from '../../shared/pipeline/load.js';
import { normalize } from '../../shared/pipeline/normalize.js';
import { readSourcesState } from '../../shared/pipeline/state.js';
import { planPull } from '../../shared/sources/pull.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { tempDir } from './temp-dir.js';

export type ResourceInputConfig = SluiceConfigInput['pipelines'][number]['resources'][number];

/**
 * A pipeline of pulled resources over a temp folder and a DuckDB file; `run()` is one scheduled
 * run, as the extract, normalize and load stages do it. The caller closes it.
 */
export async function pullPipeline(name: string, resources: ResourceInputConfig[], secrets: SecretResolver) {
  const dir = await tempDir(`sluice-${name}-`);
  const storage = new LocalFileStorage(join(dir, 'storage'));
  const dataset = `${name}_data`;
  const configured = (of: ResourceInputConfig[]) =>
    parseSluiceConfig({ pipelines: [{ name, dataset, resources: of }] }).pipelines[0]! as PipelineConfig;
  const pipeline = configured(resources);
  const destination = await DuckDbDestination.open(join(dir, `${name}.duckdb`));
  return {
    storage,
    /**
     * One scheduled run; `target` replaces the destination (a closed one makes the load fail),
     * `changed` the resources' configuration for this run (a backfill, say).
     */
    async run(target: DuckDbDestination = destination, changed?: ResourceInputConfig[]) {
      const plan = await planPull(
        changed === undefined ? pipeline : configured(changed),
        await readSourcesState(storage, name),
        secrets,
      );
      const extracted = await extractWithState({
        storage,
        pipeline: name,
        dataset,
        resources: plan.resources,
        sources: plan.sources,
        trigger: { kind: 'schedule' },
      });
      await normalize({ storage, pipeline: name, loadId: extracted.loadId, format: 'parquet' });
      await load({ storage, pipeline: name, loadId: extracted.loadId, destination: target });
      return extracted;
    },
    query: (sql: string) => destination.client.query(sql),
    close: () => destination.close(),
  };
}
