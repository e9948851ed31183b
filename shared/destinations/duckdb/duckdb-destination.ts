import type { Destination, DestinationCapabilities, LoadOutcome, PackageToLoad } from '../destination.js';
import { SqlLoader } from '../sql/sql-loader.js';
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
};

/** The embedded local destination: a DuckDB file, one transaction per package. */
export class DuckDbDestination implements Destination {
  readonly capabilities = duckdbCapabilities;
  private readonly loader: SqlLoader;

  private constructor(
    readonly client: DuckDbClient,
    /** The database's catalog name, which DuckDB takes from the file name (`shop.duckdb`: `shop`). */
    readonly catalog: string,
  ) {
    this.loader = new SqlLoader({
      dialect: duckdbDialect(catalog),
      client,
      transactions: true,
      existingColumns: (dataset, tables) => this.existingColumns(dataset, tables),
    });
  }

  static async open(path: string): Promise<DuckDbDestination> {
    const client = await DuckDbClient.open(path);
    const [row] = await client.query('SELECT current_database() AS catalog');
    return new DuckDbDestination(client, String(row?.catalog));
  }

  loadPackage(pkg: PackageToLoad): Promise<LoadOutcome> {
    return this.loader.load(pkg);
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
