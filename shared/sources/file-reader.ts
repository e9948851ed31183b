import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipped } from '../util/gunzip.js';
import { SourceError } from './source-error.js';
import { textAsUtf8 } from './text-encoding.js';
import { checkedUtf8 } from './utf8-text.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a local file as its decoded text (see `decodeSourceStream`). A missing file is refused
 * with an error naming it.
 */
export async function openSourceStream(path: string, gzip: boolean, encoding?: string): Promise<Readable> {
  const handle = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw new SourceError(path, error.code === 'ENOENT' ? 'file not found' : error.message, undefined, {
      cause: error,
    });
  });
  return decodeSourceStream(path, handle.createReadStream({ autoClose: true }), gzip, encoding);
}

/**
 * Checks and decodes a source's bytes (a local file or an S3 object) into UTF-8 text, inflating
 * gzip whatever the name says: refuses an empty body (also once inflated), a `.gz` name whose bytes
 * are not gzip, a gzip body that breaks off, and text that is not UTF-8 (or in the `encoding`
 * named, or UTF-16 marked as such), naming the source.
 */
export async function decodeSourceStream(
  name: string,
  raw: Readable,
  gzip: boolean,
  encoding?: string,
): Promise<Readable> {
  const chunks = raw[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) throw new SourceError(name, 'file is empty');
  const head = first.value as Buffer;
  const gzipped = head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (gzip && !gzipped) {
    raw.destroy();
    throw new SourceError(name, 'file name ends in .gz but the content is not gzip');
  }
  const bytes = async function* () {
    try {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
    } finally {
      // a reader that stops early (bad input further on) lets go of the file or the S3 body at
      // once, not when the collector finds it
      raw.destroy();
    }
  };
  // Gzip without `.gz` in the name (`aws s3 cp --content-encoding gzip`, exports named `.json`) is
  // inflated all the same: text cannot start with these bytes, 0x8b never begins a UTF-8 character.
  if (!gzipped) return Readable.from(checkedUtf8(name, textAsUtf8(name, bytes(), encoding)));
  // gunzipped: a failing body fails the inflating, and a reader that stops ends the bytes above
  const inflating = gunzipped(Readable.from(bytes()));
  return Readable.from(checkedUtf8(name, textAsUtf8(name, inflated(name, inflating), encoding)));
}

/** The inflated bytes; a gzip body that breaks off, is corrupt or holds nothing is refused by name. */
async function* inflated(name: string, stream: Readable): AsyncIterable<Buffer> {
  let empty = true;
  try {
    for await (const chunk of stream) {
      empty &&= (chunk as Buffer).length === 0;
      yield chunk as Buffer;
    }
  } catch (error) {
    throw new SourceError(name, `content is not valid gzip: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
  if (empty) throw new SourceError(name, 'file is empty');
}
