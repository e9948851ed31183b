import type { Destination, DestinationCapabilities, LoadOutcome, PackageToLoad } from '../destination.js';
import { SqlLoader } from '../sql/sql-loader.js';
import { DatabricksClient } from './databricks-client.js';
import type { DatabricksConfig } from './databricks-config.js';
import { databricksDialect, literal, quoteIdentifier } from './databricks-dialect.js';
import { externalLocation, namedCredential, type StagingCredentials } from './staging-credentials.js';

export const databricksCapabilities: DestinationCapabilities = {
  name: 'databricks',
  maxIdentifierLength: 255,
  preferredFormat: 'parquet',
  supportedFormats: ['parquet', 'jsonl'],
  mergeStrategies: ['delete-insert', 'upsert', 'insert-only', 'scd2'],
  replaceStrategies: ['truncate-and-insert', 'insert-from-staging', 'staging-optimized'],
  supportsTransactions: false,
};

/**
 * Databricks on Unity Catalog: COPY INTO from the S3 staging prefix, dlt's statement sequence,
 * `_dlt_loads` written last as the commit marker (Databricks has no multi-statement transactions).
 */
export class DatabricksDestination implements Destination {
  readonly capabilities = databricksCapabilities;
  private readonly loader: SqlLoader;

  private constructor(
    readonly client: DatabricksClient,
    private readonly config: DatabricksConfig,
    credentials: StagingCredentials,
  ) {
    const dialect = databricksDialect(config.catalog, credentials);
    this.loader = new SqlLoader({
      dialect,
      client,
      transactions: false,
      stagingLayout: config.staging_dataset_name_layout,
      existingColumns: (dataset, tables) => this.existingColumns(dataset, tables),
    });
  }

  /** Connects; `forward` mode needs keys per load and arrives with the STS session policy work. */
  static async open(
    config: DatabricksConfig,
    credentials?: StagingCredentials,
  ): Promise<DatabricksDestination> {
    const chosen =
      credentials ??
      (config.staging_credentials_mode === 'credential'
        ? namedCredential(config.staging_credentials_name!)
        : config.staging_credentials_mode === 'external_location'
          ? externalLocation
          : undefined);
    if (chosen === undefined)
      throw new Error("staging_credentials_mode 'forward' needs forwarded keys for each load");
    return new DatabricksDestination(await DatabricksClient.connect(config), config, chosen);
  }

  loadPackage(pkg: PackageToLoad): Promise<LoadOutcome> {
    return this.loader.load(pkg);
  }

  /** Existing columns from information_schema, so tables made outside the loader are migrated. */
  private async existingColumns(
    dataset: string,
    tables: readonly string[],
  ): Promise<Map<string, Set<string>>> {
    const existing = new Map<string, Set<string>>();
    if (tables.length === 0) return existing;
    const rows = await this.client.query(
      `SELECT table_name, column_name FROM ${quoteIdentifier(this.config.catalog.toLowerCase())}.information_schema.columns WHERE table_schema = ${literal(dataset)} AND table_name IN (${tables.map(literal).join(', ')}) ORDER BY table_name, ordinal_position`,
    );
    for (const row of rows) {
      const table = String(row.table_name);
      if (!existing.has(table)) existing.set(table, new Set());
      existing.get(table)!.add(String(row.column_name));
    }
    return existing;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
