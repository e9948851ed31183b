import { z } from 'zod';
import { STAGING_CREDENTIAL_MODES } from './staging-credentials.js';

/** Connection and loading options of the Databricks destination (dlt's names). */
export const databricksConfigSchema = z.object({
  server_hostname: z.string().min(1),
  http_path: z.string().min(1),
  catalog: z.string().min(1),
  port: z.coerce.number().int().positive().default(443),
  access_token: z.string().min(1).optional(),
  client_id: z.string().min(1).optional(),
  client_secret: z.string().min(1).optional(),
  /** A PEM file of a CA to trust in addition to the system roots (the local warehouse's). */
  ca_cert_file: z.string().min(1).optional(),
  staging_credentials_mode: z.enum(STAGING_CREDENTIAL_MODES).default('forward'),
  staging_credentials_name: z.string().min(1).optional(),
  /** forward mode: the read-only role whose temporary keys COPY INTO gets, narrowed per package */
  staging_role_arn: z.string().min(1).optional(),
  staging_credentials_seconds: z.coerce.number().int().min(900).max(43_200).default(900),
  keep_staged_files: z.coerce.boolean().default(true),
  staging_dataset_name_layout: z.string().min(1).default('%s_staging'),
  /** Seconds a statement may run before the warehouse cancels it (none when unset). */
  query_timeout_seconds: z.coerce.number().int().positive().optional(),
});

/** Settings that are wrong together; checked on the raw input so they are reported with the rest. */
function contradictions(raw: Record<string, unknown>): string[] {
  const has = (key: string) => raw[key] !== undefined && raw[key] !== '';
  const problems: string[] = [];
  const oauth = has('client_id') || has('client_secret');
  if (!has('access_token') && !oauth)
    problems.push('access_token: set access_token, or client_id and client_secret for OAuth M2M');
  if (oauth && !(has('client_id') && has('client_secret'))) {
    problems.push(
      `${has('client_id') ? 'client_secret' : 'client_id'}: OAuth M2M needs both client_id and client_secret`,
    );
  }
  if ((raw.staging_credentials_mode ?? 'forward') === 'forward' && !has('staging_role_arn')) {
    problems.push(
      "staging_role_arn: staging_credentials_mode 'forward' (the default) needs the read-only role to assume",
    );
  }
  if (raw.staging_credentials_mode === 'credential' && !has('staging_credentials_name')) {
    problems.push(
      "staging_credentials_name: staging_credentials_mode 'credential' needs the storage credential's name",
    );
  }
  return problems;
}

export type DatabricksConfig = z.infer<typeof databricksConfigSchema>;

/** Validates a config, listing every missing or contradictory setting in one message (never values). */
export function parseDatabricksConfig(raw: Record<string, unknown>, source: string): DatabricksConfig {
  const result = databricksConfigSchema.safeParse(raw);
  const problems = [
    ...(result.success
      ? []
      : result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)),
    ...contradictions(raw),
  ];
  if (problems.length > 0 || !result.success) {
    throw new Error(`invalid Databricks configuration from ${source}: ${problems.join('; ')}`);
  }
  return result.data;
}

const ENV_PREFIX = 'DESTINATION__DATABRICKS__';

/** dlt-compatible environment variables: DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME, ... */
export function databricksConfigFromEnv(env: NodeJS.ProcessEnv): DatabricksConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === '') continue;
    const key = name
      .slice(ENV_PREFIX.length)
      .replace(/^CREDENTIALS__/, '')
      .toLowerCase();
    raw[key] = value;
  }
  return parseDatabricksConfig(raw, 'DESTINATION__DATABRICKS__* environment variables');
}
