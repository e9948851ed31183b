import type { StoredSchema } from '../../schema/types.js';
import { SCHEMA_ENGINE_VERSION } from '../../schema/types.js';
import type { SqlDialect } from './dialect.js';

/** dlt writes `_dlt_version` only when it has no row with this schema's hash. */
export function insertVersionSql(
  dialect: SqlDialect,
  qualified: string,
  schema: StoredSchema,
  now: Date,
): string {
  const values = [
    dialect.literal(schema.version),
    dialect.literal(SCHEMA_ENGINE_VERSION),
    dialect.timestampLiteral(now),
    dialect.literal(schema.name),
    dialect.literal(schema.version_hash),
    dialect.literal(JSON.stringify(schema)),
  ];
  return `INSERT INTO ${qualified} (version, engine_version, inserted_at, schema_name, version_hash, ${dialect.quoteIdentifier('schema')}) VALUES (${values.join(', ')})`;
}

/** The commit marker: written last, once every table of the package is loaded. */
export function insertLoadSql(
  dialect: SqlDialect,
  qualified: string,
  loadId: string,
  schema: StoredSchema,
  now: Date,
): string {
  const values = [
    dialect.literal(loadId),
    dialect.literal(schema.name),
    '0',
    dialect.timestampLiteral(now),
    dialect.literal(schema.version_hash),
  ];
  return `INSERT INTO ${qualified} (load_id, schema_name, status, inserted_at, schema_version_hash) VALUES (${values.join(', ')})`;
}
