import { randomUUID } from 'node:crypto';
import { expect, inject, it } from 'vitest';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { fileStorageContract } from '../support/file-storage-contract.js';
import { localS3 } from '../support/local-s3.js';

const stack = inject('localStack');

// moto checks If-None-Match / If-Match but does not serialise racing writers (see the reference
// notes on moto), so the race cases run against the local implementation only.
fileStorageContract(
  'S3FileStorage on moto',
  async () => new S3FileStorage(localS3(stack), stack.stagingBucket, `contract/${randomUUID()}`),
  {
    atomicRaces: false,
  },
);

it('S3FileStorage names objects with s3:// URLs under its prefix, and streams multipart uploads', async () => {
  const storage = new S3FileStorage(localS3(stack), stack.stagingBucket, `contract/${randomUUID()}/`);
  const part = Buffer.alloc(6 * 1024 * 1024, 7);
  async function* big() {
    yield part;
    yield part;
  }
  expect(await storage.putStream('big.bin', big())).toBe(12 * 1024 * 1024);
  expect((await storage.list('big'))[0]).toEqual({ key: 'big.bin', size: 12 * 1024 * 1024 });
  expect(storage.url('x/y.parquet')).toMatch(
    new RegExp(`^s3://${stack.stagingBucket}/contract/[0-9a-f-]+/x/y\\.parquet$`),
  );
});
