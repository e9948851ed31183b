import { type ColumnSchema, DLT_COLUMNS, type StoredSchema, type TableSchema } from '../../schema/types.js';
import type { SqlDialect } from './dialect.js';
import { columnsWith, typedColumns } from './table-chain.js';

/** Everything a followup needs to name tables in the final and the staging dataset. */
export interface FollowupContext {
  dialect: SqlDialect;
  schema: StoredSchema;
  dataset: string;
  stagingDataset: string;
  /** The chain of the root table, root first. */
  chain: TableSchema[];
  /** The package time: the scd2 validity boundary. */
  boundary: Date;
}

const q = (ctx: FollowupContext, name: string) => ctx.dialect.quoteIdentifier(name);
const final = (ctx: FollowupContext, table: TableSchema) => ctx.dialect.qualify(ctx.dataset, table.name);
const staged = (ctx: FollowupContext, table: TableSchema) =>
  ctx.dialect.qualify(ctx.stagingDataset, table.name);
const columnList = (ctx: FollowupContext, columns: readonly ColumnSchema[], prefix = '') =>
  columns.map((c) => `${prefix}${q(ctx, c.name)}`).join(', ');

/** insert-from-staging: each table of the chain emptied and refilled from staging. */
export function insertFromStagingSql(ctx: FollowupContext): string[] {
  return ctx.chain.flatMap((table) => {
    const cols = columnList(ctx, typedColumns(table));
    return [
      ctx.dialect.truncate(final(ctx, table)),
      `INSERT INTO ${final(ctx, table)} (${cols}) SELECT ${cols} FROM ${staged(ctx, table)}`,
    ];
  });
}

/** staging-optimized: each table of the chain replaced by a copy of its staging table. */
export function stagingOptimizedSql(ctx: FollowupContext): string[] {
  return ctx.chain.flatMap((table) => ctx.dialect.cloneTable(final(ctx, table), staged(ctx, table)));
}

/** SQL condition that is true for rows flagged by the `hard_delete` column of `alias`. */
function deletedCondition(ctx: FollowupContext, root: TableSchema, alias: string): string | undefined {
  const [column] = columnsWith(root, 'hard_delete');
  if (column === undefined) return undefined;
  const ref = `${alias}.${q(ctx, column.name)}`;
  // COALESCE: a NULL flag means "not deleted", never an unknown that drops the row
  return column.data_type === 'bool' ? `COALESCE(${ref}, FALSE) = TRUE` : `${ref} IS NOT NULL`;
}

function notDeleted(ctx: FollowupContext, root: TableSchema, alias: string): string {
  const condition = deletedCondition(ctx, root, alias);
  return condition === undefined ? '1 = 1' : `NOT (${condition})`;
}

function keyMatch(
  ctx: FollowupContext,
  columns: readonly ColumnSchema[],
  left: string,
  right: string,
): string {
  return columns.map((c) => `${left}.${q(ctx, c.name)} = ${right}.${q(ctx, c.name)}`).join(' AND ');
}

/** The staging root, deduplicated by primary key (dedup_sort decides which row stays). */
function dedupedRoot(ctx: FollowupContext, root: TableSchema, select: string): string {
  const primaryKey = columnsWith(root, 'primary_key');
  const source = staged(ctx, root);
  if (primaryKey.length === 0)
    return `SELECT ${select} FROM ${source} AS s WHERE ${notDeleted(ctx, root, 's')}`;
  const [sort] = typedColumns(root).filter((c) => c.dedup_sort !== undefined);
  const order =
    sort === undefined
      ? '(SELECT NULL)'
      : `${q(ctx, sort.name)} ${sort.dedup_sort === 'desc' ? 'DESC' : 'ASC'}`;
  const all = columnList(ctx, typedColumns(root));
  return (
    `SELECT ${select} FROM (SELECT ROW_NUMBER() OVER (PARTITION BY ${columnList(ctx, primaryKey)} ORDER BY ${order}) AS _dlt_dedup_rn, ${all} ` +
    `FROM ${source}) AS s WHERE s._dlt_dedup_rn = 1 AND ${notDeleted(ctx, root, 's')}`
  );
}

/**
 * Deletes the rows of `table` whose `column` is among the `_dlt_id`s that `ids` selects. A MERGE,
 * not DELETE ... WHERE ... IN (subquery): Delta Lake takes no subqueries in DELETE or UPDATE
 * conditions, and dlt's Databricks merge job works around it the same way.
 */
function deleteByIds(ctx: FollowupContext, table: TableSchema, column: string, ids: string): string {
  return `MERGE INTO ${final(ctx, table)} AS d USING (${ids}) AS s ON d.${q(ctx, column)} = s.${q(ctx, '_dlt_id')} WHEN MATCHED THEN DELETE`;
}

/**
 * delete-insert: rows whose primary or merge key appears in staging are deleted (nested tables
 * first, through `_dlt_root_id`), then the deduplicated staging rows are inserted.
 */
