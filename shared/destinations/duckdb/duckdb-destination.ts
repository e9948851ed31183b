import type { Destination, DestinationCapabilities, LoadOutcome, PackageToLoad } from '../destination.js';
import { SqlLoader } from '../sql/sql-loader.js';
import { type StoredPipelineSource, storedSchemaText, storedStateText } from '../sql/stored-pipeline.js';
import { DuckDbClient } from './duckdb-client.js';
import { duckdbDialect, literal } from './duckdb-dialect.js';

export const duckdbCapabilities: DestinationCapabilities = {
  name: 'duckdb',
  maxIdentifierLength: 65_536,
  preferredFormat: 'parquet',
  supportedFormats: ['parquet', 'jsonl'],
  mergeStrategies: ['delete-insert', 'upsert', 'insert-only', 'scd2'],
  replaceStrategies: ['truncate-and-insert', 'insert-from-staging', 'staging-optimized'],
  supportsTransactions: true,
  stateNames: { type: 'dlt.destinations.duckdb' },
};

/** The embedded local destination: a DuckDB file, one transaction per package. */
export class DuckDbDestination implements Destination {
  readonly capabilities = duckdbCapabilities;
  private readonly loader: SqlLoader;
  private readonly stored: StoredPipelineSource;

  private constructor(
    readonly client: DuckDbClient,
    /** The database's catalog name, which DuckDB takes from the file name (`shop.duckdb`: `shop`). */
    readonly catalog: string,
  ) {
    const existingColumns = (dataset: string, tables: readonly string[]) =>
      this.existingColumns(dataset, tables);
    const dialect = duckdbDialect(catalog);
    this.loader = new SqlLoader({ dialect, client, transactions: true, existingColumns });
    this.stored = { client, dialect, existingColumns };
  }

  static async open(path: string): Promise<DuckDbDestination> {
    const client = await DuckDbClient.open(path);
    const [row] = await client.query('SELECT current_database() AS catalog');
    return new DuckDbDestination(client, String(row?.catalog));
  }

  loadPackage(pkg: PackageToLoad): Promise<LoadOutcome> {
    return this.loader.load(pkg);
  }

  storedState(dataset: string, pipeline: string): Promise<string | undefined> {
    return storedStateText(this.stored, dataset, pipeline);
  }

  storedSchema(dataset: string, schemaName: string): Promise<string | undefined> {
    return storedSchemaText(this.stored, dataset, schemaName);
  }

  async datasetExists(dataset: string): Promise<boolean> {
    const rows = await this.client.query(
      `SELECT 1 FROM information_schema.schemata WHERE catalog_name = ${literal(this.catalog)} AND schema_name = ${literal(dataset)}`,
    );
    return rows.length > 0;
  }

  private async existingColumns(
    dataset: string,
    tables: readonly string[],
  ): Promise<Map<string, Set<string>>> {
    const rows = await this.client.query(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = ${literal(this.catalog)} AND table_schema = ${literal(dataset)} ORDER BY table_name, ordinal_position`,
    );
    const wanted = new Set(tables);
    const existing = new Map<string, Set<string>>();
    for (const row of rows) {
      const table = String(row.table_name);
      if (!wanted.has(table)) continue;
      let columns = existing.get(table);
      if (columns === undefined) existing.set(table, (columns = new Set()));
      columns.add(String(row.column_name));
    }
    return existing;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
