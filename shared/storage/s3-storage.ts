import { Readable } from 'node:stream';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import {
  type FileStorage,
  type ListedObject,
  StorageNotFoundError,
  type VersionedObject,
} from './file-storage.js';

const DELETE_BATCH = 1000;

/**
 * FileStorage on an S3 bucket under a key prefix. Conditional writes use S3's If-None-Match
 * and If-Match, so markers are created once and schema/state swaps never lose an update.
 */
export class S3FileStorage implements FileStorage {
  private readonly prefix: string;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    prefix = '',
  ) {
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  }

  url(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  async get(key: string): Promise<VersionedObject | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      const body = Buffer.from(await object.Body!.transformToByteArray());
      return { body, etag: object.ETag ?? '' };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (isMissing(error)) throw new StorageNotFoundError(key);
      throw error;
    }
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    await this.putObject(key, body);
  }

  /** Multipart upload through lib-storage: parts stream out as they fill, memory stays bounded. */
  async putStream(key: string, body: AsyncIterable<Uint8Array>): Promise<number> {
    let bytes = 0;
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of body) {
          bytes += chunk.length;
          yield chunk;
        }
      })(),
    );
    await new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: this.prefix + key, Body: counted },
    }).done();
    return bytes;
  }

  async putIfAbsent(key: string, body: Uint8Array | string): Promise<boolean> {
    return this.conditionalPut(key, body, { IfNoneMatch: '*' });
  }

  async putIfMatch(key: string, body: Uint8Array | string, etag: string | undefined): Promise<boolean> {
    if (etag === undefined) return this.putIfAbsent(key, body);
    return this.conditionalPut(key, body, { IfMatch: etag });
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const found: ListedObject[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix + prefix,
          ContinuationToken: token,
        }),
      );
      for (const object of page.Contents ?? []) {
        found.push({ key: object.Key!.slice(this.prefix.length), size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return found.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH).map((key) => ({ Key: this.prefix + key }));
      await this.client.send(
        new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch, Quiet: true } }),
      );
    }
  }

  private async putObject(
    key: string,
    body: Uint8Array | string,
    condition: { IfNoneMatch?: string; IfMatch?: string } = {},
  ): Promise<void> {
    // the length said explicitly: the SDK warns of "a stream of unknown length" for an empty body
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentLength: length,
        ...condition,
      }),
    );
  }

  private async conditionalPut(
    key: string,
    body: Uint8Array | string,
    condition: { IfNoneMatch?: string; IfMatch?: string },
  ): Promise<boolean> {
    try {
      await this.putObject(key, body, condition);
      return true;
    } catch (error) {
      // 412: the condition failed; 409: a concurrent conditional write won; 404: If-Match on a missing key
      if (
        error instanceof S3ServiceException &&
        [412, 409, 404].includes(error.$metadata.httpStatusCode ?? 0)
      )
        return false;
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)
  );
}
