import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type ByteRanges, readingAhead } from './byte-ranges.js';

/** One version of an S3 object, as an event announced it. */
export interface S3ObjectVersion {
  bucket: string;
  key: string;
  etag?: string;
  versionId?: string;
}

/** Exactly the announced version: by its version id, else by its ETag; a newer one has its own event. */
function pinned(object: S3ObjectVersion): { VersionId?: string; IfMatch?: string } {
  if (object.versionId) return { VersionId: object.versionId };
  return object.etag ? { IfMatch: `"${object.etag}"` } : {};
}

/** The object's bytes as a stream. */
export async function openS3Object(s3: S3Client, object: S3ObjectVersion): Promise<Readable> {
  const response = await s3.send(
    new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...pinned(object) }),
  );
  // in Node the SDK's body is an http.IncomingMessage, a Readable
  return response.Body as Readable;
}

/**
 * The object read by ranged GETs, each of the same version: Parquet needs random access, and
 * reading the ranges where the object lies spares copying it to the function's small /tmp first.
 */
export async function s3ObjectRanges(s3: S3Client, object: S3ObjectVersion): Promise<ByteRanges> {
  const where = { Bucket: object.bucket, Key: object.key, ...pinned(object) };
  return readingAhead(
    {
      size: await objectSize(s3, where),
      async read(start, end) {
        if (end <= start) return new Uint8Array(0);
        const response = await s3.send(
          new GetObjectCommand({ ...where, Range: `bytes=${start}-${end - 1}` }),
        );
        if (response.Body === undefined)
          throw new Error(`s3://${object.bucket}/${object.key}: no bytes for the range ${start}-${end - 1}`);
        return response.Body.transformToByteArray();
      },
    },
    READ_AHEAD_BYTES,
  );
}

/** What one GET fetches at least: a few small row groups, and little memory beside a large one. */
const READ_AHEAD_BYTES = 8 * 1024 * 1024;

/**
 * The length of the object, from the first byte's `Content-Range` (`bytes 0-0/<length>`): a GET,
 * not a HEAD, so that a changed object fails as the stream's GET does, with S3's reason.
 */
async function objectSize(s3: S3Client, where: { Bucket: string; Key: string }): Promise<number> {
  try {
    const response = await s3.send(new GetObjectCommand({ ...where, Range: 'bytes=0-0' }));
    await response.Body?.transformToByteArray();
    const length = Number(/\/(\d+)$/.exec(response.ContentRange ?? '')?.[1]);
    if (!Number.isSafeInteger(length))
      throw new Error(`s3://${where.Bucket}/${where.Key}: S3 did not say the object's length`);
    return length;
  } catch (error) {
    // an empty object has no first byte; the Parquet reader then refuses it by name
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return 0;
    throw error;
  }
}
