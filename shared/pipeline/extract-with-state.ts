import { type ExtractOptions, type ExtractResult, extract } from './extract.js';
import { nextState, readState, stateResource } from './state.js';

/**
 * Extracts a package that carries the pipeline's next state as its `_dlt_pipeline_state` row and
 * in its manifest; `load()` commits that state once the package is loaded. `sources` is read after
 * the resources are extracted, so a pull can report the cursors it reached.
 */
export async function extractWithState(
  options: Omit<ExtractOptions, 'finalState'> & { sources?: () => Record<string, unknown> },
): Promise<ExtractResult> {
  const { storage, pipeline, dataset } = options;
  const { state: current } = await readState(storage, pipeline);
  const schemaName = options.schemaName ?? pipeline;
  return extract({
    ...options,
    finalState: () => {
      const state = nextState(current, { pipeline, dataset, schemaName, sources: options.sources?.() });
      return state === undefined
        ? undefined
        : { state: { ...state }, resource: stateResource(state, new Date()) };
    },
  });
}
