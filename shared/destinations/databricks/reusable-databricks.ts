import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DatabricksSecret, SECRET_TTL_MS } from '../../config/databricks-secret.js';
import { ReusableDestination } from '../reusable-destination.js';
import { DatabricksSqlError } from './databricks-client.js';
import { DatabricksDestination } from './databricks-destination.js';

/**
 * Databricks for a stage function: settings from the Secrets Manager secret (cached with a TTL,
 * re-read when the workspace refuses them), one connection per container. `defaults` are the
 * settings the secret may leave out.
 */
export function reusableDatabricks(secretId: string, defaults: Record<string, unknown>): ReusableDestination {
  const secret = new DatabricksSecret(
    new SecretsManagerClient({}),
    secretId,
    SECRET_TTL_MS,
    Date.now,
    defaults,
  );
  return new ReusableDestination(
    async ({ rereadSettings }) => {
      if (rereadSettings) secret.refresh();
      return DatabricksDestination.open(await secret.get());
    },
    (error) => error instanceof DatabricksSqlError && error.isAuthFailure,
  );
}
