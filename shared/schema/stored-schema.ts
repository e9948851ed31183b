import { z } from 'zod';
import {
  CONTRACT_MODES,
  DATA_TYPES,
  MERGE_STRATEGIES,
  REPLACE_STRATEGIES,
  type StoredSchema,
  WRITE_DISPOSITIONS,
} from './types.js';

// A schema file is read back from storage, where a person may have edited it (as dlt users edit
// exported schemas) or another version written it. Keys this version does not know are kept, so
// rewriting the schema loses nothing.

const contractMode = z.enum(CONTRACT_MODES);
const contract = z.union([
  contractMode,
  z.object({ tables: contractMode, columns: contractMode, data_type: contractMode }).partial(),
]);

const column = z
  .object({
    name: z.string().min(1),
    data_type: z.enum(DATA_TYPES).optional(),
    nullable: z.boolean().optional(),
    precision: z.number().int().positive().optional(),
    scale: z.number().int().nonnegative().optional(),
    timezone: z.boolean().optional(),
    primary_key: z.boolean().optional(),
    merge_key: z.boolean().optional(),
    row_key: z.boolean().optional(),
    parent_key: z.boolean().optional(),
    root_key: z.boolean().optional(),
    unique: z.boolean().optional(),
    hard_delete: z.boolean().optional(),
    dedup_sort: z.enum(['asc', 'desc']).optional(),
    partition: z.boolean().optional(),
    cluster: z.boolean().optional(),
    variant: z.boolean().optional(),
    description: z.string().optional(),
    'x-valid-from': z.boolean().optional(),
    'x-valid-to': z.boolean().optional(),
    'x-active-record-timestamp': z.string().nullable().optional(),
    'x-row-version': z.boolean().optional(),
  })
  .loose();

const table = z
  .object({
    name: z.string().min(1),
    columns: z.record(z.string(), column),
    parent: z.string().optional(),
    resource: z.string().optional(),
    write_disposition: z.enum(WRITE_DISPOSITIONS).optional(),
    schema_contract: contract.optional(),
    description: z.string().optional(),
    'x-merge-strategy': z.enum(MERGE_STRATEGIES).optional(),
    'x-replace-strategy': z.enum(REPLACE_STRATEGIES).optional(),
    'x-normalizer': z
      .object({ max_nesting: z.number().int().nonnegative().optional(), 'seen-data': z.boolean().optional() })
      .loose()
      .optional(),
    'x-table-options': z.record(z.string(), z.unknown()).optional(),
    file_format: z.literal('preferred').optional(),
  })
  .loose();

const storedSchema = z
  .object({
    name: z.string().min(1),
    version: z.number().int().positive(),
    version_hash: z.string(),
    previous_hashes: z.array(z.string()),
    engine_version: z.number().int(),
    tables: z.record(z.string(), table),
    settings: z
      .object({
        detections: z.array(z.string()),
        schema_contract: contract.optional(),
        default_hints: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    normalizers: z
      .object({
        names: z.string(),
        json: z
          .object({
            module: z.string(),
            config: z
              .object({
                propagation: z
                  .object({ tables: z.record(z.string(), z.record(z.string(), z.string())).optional() })
                  .loose()
                  .optional(),
              })
              .loose()
              .optional(),
          })
          .loose(),
      })
      .loose()
      .optional(),
  })
  .loose()
  .superRefine((schema, ctx) => {
    // the normalizer and the loaders look tables and columns up by key and use the names inside
    for (const [key, t] of Object.entries(schema.tables)) {
      if (t.name !== key)
        ctx.addIssue({ code: 'custom', path: ['tables', key, 'name'], message: `is ${t.name}, not ${key}` });
      if (t.parent !== undefined && !Object.hasOwn(schema.tables, t.parent))
        ctx.addIssue({
          code: 'custom',
          path: ['tables', key, 'parent'],
          message: `names table ${t.parent}, which the schema lacks`,
        });
      for (const [columnKey, c] of Object.entries(t.columns))
        if (c.name !== columnKey)
          ctx.addIssue({
            code: 'custom',
            path: ['tables', key, 'columns', columnKey, 'name'],
            message: `is ${c.name}, not ${columnKey}`,
          });
    }
  });

/** Parses a stored schema (JSON text), naming the object and the offending field when it is invalid. */
export function parseStoredSchema(text: string, key: string): StoredSchema {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`invalid schema ${key}: not JSON (${(error as Error).message})`);
  }
  const result = storedSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid schema ${key}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}
