import {
  type ColumnSchema,
  DLT_TABLES,
  type Normalizers,
  type StoredSchema,
  type TableSchema,
} from './types.js';

// What every dlt schema holds besides the data's tables, as dlt 1.26 stores it: its own two
// bookkeeping tables, the hints its relational normalizer gives dlt's columns, and the names of
// its normalizers. A schema without them is one dlt refuses to restore from `_dlt_version`
// ("Schema must contain table _dlt_version"); with them, and with the same tables and columns,
// the version hash is the one dlt computes.

/** One of dlt's bookkeeping tables: never loaded from data (`skip`), its columns in dlt's order. */
function bookkeepingTable(name: string, description: string, columns: ColumnSchema[]): TableSchema {
  return {
    name,
    columns: Object.fromEntries(columns.map((column) => [column.name, column])),
    write_disposition: 'skip',
    resource: name,
    description,
  };
}

/** `_dlt_version`: one row per schema version a dataset was loaded with. */
export const VERSION_TABLE = bookkeepingTable(DLT_TABLES.version, 'Created by DLT. Tracks schema updates', [
  { name: 'version', data_type: 'bigint', nullable: false },
  { name: 'engine_version', data_type: 'bigint', nullable: false },
  { name: 'inserted_at', data_type: 'timestamp', nullable: false },
  { name: 'schema_name', data_type: 'text', nullable: false },
  { name: 'version_hash', data_type: 'text', nullable: false },
  { name: 'schema', data_type: 'text', nullable: false },
]);

/** `_dlt_loads`: one row per loaded package, written last. */
export const LOADS_TABLE = bookkeepingTable(DLT_TABLES.loads, 'Created by DLT. Tracks completed loads', [
  { name: 'load_id', data_type: 'text', nullable: false, precision: 64 },
  { name: 'schema_name', data_type: 'text', nullable: true },
  { name: 'status', data_type: 'bigint', nullable: false },
  { name: 'inserted_at', data_type: 'timestamp', nullable: false },
  { name: 'schema_version_hash', data_type: 'text', nullable: true },
]);

/** The hints dlt's relational normalizer puts into a schema's settings (order kept: it is hashed). */
const DEFAULT_HINTS: Record<string, string[]> = {
  not_null: ['_dlt_id', '_dlt_root_id', '_dlt_parent_id', '_dlt_list_idx', '_dlt_load_id'],
  parent_key: ['_dlt_parent_id'],
  root_key: ['_dlt_root_id'],
  unique: ['_dlt_id'],
  row_key: ['_dlt_id'],
};

export const NORMALIZERS: Normalizers = {
  names: 'snake_case',
  json: { module: 'dlt.common.normalizers.json.relational' },
};

/**
 * The schema with what dlt's schemas always hold added where it is missing: schemas stored by
 * earlier versions of Sluice lack it. Tables, hints and normalizers already there are kept.
 */
export function withDltParts(schema: StoredSchema): StoredSchema {
  const tables = { ...schema.tables };
  for (const table of [VERSION_TABLE, LOADS_TABLE])
    if (!Object.hasOwn(tables, table.name)) tables[table.name] = structuredClone(table);
  return {
    ...schema,
    tables,
    settings: {
      ...schema.settings,
      default_hints: schema.settings.default_hints ?? structuredClone(DEFAULT_HINTS),
    },
    normalizers: schema.normalizers ?? structuredClone(NORMALIZERS),
  };
}

/**
 * Adds root tables to the normalizer config's root key propagation, `{table: {_dlt_id:
 * '_dlt_root_id'}}`: the tables whose nested rows carry their root's key. Entries stay for good.
 */
export function addPropagation(schema: StoredSchema, tables: Record<string, Record<string, string>>): void {
  const normalizers = (schema.normalizers ??= structuredClone(NORMALIZERS));
  const propagation = ((normalizers.json.config ??= {}).propagation ??= {});
  propagation.tables = { ...propagation.tables, ...structuredClone(tables) };
}
