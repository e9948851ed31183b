import { z } from 'zod';
import {
  CONTRACT_MODES,
  DATA_TYPES,
  MAX_DECIMAL_PRECISION,
  MERGE_STRATEGIES,
  REPLACE_STRATEGIES,
  WRITE_DISPOSITIONS,
} from '../schema/types.js';
import { quarantinedFilesSchema } from './quarantine.js';

const contractMode = z.enum(CONTRACT_MODES);

const columnHints = z
  .object({
    data_type: z.enum(DATA_TYPES),
    nullable: z.boolean(),
    precision: z.number().int().positive(),
    scale: z.number().int().nonnegative(),
    timezone: z.boolean(),
    primary_key: z.boolean(),
    merge_key: z.boolean(),
    unique: z.boolean(),
    hard_delete: z.boolean(),
    dedup_sort: z.enum(['asc', 'desc']),
    partition: z.boolean(),
    cluster: z.boolean(),
    description: z.string(),
  })
  .partial()
  .strict()
  .refine(
    (c) =>
      c.data_type !== 'decimal' ||
      ((c.precision ?? 0) <= MAX_DECIMAL_PRECISION &&
        (c.scale ?? 0) <= (c.precision ?? MAX_DECIMAL_PRECISION)),
    {
      message: `a decimal's precision goes up to ${MAX_DECIMAL_PRECISION}, its scale up to its precision`,
      path: ['precision'],
    },
  );

const isoTimestamp = z.string().refine((text) => !Number.isNaN(Date.parse(text)), 'an ISO date or timestamp');

export const resourceHintsSchema = z
  .object({
    name: z.string().min(1),
    tableName: z.string().min(1).optional(),
    writeDisposition: z.enum(WRITE_DISPOSITIONS).optional(),
    mergeStrategy: z.enum(MERGE_STRATEGIES).optional(),
    replaceStrategy: z.enum(REPLACE_STRATEGIES).optional(),
    primaryKey: z.array(z.string().min(1)).optional(),
    mergeKey: z.array(z.string().min(1)).optional(),
    columns: z.record(z.string(), columnHints).optional(),
    /**
     * Column types a typed source (Parquet) declares, which JSON lines cannot carry; set by extract.
     * A list of [name, hints] in the source's order, which an object would not keep for
     * integer-like names; packages written before took an object, still read.
     */
    sourceColumns: z
      .union([
        z.array(z.tuple([z.string(), columnHints])),
        z.record(z.string(), columnHints).transform((columns) => Object.entries(columns)),
      ])
      .optional(),
    schemaContract: z
      .union([
        contractMode,
        z.object({ tables: contractMode, columns: contractMode, data_type: contractMode }).partial().strict(),
      ])
      .optional(),
    /** scd2 options, as dlt's write_disposition dict takes them. */
    scd2: z
      .object({
        /** The names of the validity columns (default _dlt_valid_from, _dlt_valid_to). */
        validityColumnNames: z.tuple([z.string().min(1), z.string().min(1)]).optional(),
        /** What `valid to` holds for current rows instead of NULL (`9999-12-31`). */
        activeRecordTimestamp: isoTimestamp.optional(),
        /** The validity boundary of every load, instead of the package's time. */
        boundaryTimestamp: isoTimestamp.optional(),
      })
      .strict()
      .optional(),
    maxTableNesting: z.number().int().nonnegative().optional(),
    tableOptions: z.record(z.string(), z.unknown()).optional(),
    fileFormat: z.literal('preferred').optional(),
    /** Malformed records: fail the file (default), or set them aside in the package's quarantine. */
    onBadRecord: z.enum(['fail', 'quarantine']).optional(),
  })
  .strict();

const extractedFile = z.object({
  key: z.string(),
  resource: z.string(),
  /** Where the items came from, for error messages: a file name or a pull description. */
  source: z.string(),
  /** Whether item n of the file is line n of the source (JSONL) or its n-th record. */
  unit: z.enum(['line', 'record']),
  items: z.number().int().nonnegative(),
});

export const manifestSchema = z
  .object({
    pipeline: z.string().min(1),
    dataset: z.string().min(1),
    schemaName: z.string().min(1),
    loadId: z.string().regex(/^\d+\.\d+$/),
    createdAt: z.string(),
    trigger: z.object({ kind: z.enum(['cli', 's3', 'schedule', 'direct']), detail: z.string().optional() }),
    resources: z.array(resourceHintsSchema),
    files: z.array(extractedFile),
    /** Malformed records extract set aside (CSV rows), for resources with onBadRecord: quarantine. */
    quarantine: quarantinedFilesSchema.optional(),
    /** Pipeline state to commit with this package (written to _dlt_pipeline_state). */
    state: z.record(z.string(), z.unknown()).optional(),
    /**
     * dlt's refresh (drop_sources): the package starts a new schema, and the tables the pipeline
     * had are dropped at the destination before it loads.
     */
    refresh: z
      .object({ dropTables: z.array(z.string().min(1)) })
      .strict()
      .optional(),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ExtractedFile = z.infer<typeof extractedFile>;

/** Parses a manifest, naming the key and the offending field when it is invalid. */
export function parseManifest(text: string, key: string): Manifest {
  const result = manifestSchema.safeParse(JSON.parse(text));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`invalid manifest ${key}: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return result.data;
}
