/** Splits a byte stream into lines (without `\n` or `\r\n`), keeping memory to one chunk. */
export async function* splitLines(chunks: AsyncIterable<Buffer>): AsyncIterable<string> {
  for await (const lines of lineBatches(chunks)) yield* lines;
}

/**
 * The lines of a byte stream, a chunk's worth at a time: a hot loop over them stays synchronous
 * instead of awaiting once per line. Chunks are cut at line ends before they are decoded, so a
 * character whose bytes two chunks share arrives whole (decoding each chunk alone turned it into
 * two U+FFFD).
 */
export async function* lineBatches(chunks: AsyncIterable<Buffer>): AsyncIterable<string[]> {
  let linesBefore = 0;
  for await (const bytes of wholeLines(chunks)) {
    const lines = linesOfBytes(bytes, linesBefore);
    linesBefore += lines.length;
    yield lines;
  }
}

/** A byte stream cut at line ends: each piece holds whole lines (the last may lack its `\n`). */
export async function* wholeLines(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  // the bytes after the last line end seen, in pieces: a line longer than a chunk is joined once
  let rest: Buffer[] = [];
  let restLength = 0;
  for await (const chunk of chunks) {
    const end = chunk.lastIndexOf(10) + 1;
    if (end === 0) {
      rest.push(chunk);
      restLength += chunk.length;
      continue;
    }
    const whole =
      restLength === 0 ? chunk.subarray(0, end) : Buffer.concat([...rest, chunk.subarray(0, end)]);
    rest = end < chunk.length ? [chunk.subarray(end)] : [];
    restLength = chunk.length - end;
    yield whole;
  }
  if (restLength > 0) yield Buffer.concat(rest, restLength);
}

/** A line longer than the longest string JavaScript can hold (about 512M characters). */
export class LineTooLongError extends Error {
  override name = 'LineTooLongError';
  constructor(
    readonly line: number,
    bytes: number,
  ) {
    super(
      `a line of ${bytes.toLocaleString('en-US')} bytes is longer than one string can hold (512M characters)`,
    );
  }
}

/**
 * The lines of UTF-8 bytes (without `\n` or `\r\n`); a last line needs no line end. Each line is
 * decoded alone: V8 decodes an all-ASCII line several times faster than a chunk that holds one
 * accented letter anywhere.
 */
export function linesOfBytes(bytes: Buffer, linesBefore = 0): string[] {
  const bounds = lineBounds(bytes);
  const lines: string[] = [];
  for (let i = 0; i < bounds.length; i += 2)
    lines.push(decodeLine(bytes, bounds[i]!, bounds[i + 1]!, linesBefore + lines.length + 1));
  return lines;
}

/** Where each line of UTF-8 bytes starts and ends (before `\n` or `\r\n`), as pairs in one list. */
export function lineBounds(bytes: Buffer): number[] {
  const bounds: number[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    const next = end === -1 ? bytes.length : end + 1;
    if (end === -1) end = bytes.length;
    if (end > start && bytes[end - 1] === 13) end--;
    bounds.push(start, end);
    start = next;
  }
  return bounds;
}

/** The text of line `lineNumber`, held in bytes [start, end). */
export function decodeLine(bytes: Buffer, start: number, end: number, lineNumber: number): string {
  try {
    return bytes.toString('utf8', start, end);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_STRING_TOO_LONG') throw error;
    throw new LineTooLongError(lineNumber, end - start);
  }
}
