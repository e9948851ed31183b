import { z } from 'zod';
import { STAGING_CREDENTIAL_MODES } from './staging-credentials.js';

/** Connection and loading options of the Databricks destination (dlt's names). */
export const databricksConfigSchema = z
  .object({
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
    keep_staged_files: z.coerce.boolean().default(true),
    staging_dataset_name_layout: z.string().min(1).default('%s_staging'),
  })
  .superRefine((config, ctx) => {
    const oauth = config.client_id !== undefined || config.client_secret !== undefined;
    if (config.access_token === undefined && !oauth) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_token'],
        message: 'set access_token, or client_id and client_secret for OAuth M2M',
      });
    }
    if (oauth && (config.client_id === undefined || config.client_secret === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [config.client_id === undefined ? 'client_id' : 'client_secret'],
        message: 'OAuth M2M needs both client_id and client_secret',
      });
    }
    if (config.access_token !== undefined && oauth) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_token'],
        message: 'set either access_token or client_id/client_secret, not both',
      });
    }
    if (config.staging_credentials_mode === 'credential' && config.staging_credentials_name === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['staging_credentials_name'],
        message: "staging_credentials_mode 'credential' needs the storage credential's name",
      });
    }
  });

export type DatabricksConfig = z.infer<typeof databricksConfigSchema>;

/** Validates a config, listing every missing or contradictory setting in one message (never values). */
export function parseDatabricksConfig(raw: Record<string, unknown>, source: string): DatabricksConfig {
  const result = databricksConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
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
