import { DLT_TABLES } from '../../schema/types.js';
import type { SqlDialect } from './dialect.js';
import type { SqlClient } from './sql-client.js';

/** What reading a pipeline's stored state and schemas back from a dataset needs. */
export interface StoredPipelineSource {
  client: SqlClient;
  dialect: Pick<SqlDialect, 'qualify' | 'literal' | 'quoteIdentifier'>;
  existingColumns(dataset: string, tables: readonly string[]): Promise<Map<string, Set<string>>>;
}

/**
 * The `state` of the pipeline's newest `_dlt_pipeline_state` row whose package was committed
 * (its load id in `_dlt_loads` with status 0), as dlt's restore reads it; undefined when the
 * dataset or either table does not exist yet.
 */
export async function storedStateText(
  source: StoredPipelineSource,
  dataset: string,
  pipeline: string,
): Promise<string | undefined> {
  const { dialect } = source;
  const row = await firstRow(
    source,
    dataset,
    [DLT_TABLES.pipelineState, DLT_TABLES.loads],
    `SELECT s.state AS state FROM ${dialect.qualify(dataset, DLT_TABLES.pipelineState)} AS s JOIN ${dialect.qualify(dataset, DLT_TABLES.loads)} AS l ON l.load_id = s._dlt_load_id WHERE s.pipeline_name = ${dialect.literal(pipeline)} AND l.status = 0 ORDER BY l.load_id DESC LIMIT 1`,
  );
  return row === undefined ? undefined : String(row.state);
}

/** The `schema` of the newest `_dlt_version` row of a schema name (dlt does not check loads here). */
export async function storedSchemaText(
  source: StoredPipelineSource,
  dataset: string,
  schemaName: string,
): Promise<string | undefined> {
  const { dialect } = source;
  const row = await firstRow(
    source,
    dataset,
    [DLT_TABLES.version],
    `SELECT ${dialect.quoteIdentifier('schema')} AS schema_text FROM ${dialect.qualify(dataset, DLT_TABLES.version)} WHERE schema_name = ${dialect.literal(schemaName)} ORDER BY inserted_at DESC LIMIT 1`,
  );
  return row === undefined ? undefined : String(row.schema_text);
}

/** The query's first row, or undefined when the dataset lacks one of the tables it reads. */
async function firstRow(
  source: StoredPipelineSource,
  dataset: string,
  tables: readonly string[],
  sql: string,
): Promise<Record<string, unknown> | undefined> {
  const existing = await source.existingColumns(dataset, tables);
  if (!tables.every((table) => existing.has(table))) return undefined;
  return (await source.client.query(sql))[0];
}
