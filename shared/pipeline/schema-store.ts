import { pipelineKeys } from '../package/layout.js';
import { withDltParts } from '../schema/dlt-schema.js';
import { mergeSchemas } from '../schema/merge.js';
import { emptySchema } from '../schema/schema.js';
import { parseStoredSchema } from '../schema/stored-schema.js';
import type { StoredSchema } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';

const MAX_SWAP_ATTEMPTS = 20;

export async function loadPipelineSchema(
  storage: FileStorage,
  pipeline: string,
  name: string,
): Promise<StoredSchema> {
  const key = pipelineKeys.schema(pipeline, name);
  return schemaOf(await storage.get(key), key, name);
}

/**
 * Folds a package schema into the pipeline schema with compare-and-swap, retrying on conflict.
 * A refreshed package's schema replaces the pipeline's instead.
 */
export async function commitPipelineSchema(
  storage: FileStorage,
  pipeline: string,
  update: StoredSchema,
  { replace = false }: { replace?: boolean } = {},
): Promise<StoredSchema> {
  const key = pipelineKeys.schema(pipeline, update.name);
  for (let attempt = 0; attempt < MAX_SWAP_ATTEMPTS; attempt++) {
    const current = await storage.get(key);
    // a replacing schema needs only the current one's etag, not its content
    const merged = replace ? update : mergeSchemas(schemaOf(current, key, update.name), update);
    if (await storage.putIfMatch(key, JSON.stringify(merged, null, 2), current?.etag)) return merged;
    await new Promise((resolve) => setTimeout(resolve, 10 * (attempt + 1)));
  }
  throw new Error(`schema ${key} changed concurrently ${MAX_SWAP_ATTEMPTS} times; giving up`);
}

/** A stored schema object's content; an empty schema where there is none yet. */
function schemaOf(stored: { body: Buffer } | undefined, key: string, name: string): StoredSchema {
  // a schema stored before Sluice kept dlt's own tables and settings in it gains them here
  return stored === undefined
    ? emptySchema(name)
    : withDltParts(parseStoredSchema(stored.body.toString('utf8'), key));
}
