/** Splits a stream of text chunks into lines (without `\n` or `\r\n`), keeping memory to one chunk. */
export async function* splitLines(chunks: AsyncIterable<string | Buffer>): AsyncIterable<string> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}
