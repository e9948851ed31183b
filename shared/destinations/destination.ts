import type { FileFormat } from '../formats/file-writer.js';
import type { Jobs } from '../package/jobs.js';
import type { ColumnSchema, MergeStrategy, ReplaceStrategy, StoredSchema } from '../schema/types.js';

/** What a destination can do; the pipeline reads it to normalize names and pick formats. */
export interface DestinationCapabilities {
  name: string;
  /** Longest table or column name; longer names are shortened by the naming convention. */
  maxIdentifierLength: number;
  preferredFormat: FileFormat;
  supportedFormats: readonly FileFormat[];
  mergeStrategies: readonly MergeStrategy[];
  replaceStrategies: readonly ReplaceStrategy[];
  /** True when a whole package can load in one transaction (DuckDB); false on Databricks. */
  supportsTransactions: boolean;
  /** Why a column cannot be loaded from this file format, or undefined when it can. */
  refusesColumn?(format: FileFormat, column: ColumnSchema): string | undefined;
  /** Parquet files carry time columns as ISO text (`12:30:45.123456`), which it stores as text. */
  timeAsTextInParquet?: boolean;
  /** How dlt names this destination in a pipeline's state. */
  stateNames: StateDestination;
}

/**
 * How dlt names a destination in a pipeline's state: its type and, where files are staged in a
 * bucket first, the staging's (dlt's `filesystem`). dlt taking over the dataset finds its own.
 */
export interface StateDestination {
  type: string;
  staging?: string;
}

/** A normalized package as the load stage hands it to a destination. */
export interface PackageToLoad {
  loadId: string;
  dataset: string;
  schema: StoredSchema;
  jobs: Jobs;
  /** Tables to drop (and their staging copies) before loading: the package refreshes them. */
  dropTables?: readonly string[];
  /**
   * The replace strategy each resource of the package asked for, by resource name. Like dlt's
   * `replace_strategy` setting it belongs to the run, not to the stored schema.
   */
  replaceStrategies?: Readonly<Record<string, ReplaceStrategy>>;
  /** Where the destination reads a staged file from. */
  fileUrl(key: string): string;
}

export interface TableLoadInfo {
  table: string;
  rows: number;
  files: number;
}

export interface LoadOutcome {
  status: 'loaded' | 'already_loaded';
  tables: TableLoadInfo[];
}

export interface Destination {
  readonly capabilities: DestinationCapabilities;
  /** False: the load stage removes the package's staged data files once the load is committed. */
  readonly keepStagedFiles?: boolean;
  /** Loads a package and records it in `_dlt_loads` last; a package found there loads nothing. */
  loadPackage(pkg: PackageToLoad): Promise<LoadOutcome>;
  /**
   * The `state` text of the pipeline's newest committed `_dlt_pipeline_state` row in a dataset,
   * as stored (dlt compresses it); undefined when there is none.
   */
  storedState(dataset: string, pipeline: string): Promise<string | undefined>;
  /** The `schema` text of the newest `_dlt_version` row of a schema in a dataset, as stored. */
  storedSchema(dataset: string, schemaName: string): Promise<string | undefined>;
  datasetExists(dataset: string): Promise<boolean>;
  close(): Promise<void>;
}
