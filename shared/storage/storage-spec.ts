import type { FileStorage } from './file-storage.js';
import { LocalFileStorage } from './local-storage.js';
import { s3ClientFromEnv } from './s3-client.js';
import { S3FileStorage } from './s3-storage.js';

/** How another thread opens the same storage: a folder, or a bucket prefix with the environment's S3 client. */
export type StorageSpec = { kind: 'local'; root: string } | { kind: 's3'; bucket: string; prefix: string };

export function openStorage(spec: StorageSpec, env: NodeJS.ProcessEnv = process.env): FileStorage {
  return spec.kind === 'local'
    ? new LocalFileStorage(spec.root)
    : new S3FileStorage(s3ClientFromEnv(env), spec.bucket, spec.prefix);
}
