import type { ColumnSchema } from '../../schema/types.js';

/** The columns of dlt's `_dlt_loads`, in dlt's order. */
export const LOADS_COLUMNS: readonly ColumnSchema[] = [
  { name: 'load_id', data_type: 'text', nullable: false },
  { name: 'schema_name', data_type: 'text', nullable: true },
  { name: 'status', data_type: 'bigint', nullable: false },
  { name: 'inserted_at', data_type: 'timestamp', nullable: false },
  { name: 'schema_version_hash', data_type: 'text', nullable: true },
];

/** The columns of dlt's `_dlt_version`. */
export const VERSION_COLUMNS: readonly ColumnSchema[] = [
  { name: 'version', data_type: 'bigint', nullable: false },
  { name: 'engine_version', data_type: 'bigint', nullable: false },
  { name: 'inserted_at', data_type: 'timestamp', nullable: false },
  { name: 'schema_name', data_type: 'text', nullable: false },
  { name: 'version_hash', data_type: 'text', nullable: false },
  { name: 'schema', data_type: 'text', nullable: false },
];
