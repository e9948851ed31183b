import { TextDecoder } from 'node:util';
import { SourceError } from './source-error.js';

/** What to name where an encoding label is refused. */
export const TEXT_ENCODING_EXPECTED = 'an encoding such as latin1, windows-1252 or utf-16le';

/** Whether `label` names an encoding text sources can be read in (`latin1`, `windows-1252`, `utf-16le`). */
export function isTextEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/**
 * A source's text as UTF-8. Bytes in a named encoding (a `latin1` export) are decoded from it;
 * without one, UTF-16 opening with its byte order mark (Windows PowerShell's `>` and `Out-File`,
 * Excel's "Unicode text") is decoded, the mark dropped, and any other bytes pass unchanged to be
 * checked as UTF-8.
 */
export async function* textAsUtf8(
  name: string,
  chunks: AsyncIterable<Buffer>,
  encoding?: string,
): AsyncIterable<Buffer> {
  const named = encoding === undefined || /^utf-?8$/i.test(encoding) ? undefined : encoding;
  let decoder = named === undefined ? undefined : new TextDecoder(named, { fatal: true });
  let first = true;
  for await (const chunk of chunks) {
    if (first && named === undefined) {
      const marked = byteOrderMark(chunk);
      if (marked !== undefined) decoder = new TextDecoder(marked, { fatal: true });
    }
    first = false;
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
    // bytes the encoding has no character for: in UTF-16, half a surrogate pair or an odd byte
    throw new SourceError(name, `not valid ${decoder.encoding.toUpperCase()} text`, undefined, {
      cause: error,
    });
  }
}
