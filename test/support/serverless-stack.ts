import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalStackInfo } from '../warehouse/local-stack.js';
import { EventSourceRunner } from './event-source-runner.js';
import { localS3 } from './local-s3.js';

export interface Queue {
  url: string;
  arn: string;
  dlqUrl: string;
}

/** Test-sized versions of the stack's timeouts: a retry comes seconds, not minutes, later. */
export const FUNCTION_TIMEOUT_MS = 2_000;
export const VISIBILITY_TIMEOUT_SECONDS = 3;
export const MAX_RECEIVE_COUNT = 2;

/**
 * The AWS side of the deployed stack on moto, created the way the CDK stack wires it: an inbox
 * bucket notifying the extract queue, normalize and (FIFO) load queues, each with a dead-letter
 * queue, and the Databricks secret pointing at the local warehouse.
 */
export async function createServerlessStack(stack: LocalStackInfo) {
  const id = randomUUID().slice(0, 8);
  const clientConfig = {
    endpoint: stack.aws.endpoint,
    region: stack.aws.region,
    credentials: { accessKeyId: stack.aws.accessKeyId, secretAccessKey: stack.aws.secretAccessKey },
  };
  const sqs = new SQSClient(clientConfig);
  const s3: S3Client = localS3(stack);
  const secrets = new SecretsManagerClient(clientConfig);

  const queue = async (name: string, fifo = false): Promise<Queue> => {
    const suffix = fifo ? '.fifo' : '';
    const fifoAttributes = fifo ? { FifoQueue: 'true' } : {};
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-dlq-${id}${suffix}`, Attributes: fifoAttributes }),
    );
    const dlqArn = await arnOf(sqs, dlq.QueueUrl!);
    const main = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${name}-${id}${suffix}`,
        Attributes: {
          ...fifoAttributes,
          VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE_COUNT }),
        },
      }),
    );
    return { url: main.QueueUrl!, arn: await arnOf(sqs, main.QueueUrl!), dlqUrl: dlq.QueueUrl! };
  };
  const queues = {
    extract: await queue('sluice-extract'),
    normalize: await queue('sluice-normalize'),
    load: await queue('sluice-load', true),
  };

  const inboxBucket = `sluice-inbox-${id}`;
  await s3.send(new CreateBucketCommand({ Bucket: inboxBucket }));
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: inboxBucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            QueueArn: queues.extract.arn,
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/' }] } },
          },
        ],
      },
    }),
  );

  const w = stack.warehouse;
  const secret = await secrets.send(
    new CreateSecretCommand({
      Name: `sluice/databricks-${id}`,
      SecretString: JSON.stringify({
        credentials: {
          server_hostname: w.host,
          port: w.port,
          http_path: w.httpPath,
          catalog: w.catalog,
          access_token: w.accessToken,
        },
        ca_cert_file: w.caFile,
        // forward: the load stage assumes the read-only role (STAGING_ROLE_ARN below) on moto's STS
        staging_credentials_mode: 'forward',
      }),
    }),
  );

  /** The environment the CDK stack gives the functions. */
  const functionEnv = {
    STAGING_BUCKET: stack.stagingBucket,
    STAGING_PREFIX: `serverless-${id}`,
    NORMALIZE_QUEUE_URL: queues.normalize.url,
    LOAD_QUEUE_URL: queues.load.url,
    DATABRICKS_SECRET_ID: secret.ARN!,
    STAGING_ROLE_ARN: stack.copyRoleArn,
    MAX_RECEIVE_COUNT: String(MAX_RECEIVE_COUNT),
  };
  /** What the AWS SDK in a function reads: moto's endpoint and the test keys. */
  const awsEnv = {
    AWS_ENDPOINT_URL: stack.aws.endpoint,
    AWS_REGION: stack.aws.region,
    AWS_ACCESS_KEY_ID: stack.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stack.aws.secretAccessKey,
  };
  const runner = (q: Queue, batchSize: number) =>
    new EventSourceRunner({
      sqs,
      queueUrl: q.url,
      queueArn: q.arn,
      region: stack.aws.region,
      batchSize,
      functionTimeoutMs: FUNCTION_TIMEOUT_MS,
    });
  return {
    id,
    sqs,
    s3,
    inboxBucket,
    queues,
    functionEnv,
    awsEnv,
    runners: {
      extract: runner(queues.extract, 10),
      normalize: runner(queues.normalize, 5),
      load: runner(queues.load, 5),
    },
    secretArn: secret.ARN!,
    secrets,
    close() {
      sqs.destroy();
      s3.destroy();
      secrets.destroy();
    },
  };
}

async function arnOf(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

export type ServerlessStack = Awaited<ReturnType<typeof createServerlessStack>>;
