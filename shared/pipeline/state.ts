import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { z } from 'zod';
import type { StateDestination } from '../destinations/destination.js';
import { pipelineKeys } from '../package/layout.js';
import { DLT_TABLES } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { canonicalJson } from '../util/canonical-json.js';
import type { ResourceInput } from './extract.js';

/** dlt's PIPELINE_STATE_ENGINE_VERSION. */
const STATE_ENGINE_VERSION = 4;

/**
 * The pipeline state dlt keeps: identity of the pipeline plus per-source areas (incremental
 * cursors). Keys Sluice does not use (dlt's `staging_name`, say) are kept as they are.
 */
export const pipelineStateSchema = z.looseObject({
  _state_version: z.number().int().positive(),
  _state_engine_version: z.number().int(),
  _version_hash: z.string(),
  pipeline_name: z.string(),
  dataset_name: z.string(),
  default_schema_name: z.string(),
  // dlt leaves both out of a state until something fills them
  schema_names: z.array(z.string()).default([]),
  sources: z.record(z.string(), z.unknown()).default({}),
});

export type PipelineState = z.infer<typeof pipelineStateSchema>;

export async function readState(
  storage: FileStorage,
  pipeline: string,
): Promise<{ state?: PipelineState; etag?: string }> {
  const stored = await storage.get(pipelineKeys.state(pipeline));
  if (stored === undefined) return {};
  return { state: pipelineStateSchema.parse(JSON.parse(stored.body.toString('utf8'))), etag: stored.etag };
}

/** The state after this run, or undefined when nothing in it changed (dlt then writes no state row). */
export function nextState(
  current: PipelineState | undefined,
  update: {
    pipeline: string;
    dataset: string;
    schemaName: string;
    destination?: StateDestination;
    sources?: Record<string, unknown>;
  },
): PipelineState | undefined {
  const { _state_version, _state_engine_version, _version_hash, ...kept } = current ?? {};
  const content = {
    ...kept,
    ...(update.destination && destinationKeys(kept, update.destination)),
    pipeline_name: update.pipeline,
    dataset_name: update.dataset,
    default_schema_name: update.schemaName,
    schema_names: [...new Set([...(current?.schema_names ?? []), update.schemaName])].sort(),
    sources: { ...current?.sources, ...update.sources },
  };
  const hash = stateHash(content);
  if (current !== undefined && current._version_hash === hash) return undefined;
  return {
    _state_version: (current?._state_version ?? 0) + 1,
    _state_engine_version: STATE_ENGINE_VERSION,
    _version_hash: hash,
    ...content,
  };
}

/**
 * dlt's destination keys: a name (dlt's configured name, none unless the user gave one) is kept
 * while its type stays the same. A state without staging keeps what dlt wrote, as dlt does.
 */
function destinationKeys(
  kept: Record<string, unknown>,
  destination: StateDestination,
): Record<string, unknown> {
  const nameOf = (typeKey: string, nameKey: string, type: string) => ({
    [typeKey]: type,
    [nameKey]: kept[typeKey] === type ? (kept[nameKey] ?? null) : null,
  });
  return {
    ...nameOf('destination_type', 'destination_name', destination.type),
    ...(destination.staging !== undefined && nameOf('staging_type', 'staging_name', destination.staging)),
  };
}

function stateHash(content: object): string {
  return createHash('sha3-256').update(canonicalJson(content)).digest('base64');
}

/** The `_dlt_pipeline_state` row, extracted into the package like any other resource. */
export function stateResource(state: PipelineState, createdAt: Date): ResourceInput {
  return {
    hints: {
      name: DLT_TABLES.pipelineState,
      writeDisposition: 'append',
      // dlt's state table, hint for hint: the schema then hashes as dlt's does
      fileFormat: 'preferred',
      columns: {
        version: { data_type: 'bigint', nullable: false },
        engine_version: { data_type: 'bigint', nullable: false },
        pipeline_name: { data_type: 'text', nullable: false },
        state: { data_type: 'text', nullable: false },
        created_at: { data_type: 'timestamp', nullable: false },
        version_hash: { data_type: 'text', nullable: true },
        _dlt_load_id: { data_type: 'text', nullable: false, precision: 64 },
      },
    },
    items: [
      {
        version: state._state_version,
        engine_version: state._state_engine_version,
        pipeline_name: state.pipeline_name,
        state: deflateSync(Buffer.from(JSON.stringify(state)), { level: 9 }).toString('base64'),
        created_at: createdAt.toISOString(),
        version_hash: state._version_hash,
      },
    ],
  };
}

/**
 * Commits the state of a loaded package. Only a newer version replaces the stored one, under
 * compare-and-swap, so a package loaded late never rolls cursors back.
 */
export async function commitState(
  storage: FileStorage,
  pipeline: string,
  state: PipelineState,
): Promise<void> {
  for (;;) {
    const { state: stored, etag } = await readState(storage, pipeline);
    if (stored !== undefined && stored._state_version >= state._state_version) return;
    if (await storage.putIfMatch(pipelineKeys.state(pipeline), JSON.stringify(state, null, 2), etag)) return;
  }
}

/** The state areas of a pipeline's sources (where pulls keep their cursors). */
export async function readSourcesState(
  storage: FileStorage,
  pipeline: string,
): Promise<Record<string, unknown>> {
  return (await readState(storage, pipeline)).state?.sources ?? {};
}
