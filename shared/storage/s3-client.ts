import { S3Client } from '@aws-sdk/client-s3';

/**
 * An S3 client for the environment. A custom endpoint (moto, MinIO) serves buckets by path, not
 * by host name, so it gets path-style addressing.
 */
export function s3ClientFromEnv(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  return new S3Client({
    ...(endpoint && { endpoint, forcePathStyle: true }),
    region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
  });
}
