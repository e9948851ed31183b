import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type { Construct } from 'constructs';
import type { SluiceConfig } from '../shared/config/pipelines.js';
import { SluiceBuckets } from './constructs/buckets.js';
import { DatabricksAccess } from './constructs/databricks-access.js';
import { existingSecret } from './constructs/existing-secret.js';
import { allowObjects } from './constructs/least-privilege.js';
import { Monitoring } from './constructs/monitoring.js';
import { PipelineSchedules } from './constructs/schedules.js';
import { StageFunction } from './constructs/stage-function.js';
import { StageQueue } from './constructs/stage-queue.js';

export interface SluiceStackProps extends StackProps {
  config: SluiceConfig;
}

/**
 * Sizes from `npm run bench`: normalize is CPU-bound and holds one package's column buffers (under
 * 250 MB a thread on Node 20, under 350 MB on Node 24), so its memory (config `normalizeMemoryMiB`,
 * 2048 by default) buys vCPUs (1769 MB = 1 vCPU), each used by a worker thread; extract streams
 * (Parquet drops by ranged GETs, so /tmp stays at its default); load mostly waits on the warehouse.
 */
const SIZES = {
  extract: { memorySize: 1024, timeout: Duration.minutes(15) },
  normalize: { timeout: Duration.minutes(15) },
  load: { memorySize: 512, timeout: Duration.minutes(15) },
} as const;

/** Lambda's vCPUs at a memory size: one per 1769 MiB, at least one. */
function vcpus(memoryMiB: number): number {
  return Math.max(1, Math.floor(memoryMiB / 1769));
}

/** Drops grouped into one package: up to this many, or what arrives within the window. */
const EXTRACT_BATCH = { batchSize: 100, maxBatchingWindow: Duration.seconds(30) };

