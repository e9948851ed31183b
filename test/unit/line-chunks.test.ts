import { describe, expect, it, vi } from 'vitest';
import { lineChunks } from '../../shared/pipeline/normalize-parallel.js';
import { lineBatches } from '../../shared/sources/lines.js';

async function* parts(text: string, partSize: number): AsyncIterable<Buffer> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += partSize) yield bytes.subarray(i, i + partSize);
}

async function pieces(text: string, partSize: number, size: number) {
  const out: { text: string; lines: number }[] = [];
  for await (const { data, lines } of lineChunks(parts(text, partSize), size))
    out.push({ text: data.toString(), lines });
  return out;
}

describe('lineChunks', () => {
  it('cuts at line ends near the size, whatever the stream parts, and counts lines', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `{"n":${i},"s":"${'é'.repeat(i % 13)}"}`).join('\n');
    for (const partSize of [7, 100, 4096, 1 << 20]) {
      const out = await pieces(text, partSize, 300);
      expect(out.map((p) => p.text).join('')).toBe(text);
      expect(out.slice(0, -1).every((p) => p.text.endsWith('\n'))).toBe(true);
      expect(out.reduce((n, p) => n + p.lines, 0)).toBe(500);
      // a piece's lines: its line ends, plus the unterminated last line of the stream
      expect(out.map((p) => p.lines)).toEqual(out.map((p) => p.text.match(/\n|[^\n]$/g)?.length));
      expect(Math.max(...out.map((p) => Buffer.byteLength(p.text)))).toBeLessThanOrEqual(300);
    }
  });

  it('keeps a line longer than the size whole', async () => {
    const long = 'x'.repeat(1000);
    const out = await pieces(`a\n${long}\nb\n`, 64, 100);
    expect(out.map((p) => p.text)).toEqual(['a\n', `${long}\n`, 'b\n']);
    expect(out.map((p) => p.lines)).toEqual([1, 1, 1]);
  });

  it('joins the parts of a very long line once, not once per part', async () => {
    const long = `${'y'.repeat(1_000_000)}\n`;
    const concat = vi.spyOn(Buffer, 'concat');
    const out = await pieces(`a\n${long}b`, 1024, 4096);
    expect(out.map((p) => p.text.length)).toEqual([2, long.length, 1]);
    // the line spans about 1000 parts; joining at each would copy it over and over
    expect(concat.mock.calls.length).toBeLessThan(10);
    concat.mockRestore();
  });
});

async function batchedLines(text: string, partSize: number): Promise<string[]> {
  const out: string[] = [];
  for await (const lines of lineBatches(parts(text, partSize))) out.push(...lines);
  return out;
}

describe('lineBatches', () => {
  it('decodes characters whose bytes two parts share whole', async () => {
    // two-, three- and four-byte characters: every part size cuts some of them
    const lines = Array.from({ length: 200 }, (_, i) => `{"n":${i},"s":"${'é日😀'.repeat(i % 7)}"}`);
    for (const partSize of [1, 2, 3, 5, 64, 4096])
      expect(await batchedLines(lines.join('\n'), partSize)).toEqual(lines);
  });

  it('ends lines at LF or CRLF, a CRLF cut between parts included, keeping empty lines', async () => {
    expect(await batchedLines('a\r\n\r\nb\nc\r\n', 2)).toEqual(['a', '', 'b', 'c']);
    expect(await batchedLines('a\r\nb', 2)).toEqual(['a', 'b']);
    expect(await batchedLines('', 4)).toEqual([]);
  });

  it('joins a line longer than many parts once', async () => {
    const long = 'ü'.repeat(100_000);
    const concat = vi.spyOn(Buffer, 'concat');
    expect(await batchedLines(`a\n${long}\nb`, 1000)).toEqual(['a', long, 'b']);
    expect(concat.mock.calls.length).toBeLessThan(5);
    concat.mockRestore();
  });
});
