import { Readable } from 'node:stream';

/** `bytes` as a stream of `size`-byte chunks, as a file or an S3 object arrives. */
export function chunkedBody(bytes: Buffer, size: number): Readable {
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
    bytes.subarray(i * size, (i + 1) * size),
  );
  return Readable.from(chunks, { objectMode: false });
}
