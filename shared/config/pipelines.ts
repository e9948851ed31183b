import { z } from 'zod';
import type { ResourceHints } from '../normalize/resource.js';
import { resourceHintsSchema } from '../package/manifest.js';
import { datasetIdentifier } from '../schema/naming.js';
import { restSourceSchema } from '../sources/rest/rest-config.js';
import { postgresSourceSchema } from '../sources/sql/sql-config.js';
import { isTextEncoding, TEXT_ENCODING_EXPECTED } from '../sources/text-encoding.js';

const NAME = /^[a-z][a-z0-9_]*$/;
const name = z.string().regex(NAME, 'use lower-case letters, digits and _, starting with a letter');

/** A resource of a pipeline: the table it fills, and where its S3 drops land. */
const resourceConfig = resourceHintsSchema.omit({ sourceColumns: true }).extend({
  /** Objects created under this inbox key prefix become items of this resource. */
  drop: z
    .object({
      prefix: z.string().min(1).regex(/\/$/, 'a key prefix ends in /'),
      /** JSON files: the records are the array at this path (`data.items`), not the document. */
      jsonPath: z.string().min(1).optional(),
      /** Text files not in UTF-8: their encoding (`latin1`, `windows-1252`, `utf-16le`). */
      encoding: z.string().refine(isTextEncoding, TEXT_ENCODING_EXPECTED).optional(),
      csv: z
        .object({
          delimiter: z.string().length(1).optional(),
          quote: z.string().length(1).default('"'),
          escape: z.string().length(1).default('"'),
          /** Fields read as null, quoted or not (`NULL`, `\\N`); an unquoted empty field always is. */
          nullValues: z.array(z.string()).optional(),
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
  /** Where a scheduled run pulls this resource from. */
  source: z.discriminatedUnion('kind', [restSourceSchema, postgresSourceSchema]).optional(),
});

/** rate(5 minutes) | cron(0 3 * * ? *), as EventBridge takes them. */
const scheduleExpression = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\((\S+ ){5}\S+\))$/,
    'use rate(N minutes|hours|days) or cron(min hour day month weekday year)',
  );

const pipelineConfig = z
  .object({
    name,
    // as dlt names datasets: `a__b` would be `a_b` at the destination
    dataset: name.refine(
      (value) => datasetIdentifier(value) === value,
      'use a name dlt keeps as it is: no __, no trailing _',
    ),
    format: z.enum(['parquet', 'jsonl']).default('parquet'),
    resources: z.array(resourceConfig).min(1),
    schedules: z.array(z.object({ expression: scheduleExpression }).strict()).default([]),
  })
  .strict();

export const sluiceConfigSchema = z
  .object({
    pipelines: z.array(pipelineConfig).min(1),
    /** Days load packages (extracted items, staged files, markers) and inbox drops are kept. */
    retention: z
      .object({
        packageDays: z.number().int().positive().default(30),
        inboxDays: z.number().int().positive().optional(),
      })
      .strict()
      .default({ packageDays: 30 }),
    /** The Databricks secret: an existing one by name or ARN, else the stack creates it for you to fill. */
    databricksSecret: z.string().min(1).optional(),
    /** Deliveries of a failing message before it goes to its dead-letter queue. */
    maxReceiveCount: z.number().int().min(1).max(1000).default(3),
    /**
     * Memory of the normalize function. Lambda gives one vCPU per 1769 MiB; from 3538 MiB up,
     * large packages are normalized by one worker thread per vCPU.
     */
    normalizeMemoryMiB: z.number().int().min(1024).max(10_240).default(2048),
    /**
     * Drops batched together go into packages of at most this many MiB (their size in the
     * bucket): a package must normalize within the function's 15 minutes. A larger object is a
     * package of its own.
     */
    packageMaxMiB: z.number().positive().default(1024),
    /** Where alarms are e-mailed (optional; they always go to the stack's SNS topic). */
    alarmEmail: z.email().optional(),
    /**
     * For staging_credentials_mode credential / external_location: the external id of your Unity
     * Catalog storage credential; the stack then creates the IAM role it assumes to read staging.
     */
    unityCatalogExternalId: z.string().min(1).optional(),
    /** Concurrent loads; Databricks SQL warehouses queue beyond their concurrent-query limit. */
    loadConcurrency: z.number().int().min(2).default(5),
  })
  .strict();

export type SluiceConfig = z.infer<typeof sluiceConfigSchema>;
export type PipelineConfig = z.infer<typeof pipelineConfig>;
export type ResourceConfig = z.infer<typeof resourceConfig>;
export type SluiceConfigInput = z.input<typeof sluiceConfigSchema>;

/** Rules across fields that the field schemas cannot say. */
function crossFieldProblems(config: SluiceConfig): string[] {
  const problems: string[] = [];
  const pipelines = new Map<string, number>();
  const drops: [string, string][] = [];
  config.pipelines.forEach((pipeline, p) => {
    if (pipelines.has(pipeline.name))
      problems.push(
        `pipelines[${p}].name: '${pipeline.name}' is already pipelines[${pipelines.get(pipeline.name)}]`,
      );
    pipelines.set(pipeline.name, p);
    const resources = new Set<string>();
    pipeline.resources.forEach((resource, r) => {
      const at = `pipelines[${p}].resources[${r}]`;
      if (resources.has(resource.name)) problems.push(`${at}.name: '${resource.name}' is declared twice`);
      resources.add(resource.name);
      if (resource.drop !== undefined && resource.source !== undefined)
        problems.push(`${at}: a resource is either dropped (drop) or pulled (source), not both`);
      const parent = resource.source?.kind === 'rest_api' ? resource.source.parent : undefined;
      if (parent !== undefined && !pipeline.resources.slice(0, r).some((o) => o.name === parent && o.source))
        problems.push(`${at}.source.parent: no pulled resource named '${parent}' declared before it`);
      if (resource.drop === undefined) return;
      for (const [other, where] of drops) {
        if (other.startsWith(resource.drop.prefix) || resource.drop.prefix.startsWith(other))
          problems.push(`${at}.drop.prefix: '${resource.drop.prefix}' overlaps '${other}' of ${where}`);
      }
      drops.push([resource.drop.prefix, at]);
    });
    if (pipeline.schedules.length > 0 && pipeline.resources.every((r) => r.source === undefined))
      problems.push(`pipelines[${p}].schedules: the pipeline has no resource with a source to pull`);
  });
  return problems;
}

/** Validates a configuration; the error names every offending field by its path. */
export function parseSluiceConfig(raw: unknown, source = 'Sluice configuration'): SluiceConfig {
  const result = sluiceConfigSchema.safeParse(raw);
  const problems = result.success
    ? crossFieldProblems(result.data)
    : result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  if (!result.success || problems.length > 0) {
    throw new Error(`invalid ${source}: ${problems.join('; ')}`);
  }
  return result.data;
}

/** `pipelines[0].resources[1].drop.prefix`, the way a user finds the field in the file. */
function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path)
    text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text || '(config)';
}