/** The whole loader: inbox and staging buckets, three queues and stages, schedules, secret, alarms. */
export class SluiceStack extends Stack {
  constructor(scope: Construct, id: string, props: SluiceStackProps) {
    super(scope, id, props);
    const { config } = props;
    const buckets = new SluiceBuckets(this, 'Buckets', config);
    const queues = {
      extract: new StageQueue(this, 'ExtractQueue', {
        consumerTimeout: SIZES.extract.timeout,
        maxReceiveCount: config.maxReceiveCount,
      }),
      normalize: new StageQueue(this, 'NormalizeQueue', {
        consumerTimeout: SIZES.normalize.timeout,
        maxReceiveCount: config.maxReceiveCount,
      }),
      // FIFO, one message group per dataset: a dataset's packages load in order
      load: new StageQueue(this, 'LoadQueue', {
        consumerTimeout: SIZES.load.timeout,
        maxReceiveCount: config.maxReceiveCount,
        fifo: true,
      }),
    };
    const common = {
      STAGING_BUCKET: buckets.staging.bucketName,
      MAX_RECEIVE_COUNT: String(config.maxReceiveCount),
    };
    const extract = new StageFunction(this, 'Extract', {
      stage: 'extract',
      ...SIZES.extract,
      readsOrWritesParquet: true,
      environment: { ...common, NORMALIZE_QUEUE_URL: queues.normalize.queue.queueUrl },
    }).fn;
    const normalize = new StageFunction(this, 'Normalize', {
      stage: 'normalize',
      ...SIZES.normalize,
      memorySize: config.normalizeMemoryMiB,
      readsOrWritesParquet: true,
      environment: {
        ...common,
        LOAD_QUEUE_URL: queues.load.queue.queueUrl,
        NORMALIZE_WORKERS: String(vcpus(config.normalizeMemoryMiB)),
      },
    }).fn;
    const load = new StageFunction(this, 'Load', {
      stage: 'load',
      ...SIZES.load,
      readsOrWritesParquet: false,
      environment: common,
      // the warehouse's concurrent-query limit bounds concurrent loads
      reservedConcurrency: config.loadConcurrency,
    }).fn;
    const databricks = new DatabricksAccess(this, 'Databricks', {
      config,
      staging: buckets.staging,
      loadRole: load.role!,
    });
    load.addEnvironment('DATABRICKS_SECRET_ID', databricks.secret.secretArn);
    // extract asks the dataset for a pipeline's state when the staging bucket holds none
    extract.addEnvironment('DATABRICKS_SECRET_ID', databricks.secret.secretArn);
    extract.addEnvironment('STAGING_ROLE_ARN', databricks.copyReaderRole.roleArn);
    load.addEnvironment('STAGING_ROLE_ARN', databricks.copyReaderRole.roleArn);

    // least privilege: each stage gets exactly the objects, queues and secret it touches
    const pipelineFolders = config.pipelines.map((pipeline) => `${pipeline.name}/`);
    const dropPrefixes = config.pipelines.flatMap((p) =>
      p.resources.flatMap((r) => (r.drop ? [r.drop.prefix] : [])),
    );
    if (dropPrefixes.length > 0)
      allowObjects(
        extract,
        buckets.inbox,
        dropPrefixes,
        ['s3:GetObject', 's3:GetObjectVersion'],
        'reads the files dropped under the configured prefixes',
      );
    const packageWork =
      'packages, schemas and state of the configured pipelines; load ids are only known at run time';
    allowObjects(
      extract,
      buckets.staging,
      pipelineFolders,
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      packageWork,
    );
    allowObjects(
      normalize,
      buckets.staging,
      pipelineFolders,
      ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'],
      packageWork,
    );
    // load deletes staged files after the load when keep_staged_files is false
    allowObjects(
      load,
      buckets.staging,
      pipelineFolders,
      ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      packageWork,
    );
    queues.normalize.queue.grantSendMessages(extract);
    sourceSecretIds(config).forEach((secretId, n) => {
      existingSecret(this, `SourceSecret${n}`, secretId).grantRead(extract);
    });
    queues.load.queue.grantSendMessages(normalize);
    databricks.secret.grantRead(load);
    databricks.secret.grantRead(extract);
    load.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [databricks.copyReaderRole.roleArn],
      }),
    );

    for (const pipeline of config.pipelines) {
      for (const resource of pipeline.resources) {
        if (resource.drop === undefined) continue;
        buckets.inbox.addEventNotification(
          s3.EventType.OBJECT_CREATED,
          new s3n.SqsDestination(queues.extract.queue),
          { prefix: resource.drop.prefix },
        );
      }
    }
    extract.addEventSource(
      new SqsEventSource(queues.extract.queue, { ...EXTRACT_BATCH, reportBatchItemFailures: true }),
    );
    normalize.addEventSource(
      new SqsEventSource(queues.normalize.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );
    load.addEventSource(
      new SqsEventSource(queues.load.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: config.loadConcurrency,
      }),
    );
    new PipelineSchedules(this, 'Schedules', { config, extract });

    const monitoring = new Monitoring(this, 'Monitoring', {
      stages: [
        { name: 'extract', fn: extract, queue: queues.extract },
        { name: 'normalize', fn: normalize, queue: queues.normalize },
        { name: 'load', fn: load, queue: queues.load },
      ],
      ...(config.alarmEmail && { alarmEmail: config.alarmEmail }),
    });

    Validations.of(this).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: "CDK's bucket-notification custom resource: the managed policy only lets it write its own logs",
    });
    new CfnOutput(this, 'DropFilesHere', {
      description: 'Drop files under these prefixes of the inbox bucket',
      value: config.pipelines
        .flatMap((p) =>
          p.resources.flatMap((r) => (r.drop ? [`s3://${buckets.inbox.bucketName}/${r.drop.prefix}`] : [])),
        )
        .join(' '),
    });
    new CfnOutput(this, 'DatabricksSecret', {
      description:
        'Fill this secret with server_hostname, http_path, catalog and access_token (or client_id + client_secret)',
      value: databricks.secret.secretArn,
    });
    new CfnOutput(this, 'StagingBucket', { value: `s3://${buckets.staging.bucketName}/` });
    new CfnOutput(this, 'CopyReaderRole', {
      description: 'staging_credentials_mode forward: the role whose short-lived keys COPY INTO gets',
      value: databricks.copyReaderRole.roleArn,
    });
    if (databricks.unityCatalogRole) {
      new CfnOutput(this, 'UnityCatalogRole', {
        description:
          'staging_credentials_mode credential/external_location: the IAM role of your storage credential',
        value: databricks.unityCatalogRole.roleArn,
      });
    }
    new CfnOutput(this, 'Dashboard', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${monitoring.dashboard.dashboardName}`,
    });
    new CfnOutput(this, 'AlarmTopic', { value: monitoring.topic.topicArn });
  }
}

/** The Secrets Manager secrets that pulled sources authenticate with (the extract stage reads them). */
function sourceSecretIds(config: SluiceConfig): string[] {
  const ids = new Set<string>();
  for (const pipeline of config.pipelines) {
    for (const resource of pipeline.resources) {
      const source = resource.source;
      const refs = source?.kind === 'postgres' ? [source.connection] : Object.values(source?.auth ?? {});
      for (const value of refs) {
        if (typeof value === 'object' && value !== null && 'secretId' in value)
          ids.add(String(value.secretId));
      }
    }
  }
  return [...ids];
}
