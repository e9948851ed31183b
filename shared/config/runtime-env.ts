import { z } from 'zod';

/** What the stage functions read from their environment (set by the CDK stack). */
const runtimeEnvSchema = z.object({
  STAGING_BUCKET: z.string().min(1),
  /** Key prefix of the packages inside the staging bucket. */
  STAGING_PREFIX: z.string().default(''),
  NORMALIZE_QUEUE_URL: z.string().min(1).optional(),
  LOAD_QUEUE_URL: z.string().min(1).optional(),
  /** Name or ARN of the Secrets Manager secret with the Databricks settings. */
  DATABRICKS_SECRET_ID: z.string().min(1).optional(),
  /** The read-only role the load stage forwards keys of (mode forward), unless the secret names one. */
  STAGING_ROLE_ARN: z.string().min(1).optional(),
  /** Worker threads the normalize function uses for large packages: one per vCPU it is given. */
  NORMALIZE_WORKERS: z.coerce.number().int().min(1).max(16).default(1),
  /** The queue's maxReceiveCount: the delivery after which a message goes to the dead-letter queue. */
  MAX_RECEIVE_COUNT: z.coerce.number().int().positive().default(3),
});

export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

/** Validates the environment, naming every missing or invalid variable (never its value). */
export function parseRuntimeEnv(
  env: NodeJS.ProcessEnv,
  required: readonly (keyof RuntimeEnv)[] = [],
): RuntimeEnv {
  const result = runtimeEnvSchema.safeParse(env);
  const problems = result.success
    ? required.filter((name) => result.data[name] === undefined).map((name) => `${name}: required`)
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  if (!result.success || problems.length > 0)
    throw new Error(`invalid function environment: ${problems.join('; ')}`);
  return result.data;
}