/** Typed helper for the configuration file; validation happens where it is read. */
export function defineConfig(config: SluiceConfigInput): SluiceConfigInput {
  return config;
}

/** The pipeline and resource a dropped object belongs to (drop prefixes never overlap). */
export function resourceForKey(
  config: SluiceConfig,
  key: string,
): { pipeline: PipelineConfig; resource: ResourceConfig } | undefined {
  for (const pipeline of config.pipelines) {
    const resource = droppedResourceForKey(pipeline, key);
    if (resource !== undefined) return { pipeline, resource };
  }
  return undefined;
}

/** The resource of a pipeline whose drop prefix starts the key. */
export function droppedResourceForKey(pipeline: PipelineConfig, key: string): ResourceConfig | undefined {
  return pipeline.resources.find((r) => r.drop !== undefined && key.startsWith(r.drop.prefix));
}

/** What a resource says about its table (the manifest's hints), without where its data comes from. */
export function resourceHints(resource: ResourceConfig): ResourceHints {
  const { drop: _drop, source: _source, ...hints } = resource;
  return hints;
}

export function pipelineNamed(config: SluiceConfig, name: string): PipelineConfig {
  const pipeline = config.pipelines.find((p) => p.name === name);
  if (pipeline === undefined) throw new Error(`no pipeline named '${name}' in the Sluice configuration`);
  return pipeline;
}