export function deleteInsertSql(ctx: FollowupContext): string[] {
  const [root, ...nested] = ctx.chain as [TableSchema, ...TableSchema[]];
  const keys = columnsWith(root, 'primary_key');
  const mergeKeys = columnsWith(root, 'merge_key');
  const statements: string[] = [];
  if (keys.length > 0 || mergeKeys.length > 0) {
    const conditions = [keys, mergeKeys]
      .filter((k) => k.length > 0)
      .map((k) => `(${keyMatch(ctx, k, 'r', 's')})`);
    const replaced = `SELECT r.${q(ctx, '_dlt_id')} FROM ${final(ctx, root)} AS r WHERE EXISTS (SELECT 1 FROM ${staged(ctx, root)} AS s WHERE ${conditions.join(' OR ')})`;
    // nested rows first: they are found through the root rows that are about to go
    for (const table of nested) statements.push(deleteByIds(ctx, table, '_dlt_root_id', replaced));
    statements.push(deleteByIds(ctx, root, '_dlt_id', replaced));
  }
  const rootColumns = columnList(ctx, typedColumns(root));
  statements.push(
    `INSERT INTO ${final(ctx, root)} (${rootColumns}) ${dedupedRoot(ctx, root, columnList(ctx, typedColumns(root), 's.'))}`,
  );
  const inserted = dedupedRoot(ctx, root, `s.${q(ctx, '_dlt_id')}`);
  for (const table of nested) {
    const cols = columnList(ctx, typedColumns(table));
    statements.push(
      `INSERT INTO ${final(ctx, table)} (${cols}) SELECT ${cols} FROM ${staged(ctx, table)} WHERE ${q(ctx, '_dlt_root_id')} IN (${inserted})`,
    );
  }
  return statements;
}

function mergeStatement(
  ctx: FollowupContext,
  table: TableSchema,
  on: readonly ColumnSchema[],
  options: { update: boolean; deleteWhen?: string; sourceFilter?: string },
): string {
  const columns = typedColumns(table);
  const source =
    options.sourceFilter === undefined
      ? staged(ctx, table)
      : `(SELECT * FROM ${staged(ctx, table)} AS s WHERE ${options.sourceFilter})`;
  const clauses = [
    `MERGE INTO ${final(ctx, table)} AS d USING ${source} AS s ON ${keyMatch(ctx, on, 'd', 's')}`,
  ];
  if (options.deleteWhen !== undefined) clauses.push(`WHEN MATCHED AND ${options.deleteWhen} THEN DELETE`);
  if (options.update)
    clauses.push(
      `WHEN MATCHED THEN UPDATE SET ${columns.map((c) => `${q(ctx, c.name)} = s.${q(ctx, c.name)}`).join(', ')}`,
    );
  const insertGuard = options.deleteWhen === undefined ? '' : ` AND NOT (${options.deleteWhen})`;
  clauses.push(
    `WHEN NOT MATCHED${insertGuard} THEN INSERT (${columnList(ctx, columns)}) VALUES (${columnList(ctx, columns, 's.')})`,
  );
  return clauses.join('\n');
}

/** upsert: MERGE on the primary key at the root, on the deterministic `_dlt_id` in nested tables. */
export function upsertSql(ctx: FollowupContext): string[] {
  const [root, ...nested] = ctx.chain as [TableSchema, ...TableSchema[]];
  const deleted = deletedCondition(ctx, root, 's');
  const statements = [
    mergeStatement(ctx, root, columnsWith(root, 'primary_key'), { update: true, deleteWhen: deleted }),
  ];
  const id = q(ctx, '_dlt_id');
  const rootId = q(ctx, '_dlt_root_id');
  for (const table of nested) {
    statements.push(mergeStatement(ctx, table, columnsWith(table, 'row_key'), { update: true }));
    // nested rows of upserted roots that the new data no longer has
    const orphans = `SELECT n.${id} FROM ${final(ctx, table)} AS n WHERE n.${rootId} IN (SELECT ${id} FROM ${staged(ctx, root)}) AND n.${id} NOT IN (SELECT ${id} FROM ${staged(ctx, table)})`;
    statements.push(deleteByIds(ctx, table, '_dlt_id', orphans));
    if (deleted !== undefined) {
      statements.push(
        deleteByIds(
          ctx,
          table,
          '_dlt_root_id',
          `SELECT s.${id} FROM ${staged(ctx, root)} AS s WHERE ${deleted}`,
        ),
      );
    }
  }
  return statements;
}

/**
 * upsert and insert-only match staging rows to final rows by primary key, so a key staged twice
 * is ambiguous: the MERGE then fails on some engines and on others inserts both rows or applies
 * either (and nested rows of the two cannot be told apart, their keys derive from the primary
 * key). This query finds one such key with its row count; the loader refuses the package.
 */
