import type { StateDestination } from '../destinations/destination.js';
import { pipelineSchemaName } from '../schema/naming.js';
import { isDltName } from '../schema/types.js';
import { type ExtractOptions, type ExtractResult, extract } from './extract.js';
import { loadPipelineSchema } from './schema-store.js';
import { nextState, readState, stateResource } from './state.js';

/**
 * Extracts a package that carries the pipeline's next state as its `_dlt_pipeline_state` row and
 * in its manifest; `load()` commits that state once the package is loaded. `sources` is read after
 * the resources are extracted, so a pull can report the cursors it reached. With `refresh` (dlt's
 * drop_sources) the package drops every table the pipeline has loaded, starts a new schema, and
 * forgets the sources' state (their cursors start over).
 */
export async function extractWithState(
  options: Omit<ExtractOptions, 'finalState' | 'refresh'> & {
    sources?: () => Record<string, unknown>;
    refresh?: boolean;
    /** The destination the package loads into, named in the state as dlt names it. */
    destination?: StateDestination;
  },
): Promise<ExtractResult> {
  const { storage, pipeline, dataset, refresh, destination, ...rest } = options;
  const { state: stored } = await readState(storage, pipeline);
  const current = refresh && stored !== undefined ? { ...stored, sources: {} } : stored;
  // the state names the pipeline's schema: a pipeline taken over from dlt keeps its source's
  // (`rest_api`, say); one Sluice started is named after the pipeline
  const schemaName = options.schemaName ?? stored?.default_schema_name ?? pipelineSchemaName(pipeline);
  const dropTables = refresh
    ? Object.keys((await loadPipelineSchema(storage, pipeline, schemaName)).tables).filter(
        (t) => !isDltName(t),
      )
    : undefined;
  return extract({
    ...rest,
    storage,
    pipeline,
    dataset,
    schemaName,
    ...(dropTables && { refresh: { dropTables } }),
    finalState: () => {
      const state = nextState(current, {
        pipeline,
        dataset,
        schemaName,
        ...(destination && { destination }),
        sources: options.sources?.(),
      });
      return state === undefined
        ? undefined
        : { state: { ...state }, resource: stateResource(state, new Date()) };
    },
  });
}
