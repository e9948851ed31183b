import { App, Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { UNITY_CATALOG_MASTER_ROLE } from '../../cdk/constructs/databricks-access.js';
import { SluiceStack } from '../../cdk/sluice-stack.js';
import { parseSluiceConfig, type SluiceConfigInput } from '../../shared/config/pipelines.js';

const input: SluiceConfigInput = {
  pipelines: [
    {
      name: 'shop',
      dataset: 'shop',
      resources: [
        { name: 'orders', writeDisposition: 'merge', primaryKey: ['id'], drop: { prefix: 'inbox/orders/' } },
        { name: 'events', drop: { prefix: 'inbox/events/' } },
      ],
    },
    {
      name: 'rates',
      dataset: 'finance',
      resources: [
        {
          name: 'fx_rates',
          source: {
            kind: 'rest_api',
            baseUrl: 'https://api.example.com/',
            path: 'rates',
            auth: { type: 'bearer', token: { secretId: 'rates/api-token' } },
          },
        },
      ],
      schedules: [{ expression: 'rate(1 hour)' }, { expression: 'cron(0 3 * * ? *)' }],
    },
  ],
  alarmEmail: 'data-team@example.com',
  unityCatalogExternalId: '00000000-1111-2222-3333-444444444444',
  maxReceiveCount: 4,
  loadConcurrency: 3,
};

/** Synthesizes without bundling (bundling has its own test), with cdk-nag's AwsSolutions pack. */
function synth(config = input) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SluiceStack(app, 'Sluice', {
    config: parseSluiceConfig(config),
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

let template: Template;
beforeAll(() => {
  const { stack } = synth();
  template = Template.fromStack(stack);
});

describe('the CDK stack', () => {
  it('passes cdk-nag AwsSolutions with every finding acknowledged with a reason', () => {
    const { app } = synth();
    expect(() => app.synth()).not.toThrow();
  });

  it('fails synthesis on an unacknowledged cdk-nag finding (the check is live)', () => {
    const { app, stack } = synth();
    new s3.Bucket(stack, 'Careless'); // no TLS enforcement, no access logs
    expect(() => app.synth()).toThrow(/AwsSolutions-S1.*Careless|Careless.*AwsSolutions-S1/s);
  });

  it('has encrypted, private, TLS-only, versioned buckets with access logs and package expiry', () => {
    template.resourceCountIs('AWS::S3::Bucket', 3);
    const buckets = template.findResources('AWS::S3::Bucket');
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toMatchObject({
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' },
      });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'staging/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'expire-shop-packages', Prefix: 'shop/packages/', ExpirationInDays: 30 }),
          Match.objectLike({ Id: 'expire-rates-drops', Prefix: 'rates/drops/', ExpirationInDays: 30 }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'inbox/' },
    });
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const denyInsecure = policies.filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('"aws:SecureTransport":"false"'),
    );
    expect(denyInsecure).toHaveLength(3);
  });

  it('has three stage queues with dead-letter queues; load is FIFO; visibility is six function timeouts', () => {
    template.resourceCountIs('AWS::SQS::Queue', 6);
    const timeout = Duration.minutes(15).toSeconds();
    for (const fifo of [false, true]) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        ...(fifo ? { FifoQueue: true } : {}),
        VisibilityTimeout: timeout * 6,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 4 },
      });
    }
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues.filter((q) => q.Properties.FifoQueue === true)).toHaveLength(2);
    expect(queues.filter((q) => q.Properties.RedrivePolicy !== undefined)).toHaveLength(3);
  });

  it('runs each stage on Node.js 24 on arm64 with its size and environment', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Runtime: 'nodejs24.x' },
    });
    expect(Object.keys(functions)).toHaveLength(3);
    for (const [memory, env] of [
      [1024, { STAGING_BUCKET: Match.anyValue(), NORMALIZE_QUEUE_URL: Match.anyValue() }],
      // 2048 MiB is little more than one vCPU: normalize runs in one thread
      [2048, { LOAD_QUEUE_URL: Match.anyValue(), NORMALIZE_WORKERS: '1' }],
      [
        512,
        {
          DATABRICKS_SECRET_ID: Match.anyValue(),
          STAGING_ROLE_ARN: Match.anyValue(),
          MAX_RECEIVE_COUNT: '4',
        },
      ],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: memory,
        Timeout: 900,
        Environment: { Variables: Match.objectLike(env) },
        LoggingConfig: { LogFormat: 'JSON' },
      });
    }
  });

  it('gives normalize the configured memory and one worker thread per vCPU it buys', () => {
    for (const [memory, workers] of [
      [3538, '2'],
      [7076, '4'],
      [10_240, '5'],
    ] as const) {
      const { stack } = synth({ ...input, normalizeMemoryMiB: memory });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        MemorySize: memory,
        Environment: { Variables: Match.objectLike({ NORMALIZE_WORKERS: workers }) },
      });
    }
  });

  it('feeds extract from inbox notifications per drop prefix, with batching and partial failures', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/orders/' }] } },
          }),
          Match.objectLike({
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'inbox/events/' }] } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 30,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      ReservedConcurrentExecutions: 3,
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('schedules each configured pull with the pipeline named in a scheduled event', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    const input = rules.map((r) => r.Properties.Targets[0].InputTransformer.InputTemplate as string);
    expect(input[0]).toContain('"detail-type":"Scheduled Event"');
    expect(input[0]).toContain('"detail":{"pipeline":"rates"}');
  });

  it('grants each function only what it touches', () => {
    const statements = (fn: string) => {
      const policies = template.findResources('AWS::IAM::Policy');
      const mine = Object.entries(policies).filter(([id]) => id.startsWith(fn));
      return JSON.stringify(mine.map(([, p]) => p.Properties.PolicyDocument.Statement));
    };
    const extract = statements('Extract');
    expect(extract).toContain('/inbox/orders/*');
    expect(extract).toContain('s3:GetObjectVersion');
    expect(extract).not.toContain('s3:DeleteObject');
    // the pulled source's secret, and the Databricks one to read a pipeline's state back from its
    // dataset; it never assumes the role whose keys are forwarded
    expect(extract).toContain('secret:rates/api-token-??????');
    expect(extract).toContain('DatabricksSecret');
    expect(extract).not.toContain('sts:AssumeRole');
    const normalize = statements('Normalize');
    expect(normalize).not.toContain('/inbox/');
    expect(normalize).not.toContain('DatabricksSecret');
    expect(normalize).not.toContain('sts:AssumeRole');
    const load = statements('Load');
    expect(load).toContain('secretsmanager:GetSecretValue');
    expect(load).toContain('sts:AssumeRole');
    expect(load).toContain('s3:DeleteObject');
    expect(load).not.toContain('sqs:SendMessage');
  });

  it('creates the Databricks secret, the read-only COPY role and the Unity Catalog role', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { AWS: UNITY_CATALOG_MASTER_ROLE },
            Condition: { StringEquals: { 'sts:ExternalId': input.unityCatalogExternalId } },
          }),
        ]),
      },
    });
    const copyRole = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) =>
      id.startsWith('DatabricksCopyReaderRole'),
    );
    expect(JSON.stringify(copyRole![1].Properties.AssumeRolePolicyDocument)).toContain(
      'LoadFunctionServiceRole',
    );
    const copyPolicy = Object.entries(template.findResources('AWS::IAM::Policy')).find(([id]) =>
      id.startsWith('DatabricksCopyReaderRole'),
    );
    const actions = JSON.stringify(copyPolicy![1].Properties.PolicyDocument);
    expect(actions).toContain('s3:GetObject');
    expect(actions).not.toContain('s3:PutObject');
  });

  it('uses an existing secret when the configuration names one', () => {
    const { stack } = synth({ ...input, databricksSecret: 'prod/databricks' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('secret:prod/databricks-??????');
  });

  it('alarms on dead letters, stuck queues and function errors to an encrypted topic, and has a dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 9);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('MonitoringAlarms') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: 3600,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: input.alarmEmail,
    });
    const dashboard = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard).toContain('MetricName=\\\\\\"Rows\\\\\\"');
    expect(dashboard).toContain('Queue depth');
  });

  it('tells the user where to drop files, what to fill in and where the dashboard is', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'DropFilesHere',
        'DatabricksSecret',
        'CopyReaderRole',
        'UnityCatalogRole',
        'Dashboard',
        'StagingBucket',
      ]),
    );
    expect(JSON.stringify(outputs.DropFilesHere)).toContain('/inbox/orders/');
  });
});
