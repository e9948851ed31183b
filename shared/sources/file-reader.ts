import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { SourceError } from './source-error.js';

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Opens a local file as a byte stream, gunzipping it when asked. A file that claims gzip but
 * is not, or an empty file, is refused with an error naming it.
 */
export async function openSourceStream(path: string, gzip: boolean): Promise<Readable> {
  const handle = await open(path).catch((error: NodeJS.ErrnoException) => {
    throw new SourceError(path, error.code === 'ENOENT' ? 'file not found' : error.message, undefined, {
      cause: error,
    });
  });
  const { size } = await handle.stat();
  if (size === 0) {
    await handle.close();
    throw new SourceError(path, 'file is empty');
  }
  const head = Buffer.alloc(2);
  await handle.read(head, 0, 2, 0);
  const stream = handle.createReadStream({ start: 0, autoClose: true });
  if (!gzip) return stream;
  if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
    stream.destroy();
    throw new SourceError(path, 'file name ends in .gz but the content is not gzip');
  }
  const gunzip = createGunzip();
  stream.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', () => stream.destroy());
  return stream.pipe(gunzip);
}
