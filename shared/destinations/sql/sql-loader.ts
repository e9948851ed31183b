import { loadIdTime } from '../../package/load-id.js';
import type { ColumnSchema, ReplaceStrategy, StoredSchema, TableSchema } from '../../schema/types.js';
import { DLT_TABLES } from '../../schema/types.js';
import { own } from '../../util/own.js';
import type { LoadOutcome, PackageToLoad, TableLoadInfo } from '../destination.js';
import { createTableSql } from './ddl.js';
import type { SqlDialect } from './dialect.js';
import { LOADS_COLUMNS, VERSION_COLUMNS } from './dlt-tables.js';
import {
  deleteInsertSql,
  duplicateKeyQuery,
  type FollowupContext,
  insertFromStagingSql,
  insertOnlySql,
  scd2Sql,
  stagingOptimizedSql,
  upsertSql,
} from './followups.js';
import { insertLoadSql, insertVersionSql } from './metadata.js';
import type { SqlClient } from './sql-client.js';
import { rootOf, tableChain, typedColumns } from './table-chain.js';

export interface SqlLoaderOptions {
  dialect: SqlDialect;
  client: SqlClient;
  transactions: boolean;
  /** `%s` is replaced by the dataset name (dlt's staging_dataset_name_layout). */
  stagingLayout?: string;
  /** Reads the existing columns of tables in a dataset: table -> column names. */
  existingColumns(dataset: string, tables: readonly string[]): Promise<Map<string, Set<string>>>;
  now?: () => Date;
}

type ChainPlan = {
  root: TableSchema;
  chain: TableSchema[];
  staging: boolean;
  followup?: (ctx: FollowupContext) => string[];
};

/**
 * Loads a package with dlt's statement sequence: migrate the final (and staging) dataset,
 * truncate what is replaced, load every table's files, run merge/replace followups, write
 * `_dlt_version` and finally `_dlt_loads`. With transactions the whole package is atomic.
 */
export class SqlLoader {
  constructor(private readonly options: SqlLoaderOptions) {}

