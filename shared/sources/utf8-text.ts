import { isUtf8 } from 'node:buffer';
import { SourceError } from './source-error.js';

/**
 * Passes a source's bytes on in pieces that end on whole characters, refusing bytes that are not
 * UTF-8 with the line they are on. Decoding them would put U+FFFD in their place and load changed
 * data without a word (a Latin-1 `café` would arrive as `caf\uFFFD`).
 */
export async function* checkedUtf8(
  name: string,
  chunks: AsyncIterable<Buffer> | Iterable<Buffer>,
): AsyncIterable<Buffer> {
  let carry: Buffer | undefined;
  let linesBefore = 0;
  for await (const chunk of chunks) {
    const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const end = wholeCharactersEnd(bytes);
    const whole = bytes.subarray(0, end);
    if (!isUtf8(whole)) throw notUtf8(name, whole, linesBefore);
    linesBefore += countNewlines(whole);
    carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : undefined;
    if (whole.length > 0) yield whole;
  }
  if (carry !== undefined) throw notUtf8(name, carry, linesBefore);
}

/** Where the last complete character ends: a multi-byte sequence cut by the chunk waits for the next. */
function wholeCharactersEnd(bytes: Buffer): number {
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const byte = bytes[i]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back for its lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return i + length > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) count++;
  return count;
}

/** The error for bytes that are not UTF-8, on the first line that holds such bytes. */
function notUtf8(name: string, bytes: Buffer, linesBefore: number): SourceError {
  let line = linesBefore + 1;
  // a newline byte is never inside a multi-byte character, so each line can be checked alone
  for (let start = 0; ; line++) {
    const end = bytes.indexOf(10, start);
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end)) || end === -1) break;
    start = end + 1;
  }
  return new SourceError(
    name,
    'not valid UTF-8 text (save it as UTF-8, or name its encoding, such as latin1)',
    line,
  );
}
