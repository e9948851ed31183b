import { type NormalizedRow, RelationalNormalizer } from '../../shared/normalize/relational.js';
import { applyResourceHints, type ResourceHints } from '../../shared/normalize/resource.js';
import { emptySchema, Schema } from '../../shared/schema/schema.js';

/** Normalizes items in memory and returns the rows per table plus the evolved schema. */
export function normalizeItems(
  items: unknown[],
  hints: ResourceHints,
  schema = new Schema(emptySchema('test')),
): { rows: Record<string, NormalizedRow[]>; schema: Schema; table: string } {
  const rows: Record<string, NormalizedRow[]> = {};
  const table = applyResourceHints(schema, hints);
  const normalizer = new RelationalNormalizer(
    schema,
    { write: (t, row) => (rows[t.name] ??= []).push(row) },
    '1732190400.123456',
  );
  for (const item of items) normalizer.normalize(item, table);
  return { rows, schema, table };
}

export function columnsOf(
  schema: Schema,
  table: string,
): [string, string | undefined, boolean | undefined][] {
  return Object.values(schema.table(table)?.columns ?? {}).map((c) => [c.name, c.data_type, c.nullable]);
}