  async load(pkg: PackageToLoad): Promise<LoadOutcome> {
    const { client, transactions } = this.options;
    await this.ensureMetadataTables(pkg.dataset);
    if (await this.alreadyLoaded(pkg)) return { status: 'already_loaded', tables: [] };
    if (transactions) await client.execute('BEGIN TRANSACTION');
    try {
      const tables = await this.loadInside(pkg);
      if (transactions) await client.execute('COMMIT');
      return { status: 'loaded', tables };
    } catch (error) {
      if (transactions) await client.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async loadInside(pkg: PackageToLoad): Promise<TableLoadInfo[]> {
    const { dialect, client } = this.options;
    const now = this.options.now?.() ?? new Date();
    const plans = this.plan(pkg);
    const staging = this.stagingDataset(pkg.dataset);
    if (pkg.dropTables !== undefined && pkg.dropTables.length > 0)
      await this.dropTables([pkg.dataset, staging], pkg.dropTables);
    await this.migrate(
      pkg.dataset,
      plans.flatMap((p) => p.chain),
    );
    const stagedChains = plans.filter((p) => p.staging).flatMap((p) => p.chain);
    if (stagedChains.length > 0) {
      await client.execute(`CREATE SCHEMA IF NOT EXISTS ${dialect.qualifySchema(staging)}`);
      await this.migrate(staging, stagedChains);
      for (const table of stagedChains)
        await client.execute(dialect.truncate(dialect.qualify(staging, table.name)));
    }
    await this.recordSchemaVersion(pkg, now);
    const truncated = plans.filter(
      (plan) =>
        !plan.staging &&
        replaceStrategy(pkg, plan.root) === 'truncate-and-insert' &&
        plan.root.write_disposition === 'replace',
    );
    for (const plan of truncated) {
      for (const table of plan.chain)
        await client.execute(dialect.truncate(dialect.qualify(pkg.dataset, table.name)));
    }
    const info: TableLoadInfo[] = [];
    for (const plan of plans) {
      for (const table of plan.chain) {
        const job = own(pkg.jobs.tables, table.name);
        // an empty job (a replaced table that got no rows) was emptied above and loads nothing
        if (job === undefined || job.files.length === 0) continue;
        const statements = dialect.loadFiles({
          dataset: plan.staging ? staging : pkg.dataset,
          table: table.name,
          columns: typedColumns(table),
          format: pkg.jobs.format,
          urls: job.files.map((f) => pkg.fileUrl(f.key)),
          emptied: plan.staging || truncated.includes(plan),
        });
        for (const sql of statements) await client.execute(sql);
        info.push({ table: table.name, rows: job.rows, files: job.files.length });
      }
      if (plan.followup !== undefined) {
        const ctx: FollowupContext = {
          dialect,
          schema: pkg.schema,
          dataset: pkg.dataset,
          stagingDataset: staging,
          chain: plan.chain,
          boundary: loadIdTime(pkg.loadId),
        };
        if (needsUniqueKeys(plan.root)) await this.refuseDuplicateKeys(ctx, plan.root);
        for (const sql of plan.followup(ctx)) await client.execute(sql);
      }
    }
    await client.execute(
      insertLoadSql(dialect, dialect.qualify(pkg.dataset, DLT_TABLES.loads), pkg.loadId, pkg.schema, now),
    );
    return info;
  }

  /** One plan per root table with data in the package, in schema order. */
  private plan(pkg: PackageToLoad): ChainPlan[] {
    const roots = new Map<string, TableSchema>();
    for (const name of Object.keys(pkg.jobs.tables)) {
      const root = rootOf(pkg.schema, name);
      roots.set(root.name, root);
    }
    return [...roots.values()].map((root) => {
      const chain = tableChain(pkg.schema, root.name).filter((t) => typedColumns(t).length > 0);
      const disposition = root.write_disposition ?? 'append';
      if (disposition === 'merge') return { root, chain, staging: true, followup: mergeFollowup(root) };
      if (disposition === 'replace') {
        const strategy = replaceStrategy(pkg, root);
        if (strategy === 'insert-from-staging')
          return { root, chain, staging: true, followup: insertFromStagingSql };
        if (strategy === 'staging-optimized')
          return { root, chain, staging: true, followup: stagingOptimizedSql };
      }
      return { root, chain, staging: false };
    });
  }

  /** Fails the package when its staged rows hold a primary key twice (see duplicateKeyQuery). */
  private async refuseDuplicateKeys(ctx: FollowupContext, root: TableSchema): Promise<void> {
    const sql = duplicateKeyQuery(ctx);
    if (sql === undefined) return;
    const [found] = await this.options.client.query(sql);
    if (found === undefined) return;
    const { _dlt_rows: count, ...key } = found;
    const values = Object.entries(key)
      .map(([column, value]) => `${column} = ${describeValue(value)}`)
      .join(', ');
    throw new Error(
      `table ${root.name}: ${count} rows of this load have the primary key ${values}; ${root['x-merge-strategy']} takes one row per key, so nothing of the table was merged. Remove the duplicates at the source, or merge with delete-insert, which keeps one row per key (the dedup_sort column chooses which)`,
    );
  }

  private stagingDataset(dataset: string): string {
    const layout = this.options.stagingLayout ?? '%s_staging';
    const name = layout.includes('%s') ? layout.replace('%s', dataset) : layout;
    if (name === dataset) throw new Error(`staging dataset name ${name} equals the dataset name`);
    return name;
  }

  private async ensureMetadataTables(dataset: string): Promise<void> {
    const { dialect, client } = this.options;
    await client.execute(`CREATE SCHEMA IF NOT EXISTS ${dialect.qualifySchema(dataset)}`);
    await client.execute(
      createTableSql(dialect, dialect.qualify(dataset, DLT_TABLES.loads), LOADS_COLUMNS, {
        ifNotExists: true,
      }),
    );
    await client.execute(
      createTableSql(dialect, dialect.qualify(dataset, DLT_TABLES.version), VERSION_COLUMNS, {
        ifNotExists: true,
      }),
    );
  }

  private async alreadyLoaded(pkg: PackageToLoad): Promise<boolean> {
    const { dialect, client } = this.options;
    const rows = await client.query(
      `SELECT load_id FROM ${dialect.qualify(pkg.dataset, DLT_TABLES.loads)} WHERE load_id = ${dialect.literal(pkg.loadId)}`,
    );
    return rows.length > 0;
  }

  private async recordSchemaVersion(pkg: PackageToLoad, now: Date): Promise<void> {
    const { dialect, client } = this.options;
    const table = dialect.qualify(pkg.dataset, DLT_TABLES.version);
    const found = await client.query(
      `SELECT version_hash FROM ${table} WHERE version_hash = ${dialect.literal(pkg.schema.version_hash)}`,
    );
    if (found.length === 0) await client.execute(insertVersionSql(dialect, table, pkg.schema, now));
  }

  /** Drops those of `tables` that exist in each dataset (a refreshed package's old tables). */
  private async dropTables(datasets: readonly string[], tables: readonly string[]): Promise<void> {
    const { dialect, client } = this.options;
    for (const dataset of datasets) {
      const existing = await this.options.existingColumns(dataset, tables);
      for (const table of existing.keys())
        await client.execute(`DROP TABLE ${dialect.qualify(dataset, table)}`);
    }
  }

  /** Creates missing tables and adds missing columns in an existing dataset; never drops or retypes. */
  private async migrate(dataset: string, tables: readonly TableSchema[]): Promise<void> {
    const { dialect, client } = this.options;
    const existing = await this.options.existingColumns(
      dataset,
      tables.map((t) => t.name),
    );
    for (const table of tables) {
      const columns = typedColumns(table);
      const have = existing.get(table.name);
      const qualified = dialect.qualify(dataset, table.name);
      if (have === undefined) {
        const suffix = dialect.tableOptions?.({
          name: table.name,
          columns,
          options: table['x-table-options'],
        });
        await client.execute(createTableSql(dialect, qualified, columns, { suffix }));
      } else {
        const missing: ColumnSchema[] = columns
          .filter((c) => !have.has(c.name))
          .map((c) => ({ ...c, nullable: true }));
        if (missing.length > 0)
          for (const sql of dialect.addColumns(qualified, missing)) await client.execute(sql);
      }
    }
  }
}

/** Merges that match staged rows to final rows one to one by primary key. */
function needsUniqueKeys(root: TableSchema): boolean {
  const strategy = root['x-merge-strategy'];
  return root.write_disposition === 'merge' && (strategy === 'upsert' || strategy === 'insert-only');
}

/** A key value for an error message, cut short. */
function describeValue(value: unknown): string {
  const text = String(value);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

function mergeFollowup(root: TableSchema): (ctx: FollowupContext) => string[] {
  switch (root['x-merge-strategy'] ?? 'delete-insert') {
    case 'upsert':
      return upsertSql;
    case 'insert-only':
      return insertOnlySql;
    case 'scd2':
      return scd2Sql;
    default:
      return deleteInsertSql;
  }
}

export type { StoredSchema };

/**
 * How a replaced table is loaded: as its resource asks in this package; a schema stored by an
 * earlier Sluice may carry the strategy as a table hint; else dlt's default.
 */
function replaceStrategy(pkg: PackageToLoad, root: TableSchema): ReplaceStrategy {
  const asked = root.resource === undefined ? undefined : own(pkg.replaceStrategies ?? {}, root.resource);
  return asked ?? root['x-replace-strategy'] ?? 'truncate-and-insert';
}
