import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';
import { parseRuntimeEnv } from '../../shared/config/runtime-env.js';
import { SecretValues } from '../../shared/config/secret-values.js';
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
    logger: new Logger({ serviceName: 'sluice-extract' }),
    metrics: new Metrics({ namespace: 'Sluice', serviceName: 'sluice-extract' }),
  });
}
