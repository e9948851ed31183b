import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzip } from '../util/gunzip.js';
import { SourceError } from './source-error.js';
import { checkedUtf8 } from './utf8-text.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a local file as a byte stream, gunzipping it when asked. A missing file, an empty one,
 * and one that claims gzip but is not are refused with an error naming it.
 */
export async function openSourceStream(path: string, gzip: boolean): Promise<Readable> {
  const handle = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw new SourceError(path, error.code === 'ENOENT' ? 'file not found' : error.message, undefined, {
      cause: error,
    });
  });
  return decodeSourceStream(path, handle.createReadStream({ autoClose: true }), gzip);
}

/**
 * Checks and decodes a source's bytes (a local file or an S3 object): refuses an empty body and
 * a `.gz` name whose bytes are not gzip, naming the source.
 */
export async function decodeSourceStream(name: string, raw: Readable, gzip: boolean): Promise<Readable> {
  const chunks = raw[Symbol.asyncIterator]();
  const first = await chunks.next();
  if (first.done) throw new SourceError(name, 'file is empty');
  const head = first.value as Buffer;
  if (gzip && (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1])) {
    raw.destroy();
    throw new SourceError(name, 'file name ends in .gz but the content is not gzip');
  }
  const replay = Readable.from(
    (async function* () {
      yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
    })(),
  );
  if (!gzip) return Readable.from(checkedUtf8(name, replay));
  const inflate = gunzip();
  replay.on('error', (error) => inflate.destroy(error));
  return Readable.from(checkedUtf8(name, inflated(name, replay.pipe(inflate))));
}

/** A gzip body that breaks off or is corrupt is refused by name, whichever reader is reading. */
async function* inflated(name: string, stream: Readable): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new SourceError(name, `content is not valid gzip: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}
