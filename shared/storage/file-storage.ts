import type { Readable } from 'node:stream';

export interface VersionedObject {
  body: Buffer;
  /** An opaque version tag for compare-and-swap (an S3 ETag, a content hash locally). */
  etag: string;
}

export interface ListedObject {
  key: string;
  size: number;
}

/**
 * Where load packages, schemas and state live: an S3 bucket prefix or a local folder. Keys are
 * `/`-separated and relative to the storage root. Conditional writes are what make the stages
 * idempotent: markers are created only if absent, schemas and state swapped only if unchanged.
 */
export interface FileStorage {
  /** The URL of a key as a destination reads it (`s3://…` or an absolute file path). */
  url(key: string): string;
  get(key: string): Promise<VersionedObject | undefined>;
  getStream(key: string): Promise<Readable>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  /** Streams a body in (multipart on S3); visible only once complete. Returns the bytes written. */
  putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<number>;
  /** Creates the object only if no object has the key; false when it existed. */
  putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean>;
  /** Replaces the object only if its version is still `etag` (undefined: only if absent). */
  putIfMatch(key: string, body: Uint8Array | string, etag: string | undefined): Promise<boolean>;
  list(prefix: string): Promise<ListedObject[]>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Thrown when a key that must exist does not. */
export class StorageNotFoundError extends Error {
  override name = 'StorageNotFoundError';
  constructor(readonly key: string) {
    super(`no object at ${key}`);
  }
}
