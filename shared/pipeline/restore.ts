import { inflateSync } from 'node:zlib';
import type { Destination } from '../destinations/destination.js';
import { pipelineKeys } from '../package/layout.js';
import { withDltParts } from '../schema/dlt-schema.js';
import { parseStoredSchema } from '../schema/stored-schema.js';
import { DLT_TABLES } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { commitPipelineSchema } from './schema-store.js';
import { type PipelineState, pipelineStateSchema, readState } from './state.js';

/** What a run took over from its destination. */
export interface Restored {
  /** The dataset does not exist: the state and schemas kept here were dropped, the pipeline starts over. */
  startedOver?: boolean;
  /** The state version taken, when the dataset's state replaced (or became) the pipeline's. */
  stateVersion?: number;
  schemas: { name: string; version: number }[];
}

/**
 * dlt's sync_destination for a run: the dataset's newest committed state of the pipeline replaces
 * the one kept here when there is none here or the dataset's is at least as new and differs (the
 * pipeline ran elsewhere: on another machine, from another working folder, or as dlt itself), and
 * then brings every schema it names with it. Otherwise only the schemas the state names that are
 * missing here are fetched. So a pipeline moved to a new working folder keeps its cursors, its
 * schema version and its column order, as a dlt pipeline does on a new machine. And as dlt does,
 * a pipeline whose dataset does not exist (dropped, a new DuckDB file, another dataset name)
 * starts over: its state and schemas kept here are dropped, so the dataset is loaded from the
 * sources' initial values with a schema inferred anew, not only with what came after the cursors.
 */
export async function restoreFromDestination(options: {
  storage: FileStorage;
  pipeline: string;
  dataset: string;
  destination: Destination;
}): Promise<Restored> {
  const { storage, pipeline, dataset, destination } = options;
  const { state: local, etag } = await readState(storage, pipeline);
  const stateText = await destination.storedState(dataset, pipeline);
  const remote =
    stateText === undefined
      ? undefined
      : parseRemoteState(stateText, `${dataset}.${DLT_TABLES.pipelineState} (pipeline ${pipeline})`);
  if (local !== undefined && remote === undefined && !(await destination.datasetExists(dataset))) {
    await forget(storage, pipeline);
    return { startedOver: true, schemas: [] };
  }
  const takeRemote =
    remote !== undefined &&
    (local === undefined ||
      (remote._state_version >= local._state_version && remote._version_hash !== local._version_hash));
  const restored: Restored = { schemas: [] };
  const names = takeRemote ? remote.schema_names : (local?.schema_names ?? []);
  // the schemas before the state: a state taken marks the restore done, so one cut short is redone
  for (const name of names) {
    if (!takeRemote && (await storage.get(pipelineKeys.schema(pipeline, name))) !== undefined) continue;
    const text = await destination.storedSchema(dataset, name);
    if (text === undefined) continue;
    const schema = withDltParts(
      parseStoredSchema(decodeStored(text), `${dataset}.${DLT_TABLES.version} (schema ${name})`),
    );
    await commitPipelineSchema(storage, pipeline, schema, { replace: true });
    restored.schemas.push({ name, version: schema.version });
  }
  if (takeRemote) {
    // the dataset named here wins over the one the other run used, as in dlt
    const state: PipelineState = { ...remote, dataset_name: dataset };
    if (await storage.putIfMatch(pipelineKeys.state(pipeline), JSON.stringify(state, null, 2), etag)) {
      restored.stateVersion = state._state_version;
    } else {
      // a run beside this one restored or loaded meanwhile; fine if it left a state as new
      const now = (await readState(storage, pipeline)).state;
      if (now === undefined || now._state_version < state._state_version)
        throw new Error(`the state of pipeline ${pipeline} changed while it was being restored; run again`);
    }
  }
  return restored;
}

/** Drops the pipeline's state and schemas (its packages stay, for the record). */
async function forget(storage: FileStorage, pipeline: string): Promise<void> {
  const schemas = await storage.list(pipelineKeys.schemas(pipeline));
  await storage.delete([pipelineKeys.state(pipeline), ...schemas.map(({ key }) => key)]);
}

/** A state as dlt stores it: base64 of zlib of JSON (or plain JSON), with dlt's typed values. */
function parseRemoteState(text: string, where: string): PipelineState {
  let content: unknown;
  try {
    content = JSON.parse(decodeStored(text));
  } catch (error) {
    throw new Error(`cannot read the pipeline state in ${where}: ${(error as Error).message}`);
  }
  const parsed = pipelineStateSchema.safeParse(untyped(content));
  if (!parsed.success)
    throw new Error(`the pipeline state in ${where} is not valid: ${parsed.error.message}`);
  return parsed.data;
}

/** Text stored as dlt stores long or compressed documents: JSON as is, or base64 of zlib. */
function decodeStored(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return text;
  return inflateSync(Buffer.from(trimmed, 'base64')).toString('utf8');
}

// dlt's typed JSON marks dates, decimals and bytes with a private-use character before their text
// (U+F026 decimal, U+F027 datetime, U+F028 date, ... U+F02D time): the text after it is the value.
const TYPED_MARKER = /^[\uF026-\uF02D]/;

function untyped(value: unknown): unknown {
  if (typeof value === 'string') return TYPED_MARKER.test(value) ? value.slice(1) : value;
  if (Array.isArray(value)) return value.map(untyped);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, untyped(v)]));
  return value;
}
