import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-values.js';
import { cursorValueMissingSchema, cursorValueSchema, endsAfterInitial } from '../incremental.js';

/** A resource pulled from a PostgreSQL table or query (in the spirit of dlt's sql_database). */
export const postgresSourceSchema = z
  .object({
    kind: z.literal('postgres'),
    /** A connection string (postgres://user:password@host:port/db), from Secrets Manager or env. */
    connection: secretRefSchema,
    /** `schema.table` or `table` (public); its primary key becomes the resource's for merge. */
    table: z.string().min(1).optional(),
    /** A SELECT instead of a table. */
    query: z.string().min(1).optional(),
    incremental: z
      .object({
        cursorColumn: z.string().min(1),
        initialValue: cursorValueSchema,
        /** dlt's end_value: a backfill of [initialValue, endValue) that leaves the cursor as it was. */
        endValue: cursorValueSchema.optional(),
        /** `include` asks for the rows whose cursor column is NULL too; `raise` and `exclude` leave them out. */
        onCursorValueMissing: cursorValueMissingSchema,
      })
      .strict()
      .refine(endsAfterInitial, { message: 'endValue must come after initialValue', path: ['endValue'] })
      .optional(),
    /** Rows fetched per round trip; memory holds one chunk. */
    chunkSize: z.number().int().positive().default(10_000),
  })
  .strict()
  .refine((source) => (source.table === undefined) !== (source.query === undefined), {
    message: 'set either table or query',
  });
export type PostgresSourceConfig = z.infer<typeof postgresSourceSchema>;
