import { describe, expect, it } from 'vitest';
import {
  readOnlySessionPolicy,
  splitS3Url,
} from '../../shared/destinations/databricks/forward-credentials.js';

describe('forwarded staging credentials', () => {
  it('narrow the role to reading and listing one package prefix', () => {
    const { bucket, prefix } = splitS3Url(
      's3://staging-bucket/runs/p/packages/1732190400.123456/normalized/',
    );
    expect(readOnlySessionPolicy(bucket, prefix)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ReadPackageFiles',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::staging-bucket/runs/p/packages/1732190400.123456/normalized/*'],
        },
        {
          Sid: 'ListPackageFiles',
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::staging-bucket'],
          Condition: { StringLike: { 's3:prefix': ['runs/p/packages/1732190400.123456/normalized/*'] } },
        },
      ],
    });
  });

  it('refuses a staging location that is not S3', () => {
    expect(() => splitS3Url('/local/path/')).toThrow(/s3:\/\//);
  });
});
