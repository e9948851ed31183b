/** The data types of dlt's schema. */
export const DATA_TYPES = [
  'text',
  'bigint',
  'double',
  'bool',
  'timestamp',
  'date',
  'time',
  'decimal',
  'binary',
  'json',
  'wei',
] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const WRITE_DISPOSITIONS = ['append', 'replace', 'merge', 'skip'] as const;
export type WriteDisposition = (typeof WRITE_DISPOSITIONS)[number];

export const MERGE_STRATEGIES = ['delete-insert', 'upsert', 'insert-only', 'scd2'] as const;
export type MergeStrategy = (typeof MERGE_STRATEGIES)[number];

export const REPLACE_STRATEGIES = [
  'truncate-and-insert',
  'insert-from-staging',
  'staging-optimized',
] as const;
export type ReplaceStrategy = (typeof REPLACE_STRATEGIES)[number];

export const CONTRACT_MODES = ['evolve', 'freeze', 'discard_row', 'discard_value'] as const;
export type ContractMode = (typeof CONTRACT_MODES)[number];

/** Per-entity contract; a single mode is shorthand for all three. */
export interface SchemaContractSettings {
  tables?: ContractMode;
  columns?: ContractMode;
  data_type?: ContractMode;
}
export type SchemaContract = ContractMode | SchemaContractSettings;

/** A column as dlt stores it in the schema (hints are optional flags). */
export interface ColumnSchema {
  name: string;
  data_type?: DataType;
  nullable?: boolean;
  precision?: number;
  scale?: number;
  timezone?: boolean;
  primary_key?: boolean;
  merge_key?: boolean;
  row_key?: boolean;
  parent_key?: boolean;
  root_key?: boolean;
  unique?: boolean;
  hard_delete?: boolean;
  dedup_sort?: 'asc' | 'desc';
  partition?: boolean;
  cluster?: boolean;
  variant?: boolean;
  description?: string;
  /** scd2 hints, as dlt sets them: the validity columns and the row hash column. */
  'x-valid-from'?: boolean;
  'x-valid-to'?: boolean;
  'x-active-record-timestamp'?: string | null;
  'x-row-version'?: boolean;
}

/** Column hints a user may set on a resource, before names are normalized. */
export type ColumnHints = Omit<ColumnSchema, 'name' | 'variant'>;

export interface TableSchema {
  name: string;
  columns: Record<string, ColumnSchema>;
  parent?: string;
  resource?: string;
  write_disposition?: WriteDisposition;
  schema_contract?: SchemaContract;
  description?: string;
  'x-merge-strategy'?: MergeStrategy;
  'x-replace-strategy'?: ReplaceStrategy;
  /** dlt's normalizer hints: the nesting limit, and whether the table has received rows. */
  'x-normalizer'?: { max_nesting?: number; 'seen-data'?: boolean };
  /** dlt's table file format hint: only its state table carries one ('preferred'). */
  file_format?: 'preferred';
  /** scd2: the validity boundary of every load, instead of the package's time (dlt's hint). */
  'x-boundary-timestamp'?: string;
  /** Table-level destination options (cluster, partition, properties); interpreted by destinations. */
  'x-table-options'?: Record<string, unknown>;
}

export interface StoredSchema {
  name: string;
  version: number;
  version_hash: string;
  previous_hashes: string[];
  engine_version: number;
  tables: Record<string, TableSchema>;
  settings: {
    detections: string[];
    schema_contract?: SchemaContract;
    /** Hints dlt gives every column of a name: its own columns' not_null, row_key, ... */
    default_hints?: Record<string, string[]>;
  };
  normalizers?: Normalizers;
}

/** The naming convention and the JSON normalizer, as dlt names them, with the normalizer's config. */
export interface Normalizers {
  names: string;
  json: {
    module: string;
    /** Root tables whose row key nested rows carry as `_dlt_root_id`: {table: {_dlt_id: '_dlt_root_id'}}. */
    config?: { propagation?: { tables?: Record<string, Record<string, string>> } };
  };
}

/** dlt's decimal precision and scale where a column names neither. */
export const DEFAULT_DECIMAL: readonly [number, number] = [38, 9];

/** The widest decimal the destinations store (Databricks and DuckDB: 38 digits, Parquet's decimal128). */
export const MAX_DECIMAL_PRECISION = 38;

/** dlt's SCHEMA_ENGINE_VERSION. */
export const SCHEMA_ENGINE_VERSION = 11;

export const DLT_COLUMNS = {
  loadId: '_dlt_load_id',
  id: '_dlt_id',
  parentId: '_dlt_parent_id',
  listIdx: '_dlt_list_idx',
  rootId: '_dlt_root_id',
  validFrom: '_dlt_valid_from',
  validTo: '_dlt_valid_to',
} as const;

export const DLT_TABLES = {
  loads: '_dlt_loads',
  version: '_dlt_version',
  pipelineState: '_dlt_pipeline_state',
} as const;

export function isDltName(name: string): boolean {
  return name.startsWith('_dlt');
}
