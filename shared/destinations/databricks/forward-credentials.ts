import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { ForwardedKeys } from './staging-credentials.js';

/** AWS' shortest AssumeRole session; a load that needs longer asks for more. */
export const MIN_SESSION_SECONDS = 900;

/** Read-only access to exactly one package's staged files: get them, and list only their prefix. */
export function readOnlySessionPolicy(bucket: string, prefix: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReadPackageFiles',
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: [`arn:aws:s3:::${bucket}/${prefix}*`],
      },
      {
        Sid: 'ListPackageFiles',
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [`arn:aws:s3:::${bucket}`],
        Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } },
      },
    ],
  };
}

/** The s3 bucket and key prefix of a folder URL (`s3://bucket/a/b/`). */
export function splitS3Url(url: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (match === null) throw new Error(`forwarded credentials need s3:// staging, got ${url}`);
  return { bucket: match[1]!, prefix: match[2]! };
}

/**
 * Temporary keys for one load: the dedicated read-only role assumed with a session policy that
 * narrows it to this package's prefix, for as short a time as the load needs. Never the
 * caller's own credentials.
 */
export async function assumeReadOnlyRole(
  sts: STSClient,
  options: { roleArn: string; folderUrl: string; durationSeconds: number; sessionName: string },
): Promise<ForwardedKeys & { expiration?: Date }> {
  const { bucket, prefix } = splitS3Url(options.folderUrl);
  const response = await sts.send(
    new AssumeRoleCommand({
      RoleArn: options.roleArn,
      RoleSessionName: options.sessionName.replace(/[^\w+=,.@-]/g, '-').slice(0, 64),
      DurationSeconds: Math.max(MIN_SESSION_SECONDS, Math.ceil(options.durationSeconds)),
      Policy: JSON.stringify(readOnlySessionPolicy(bucket, prefix)),
    }),
  );
  const keys = response.Credentials;
  if (
    keys?.AccessKeyId === undefined ||
    keys.SecretAccessKey === undefined ||
    keys.SessionToken === undefined
  ) {
    throw new Error(`AssumeRole of ${options.roleArn} returned no credentials`);
  }
  return {
    accessKeyId: keys.AccessKeyId,
    secretAccessKey: keys.SecretAccessKey,
    sessionToken: keys.SessionToken,
    expiration: keys.Expiration,
  };
}
