import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { parseRuntimeEnv } from '../../shared/config/runtime-env.js';
import { reusableDatabricks } from '../../shared/destinations/databricks/reusable-databricks.js';
import { s3ClientFromEnv } from '../../shared/storage/s3-client.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { createLoadHandler } from './handler.js';

/**
 * The load handler on the function's environment: Databricks settings from the Secrets Manager
 * secret, one connection per container.
 */
export function loadHandlerFromEnv(env: NodeJS.ProcessEnv) {
  const settings = parseRuntimeEnv(env, ['DATABRICKS_SECRET_ID']);
  const destination = reusableDatabricks(settings.DATABRICKS_SECRET_ID!, {
    // below the function's 15-minute timeout, so a statement ends before the function does
    query_timeout_seconds: 780,
    ...(settings.STAGING_ROLE_ARN && { staging_role_arn: settings.STAGING_ROLE_ARN }),
  });
  return createLoadHandler({
    storage: new S3FileStorage(s3ClientFromEnv(env), settings.STAGING_BUCKET, settings.STAGING_PREFIX),
    destination,
    maxReceiveCount: settings.MAX_RECEIVE_COUNT,
    logger: new Logger({ serviceName: 'sluice-load' }),
    metrics: new Metrics({ namespace: 'Sluice', serviceName: 'sluice-load' }),
  });
}
