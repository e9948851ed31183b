import { z } from 'zod';
import type { ColumnSchema } from '../../schema/types.js';

/** Databricks table options a resource may set (the keys of dlt's databricks_adapter). */
export const databricksTableOptionsSchema = z
  .object({
    cluster_by: z.union([z.literal('AUTO'), z.array(z.string().min(1)).min(1)]),
    partition_by: z.array(z.string().min(1)).min(1),
    comment: z.string(),
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  })
  .partial()
  .strict();

export type DatabricksTableOptions = z.infer<typeof databricksTableOptionsSchema>;

/**
 * The clauses after CREATE TABLE's column list: PARTITIONED BY, CLUSTER BY (columns or AUTO),
 * COMMENT and TBLPROPERTIES. Column hints `partition` and `cluster` count as well, as in dlt.
 */
export function tableClauses(
  table: { name: string; columns: readonly ColumnSchema[]; options?: Record<string, unknown> },
  quote: (name: string) => string,
  literal: (value: string) => string,
): string {
  const parsed = databricksTableOptionsSchema.safeParse(table.options ?? {});
  if (!parsed.success) {
    throw new Error(
      `invalid Databricks table options for table ${table.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const options = parsed.data;
  const partition = [
    ...(options.partition_by ?? []),
    ...table.columns.filter((c) => c.partition).map((c) => c.name),
  ];
  const cluster =
    options.cluster_by === 'AUTO'
      ? 'AUTO'
      : [...(options.cluster_by ?? []), ...table.columns.filter((c) => c.cluster).map((c) => c.name)];
  if (partition.length > 0 && cluster.length > 0) {
    throw new Error(
      `table ${table.name} cannot be both partitioned and clustered (Delta allows one of them)`,
    );
  }
  const clauses: string[] = [];
  if (partition.length > 0) clauses.push(`PARTITIONED BY (${[...new Set(partition)].map(quote).join(', ')})`);
  if (cluster === 'AUTO') clauses.push('CLUSTER BY AUTO');
  else if (cluster.length > 0) clauses.push(`CLUSTER BY (${[...new Set(cluster)].map(quote).join(', ')})`);
  if (options.comment !== undefined) clauses.push(`COMMENT ${literal(options.comment)}`);
  const properties = Object.entries(options.properties ?? {});
  if (properties.length > 0) {
    clauses.push(
      `TBLPROPERTIES (${properties.map(([k, v]) => `${literal(k)} = ${typeof v === 'string' ? literal(v) : String(v)}`).join(', ')})`,
    );
  }
  return clauses.join(' ');
}
