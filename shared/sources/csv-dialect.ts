import { Readable } from 'node:stream';

/** Delimiters a CSV file without a configured one may use, in order of preference on a tie. */
const DELIMITERS = [',', '\t', ';', '|'] as const;

/** Bytes read at most to find the header line. */
const HEADER_LIMIT = 64 * 1024;

/**
 * The delimiter of a header line: the candidate found most often outside quotes (DuckDB and
 * Python's csv module sniff the dialect too; spreadsheets export `;` where `,` is the decimal
 * mark); a comma when none is found, in a file of one column.
 */
export function sniffDelimiter(header: string, quote = '"'): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of header) {
    if (char === quote) quoted = !quoted;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(char))
      counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best: string = DELIMITERS[0];
  for (const candidate of DELIMITERS)
    if ((counts.get(candidate) ?? 0) > (counts.get(best) ?? 0)) best = candidate;
  return best;
}

/**
 * The first line of a text stream (up to 64 KiB of it) and a stream that still yields every byte:
 * the bytes read to find the line are replayed ahead of the rest.
 */
export async function peekFirstLine(stream: Readable): Promise<{ line: string; stream: Readable }> {
  const chunks = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : (next.value as Buffer);
    head.push(chunk);
    size += chunk.length;
    if (chunk.includes(0x0a) || size >= HEADER_LIMIT) break;
  }
  const bytes = Buffer.concat(head);
  const end = bytes.indexOf(0x0a);
  const line = bytes.toString('utf8', 0, end === -1 ? bytes.length : end);
  const replay = async function* () {
    yield bytes;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value as Buffer;
  };
  return { line, stream: Readable.from(replay(), { objectMode: false }) };
}
