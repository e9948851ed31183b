import { STSClient } from '@aws-sdk/client-sts';
import type { Destination, LoadOutcome, PackageToLoad } from '../destination.js';
import { SqlLoader } from '../sql/sql-loader.js';
import { type StoredPipelineSource, storedSchemaText, storedStateText } from '../sql/stored-pipeline.js';
import { databricksCapabilities } from './databricks-capabilities.js';
import { DatabricksClient } from './databricks-client.js';
import type { DatabricksConfig } from './databricks-config.js';
import { databricksDialect, literal, quoteIdentifier } from './databricks-dialect.js';
import { assumeReadOnlyRole } from './forward-credentials.js';
import {
  externalLocation,
  forwardedKeys,
  namedCredential,
  type StagingCredentials,
} from './staging-credentials.js';

type CredentialsFor = (pkg: PackageToLoad) => Promise<StagingCredentials>;

/**
 * Databricks on Unity Catalog: COPY INTO from the S3 staging prefix, dlt's statement sequence,
 * `_dlt_loads` written last as the commit marker (Databricks has no multi-statement transactions).
 */
export class DatabricksDestination implements Destination {
  readonly capabilities = databricksCapabilities;

  get keepStagedFiles(): boolean {
    return this.config.keep_staged_files;
  }

  private constructor(
    readonly client: DatabricksClient,
    private readonly config: DatabricksConfig,
    private readonly credentialsFor: CredentialsFor,
  ) {}

  /**
   * Connects. Staging credentials follow the config's mode unless given: `forward` assumes the
   * read-only role for each package (through `sts`); the other modes are fixed clauses.
   */
  static async open(
    config: DatabricksConfig,
    options: { credentials?: StagingCredentials; sts?: STSClient } = {},
  ): Promise<DatabricksDestination> {
    const fixed =
      options.credentials ??
      (config.staging_credentials_mode === 'credential'
        ? namedCredential(config.staging_credentials_name!)
        : config.staging_credentials_mode === 'external_location'
          ? externalLocation
          : undefined);
    const sts = options.sts ?? (fixed === undefined ? new STSClient({}) : undefined);
    const credentialsFor: CredentialsFor = async (pkg) =>
      fixed ??
      forwardedKeys(
        await assumeReadOnlyRole(sts!, {
          roleArn: config.staging_role_arn!,
          folderUrl: packageFolder(pkg),
          durationSeconds: config.staging_credentials_seconds,
          sessionName: `sluice-load-${pkg.loadId}`,
        }),
      );
    return new DatabricksDestination(await DatabricksClient.connect(config), config, credentialsFor);
  }

  /** Each load gets its own dialect: in `forward` mode its keys cover only this package. */
  async loadPackage(pkg: PackageToLoad): Promise<LoadOutcome> {
    const loader = new SqlLoader({
      dialect: databricksDialect(this.config.catalog, await this.credentialsFor(pkg)),
      client: this.client,
      transactions: false,
      stagingLayout: this.config.staging_dataset_name_layout,
      existingColumns: (dataset, tables) => this.existingColumns(dataset, tables),
    });
    return loader.load(pkg);
  }

  storedState(dataset: string, pipeline: string): Promise<string | undefined> {
    return storedStateText(this.reading(), dataset, pipeline);
  }

  storedSchema(dataset: string, schemaName: string): Promise<string | undefined> {
    return storedSchemaText(this.reading(), dataset, schemaName);
  }

  async datasetExists(dataset: string): Promise<boolean> {
    const rows = await this.client.query(
      `SELECT 1 FROM ${quoteIdentifier(this.config.catalog.toLowerCase())}.information_schema.schemata WHERE schema_name = ${literal(dataset)}`,
    );
    return rows.length > 0;
  }

  /** Reading needs names and literals only: no staging credentials are asked for or forwarded. */
  private reading(): StoredPipelineSource {
    return {
      client: this.client,
      dialect: databricksDialect(this.config.catalog, externalLocation),
      existingColumns: (dataset, tables) => this.existingColumns(dataset, tables),
    };
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

/** The folder all of a package's staged files share (its normalized/ prefix). */
function packageFolder(pkg: PackageToLoad): string {
  const urls = Object.values(pkg.jobs.tables).flatMap((t) => t.files.map((f) => pkg.fileUrl(f.key)));
  if (urls.length === 0) return pkg.fileUrl('');
  let folder = urls[0]!.slice(0, urls[0]!.lastIndexOf('/') + 1);
  for (const url of urls)
    while (!url.startsWith(folder)) folder = folder.slice(0, folder.slice(0, -1).lastIndexOf('/') + 1);
  return folder;
}