export function duplicateKeyQuery(ctx: FollowupContext): string | undefined {
  const [root] = ctx.chain as [TableSchema];
  const primaryKey = columnsWith(root, 'primary_key');
  if (primaryKey.length === 0) return undefined;
  const keys = columnList(ctx, primaryKey);
  return `SELECT ${keys}, COUNT(*) AS ${q(ctx, '_dlt_rows')} FROM ${staged(ctx, root)} GROUP BY ${keys} HAVING COUNT(*) > 1 LIMIT 1`;
}

/** insert-only: rows whose key is new are inserted; existing rows are left alone. */
export function insertOnlySql(ctx: FollowupContext): string[] {
  const [root, ...nested] = ctx.chain as [TableSchema, ...TableSchema[]];
  return [
    mergeStatement(ctx, root, columnsWith(root, 'primary_key'), {
      update: false,
      sourceFilter: notDeleted(ctx, root, 's'),
    }),
    ...nested.map((table) => mergeStatement(ctx, table, columnsWith(table, 'row_key'), { update: false })),
  ];
}

/**
 * scd2: current rows missing from staging are retired at the boundary; staging rows not yet
 * current are inserted as new versions; nested tables are insert-only.
 */
export function scd2Sql(ctx: FollowupContext): string[] {
  const [root, ...nested] = ctx.chain as [TableSchema, ...TableSchema[]];
  const id = q(ctx, '_dlt_id');
  const [fromColumn] = columnsWith(root, 'x-valid-from');
  const [toColumn] = columnsWith(root, 'x-valid-to');
  const fromName = fromColumn?.name ?? DLT_COLUMNS.validFrom;
  const toName = toColumn?.name ?? DLT_COLUMNS.validTo;
  const from = q(ctx, fromName);
  const to = q(ctx, toName);
  const fixedBoundary = root['x-boundary-timestamp'];
  const boundary = ctx.dialect.timestampLiteral(
    fixedBoundary === undefined ? ctx.boundary : new Date(fixedBoundary),
  );
  // current rows hold NULL, or the active record timestamp when one is set
  const activeAt = toColumn?.['x-active-record-timestamp'] ?? undefined;
  const active = activeAt === undefined ? 'NULL' : ctx.dialect.timestampLiteral(new Date(activeAt));
  const isActive = activeAt === undefined ? `${to} IS NULL` : `${to} = ${active}`;
  const mergeKeys = columnsWith(root, 'merge_key');
  const keyScope =
    mergeKeys.length === 0
      ? ''
      : ` AND ${keyExpression(ctx, mergeKeys, 'r.')} IN (SELECT ${keyExpression(ctx, mergeKeys)} FROM ${staged(ctx, root)})`;
  const data = typedColumns(root).filter((c) => c.name !== fromName && c.name !== toName);
  const retired = `SELECT r.${id} FROM ${final(ctx, root)} AS r WHERE r.${isActive} AND r.${id} NOT IN (SELECT ${id} FROM ${staged(ctx, root)})${keyScope}`;
  const statements = [
    // only current versions are retired: a row hash can recur among retired versions
    `MERGE INTO ${final(ctx, root)} AS d USING (${retired}) AS s ON d.${id} = s.${id} AND d.${isActive} WHEN MATCHED THEN UPDATE SET ${to} = ${boundary}`,
    `INSERT INTO ${final(ctx, root)} (${columnList(ctx, data)}, ${from}, ${to}) SELECT ${columnList(ctx, data, 's.')}, ${boundary}, ${active} FROM ${distinctRows(ctx, root, data)} AS s WHERE ${notDeleted(ctx, root, 's')} AND s.${id} NOT IN (SELECT ${id} FROM ${final(ctx, root)} WHERE ${isActive})`,
  ];
  for (const table of nested) {
    const columns = typedColumns(table);
    const cols = columnList(ctx, columns);
    statements.push(
      `INSERT INTO ${final(ctx, table)} (${cols}) SELECT ${cols} FROM ${distinctRows(ctx, table, columns)} AS s WHERE ${id} NOT IN (SELECT ${id} FROM ${final(ctx, table)})`,
    );
  }
  return statements;
}

/**
 * A staging table with one row per `_dlt_id`. scd2 keys are hashes of the whole item, so a
 * repeated `_dlt_id` is the same record staged twice, which would otherwise become two current
 * versions (dlt inserts both).
 */
function distinctRows(ctx: FollowupContext, table: TableSchema, columns: readonly ColumnSchema[]): string {
  const id = q(ctx, '_dlt_id');
  return `(SELECT ${columnList(ctx, columns)} FROM (SELECT ROW_NUMBER() OVER (PARTITION BY ${id} ORDER BY ${id}) AS _dlt_dedup_rn, ${columnList(ctx, columns)} FROM ${staged(ctx, table)}) AS numbered WHERE _dlt_dedup_rn = 1)`;
}

function keyExpression(ctx: FollowupContext, columns: readonly ColumnSchema[], prefix = ''): string {
  if (columns.length === 1) return `${prefix}${q(ctx, columns[0]!.name)}`;
  return `CONCAT(${columns.map((c) => `CAST(${prefix}${q(ctx, c.name)} AS STRING)`).join(', ')})`;
}
