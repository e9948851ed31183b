import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalStackInfo } from '../warehouse/local-stack.js';

/** An S3 client on the local stack's moto. */
export function localS3(stack: LocalStackInfo): S3Client {
  return new S3Client({
    endpoint: stack.aws.endpoint,
    region: stack.aws.region,
    forcePathStyle: true,
    credentials: { accessKeyId: stack.aws.accessKeyId, secretAccessKey: stack.aws.secretAccessKey },
  });
}

export async function putObject(
  stack: LocalStackInfo,
  key: string,
  body: Uint8Array | string,
): Promise<string> {
  const s3 = localS3(stack);
  try {
    await s3.send(new PutObjectCommand({ Bucket: stack.stagingBucket, Key: key, Body: body }));
  } finally {
    s3.destroy();
  }
  return `s3://${stack.stagingBucket}/${key}`;
}
