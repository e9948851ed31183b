/** Splits a stream of text chunks into lines (without `\n` or `\r\n`), keeping memory to one chunk. */
export async function* splitLines(chunks: AsyncIterable<string | Buffer>): AsyncIterable<string> {
  for await (const lines of lineBatches(chunks)) yield* lines;
}

/**
 * The lines of a stream of text chunks, a chunk's worth at a time: a hot loop over them stays
 * synchronous instead of awaiting once per line.
 */
export async function* lineBatches(chunks: AsyncIterable<string | Buffer>): AsyncIterable<string[]> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const end = text.lastIndexOf('\n') + 1;
    rest = text.slice(end);
    if (end > 0) yield linesOf(text.slice(0, end));
  }
  if (rest !== '') yield linesOf(rest);
}

/** The lines of a whole text (without `\n` or `\r\n`); a last line needs no line end. */
export function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (!text.includes('\r')) return lines;
  return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}
