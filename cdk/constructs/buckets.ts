import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';

/**
 * The inbox (where files are dropped) and the staging bucket (load packages, schemas, state;
 * what COPY INTO reads), both encrypted, private, TLS-only and versioned, with access logs.
 */
export class SluiceBuckets extends Construct {
  readonly inbox: s3.Bucket;
  readonly staging: s3.Bucket;
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, config: SluiceConfig) {
    super(scope, id);
    const secure = {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    };
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      ...secure,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'this is the access log bucket; it does not log to itself',
    });
    // versioning keeps an overwritten or deleted drop, schema or state recoverable
    const versioned = { ...secure, versioned: true, serverAccessLogsBucket: this.accessLogs };
    this.inbox = new s3.Bucket(this, 'Inbox', {
      ...versioned,
      serverAccessLogsPrefix: 'inbox/',
      lifecycleRules: [
        {
          id: 'expire-drops',
          ...(config.retention.inboxDays && { expiration: Duration.days(config.retention.inboxDays) }),
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
    });
    this.staging = new s3.Bucket(this, 'Staging', {
      ...versioned,
      serverAccessLogsPrefix: 'staging/',
      lifecycleRules: [
        // packages and drop claims age out; schemas and state (outside these prefixes) stay
        ...config.pipelines.flatMap((pipeline) =>
          ['packages', 'drops'].map((folder) => ({
            id: `expire-${pipeline.name}-${folder}`,
            prefix: `${pipeline.name}/${folder}/`,
            expiration: Duration.days(config.retention.packageDays),
          })),
        ),
        {
          id: 'expire-old-versions',
          noncurrentVersionExpiration: Duration.days(7),
          abortIncompleteMultipartUploadAfter: Duration.days(2),
        },
      ],
    });
  }
}
