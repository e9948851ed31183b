import { TextDecoder } from 'node:util';
import { SourceError } from './source-error.js';

/**
 * Text saved as UTF-16 with its byte order mark (Windows PowerShell's `>` and `Out-File`, Excel's
 * "Unicode text") passed on as UTF-8, the mark dropped; any other bytes pass unchanged. Without
 * this such a file is refused as not UTF-8, though the mark says exactly how to read it.
 */
export async function* utf16AsUtf8(name: string, chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  let decoder: TextDecoder | undefined;
  let first = true;
  for await (const chunk of chunks) {
    if (first) {
      first = false;
      const encoding = byteOrderMark(chunk);
      if (encoding !== undefined) decoder = new TextDecoder(encoding, { fatal: true });
    }
    if (decoder === undefined) yield chunk;
    else yield Buffer.from(decoded(name, decoder, chunk), 'utf8');
  }
  if (decoder !== undefined) {
    const rest = decoded(name, decoder, undefined);
    if (rest !== '') yield Buffer.from(rest, 'utf8');
  }
}

function byteOrderMark(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** A chunk decoded (a character cut by the chunk waits for the next); undefined ends the text. */
function decoded(name: string, decoder: TextDecoder, chunk: Buffer | undefined): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch (error) {
    // half a surrogate pair, or an odd number of bytes at the end
    throw new SourceError(name, `not valid ${decoder.encoding.toUpperCase()} text`, undefined, {
      cause: error,
    });
  }
}
