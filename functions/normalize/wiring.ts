import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';
import { parseRuntimeEnv } from '../../shared/config/runtime-env.js';
import { databricksCapabilities } from '../../shared/destinations/databricks/databricks-capabilities.js';
import { PackageQueue } from '../../shared/queues/package-queue.js';
import { s3ClientFromEnv } from '../../shared/storage/s3-client.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { createNormalizeHandler } from './handler.js';

/** The normalize handler on the clients and settings of the function's environment. */
export function normalizeHandlerFromEnv(config: SluiceConfig, env: NodeJS.ProcessEnv) {
  const settings = parseRuntimeEnv(env, ['LOAD_QUEUE_URL']);
  return createNormalizeHandler({
    config,
    storage: new S3FileStorage(s3ClientFromEnv(env), settings.STAGING_BUCKET, settings.STAGING_PREFIX),
    workers: {
      count: settings.NORMALIZE_WORKERS,
      storage: { kind: 's3', bucket: settings.STAGING_BUCKET, prefix: settings.STAGING_PREFIX },
    },
    capabilities: databricksCapabilities,
    loadQueue: new PackageQueue(new SQSClient({}), settings.LOAD_QUEUE_URL!),
    maxReceiveCount: settings.MAX_RECEIVE_COUNT,
    logger: new Logger({ serviceName: 'sluice-normalize' }),
    metrics: new Metrics({ namespace: 'Sluice', serviceName: 'sluice-normalize' }),
  });
}
