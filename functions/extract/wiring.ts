import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';
import { parseRuntimeEnv } from '../../shared/config/runtime-env.js';
import { SecretValues } from '../../shared/config/secret-values.js';
import type { Destination } from '../../shared/destinations/destination.js';
import type { ReusableDestination } from '../../shared/destinations/reusable-destination.js';
import { PackageQueue } from '../../shared/queues/package-queue.js';
import { s3ClientFromEnv } from '../../shared/storage/s3-client.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { createExtractHandler } from './handler.js';

/** The extract handler on the clients and settings of the function's environment. */
export function extractHandlerFromEnv(config: SluiceConfig, env: NodeJS.ProcessEnv) {
  const settings = parseRuntimeEnv(env, ['NORMALIZE_QUEUE_URL']);
  const s3 = s3ClientFromEnv(env);
  return createExtractHandler({
    config,
    storage: new S3FileStorage(s3, settings.STAGING_BUCKET, settings.STAGING_PREFIX),
    s3,
    normalizeQueue: new PackageQueue(new SQSClient({}), settings.NORMALIZE_QUEUE_URL!),
    secrets: new SecretValues(new SecretsManagerClient({}), env),
    ...(settings.DATABRICKS_SECRET_ID && {
      destination: lazyDatabricks(settings.DATABRICKS_SECRET_ID, {
        query_timeout_seconds: 300,
        // the settings are validated as the load stage's are; extract itself never forwards keys
        ...(settings.STAGING_ROLE_ARN && { staging_role_arn: settings.STAGING_ROLE_ARN }),
      }),
    }),
    logger: new Logger({ serviceName: 'sluice-extract' }),
    metrics: new Metrics({ namespace: 'Sluice', serviceName: 'sluice-extract' }),
  });
}

/**
 * Databricks, connected only when a pipeline has no state in the bucket: the driver is loaded on
 * that first use, not at every cold start (it takes about 0.2 s to load).
 */
function lazyDatabricks(
  secretId: string,
  defaults: Record<string, unknown>,
): Pick<ReusableDestination, 'use'> {
  let databricks: Promise<ReusableDestination> | undefined;
  return {
    async use<T>(work: (destination: Destination) => Promise<T>): Promise<T> {
      databricks ??= import('../../shared/destinations/databricks/reusable-databricks.js').then((module) =>
        module.reusableDatabricks(secretId, defaults),
      );
      return (await databricks).use(work);
    },
  };
}
