import { createHash } from 'node:crypto';
import { canonicalJson } from '../util/canonical-json.js';
import type { StoredSchema } from './types.js';

const MAX_PREVIOUS_HASHES = 10;

/**
 * dlt's schema version hash: sha3-256 over the sorted JSON of the schema without its version
 * fields, then over table names (sorted) and their column names in schema order, so that a
 * reordered column changes the hash.
 */
export function schemaVersionHash(schema: StoredSchema): string {
  const { version: _v, version_hash: _h, previous_hashes: _p, ...content } = schema;
  const hash = createHash('sha3-256').update(canonicalJson(content));
  for (const tableName of Object.keys(schema.tables).sort()) {
    hash.update(tableName);
    for (const columnName of Object.keys(schema.tables[tableName]?.columns ?? {})) hash.update(columnName);
  }
  return hash.digest('base64');
}

/** Returns the schema with version and hash bumped when its content changed, else as is. */
export function bumpVersionIfModified(schema: StoredSchema): StoredSchema {
  const hash = schemaVersionHash(schema);
  if (hash === schema.version_hash) return schema;
  const previous =
    schema.version_hash === '' ? schema.previous_hashes : [schema.version_hash, ...schema.previous_hashes];
  return {
    ...schema,
    version: schema.version + 1,
    version_hash: hash,
    previous_hashes: previous.slice(0, MAX_PREVIOUS_HASHES),
  };
}
