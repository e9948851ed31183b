import { describe, expect, it } from 'vitest';
import { checkedUtf8 } from '../../shared/sources/utf8-text.js';

async function passThrough(pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of checkedUtf8('f.jsonl', pieces)) out.push(piece);
  return Buffer.concat(out);
}

describe('checkedUtf8', () => {
  it('passes UTF-8 on unchanged however the chunks cut its characters', async () => {
    const text = Buffer.from('a ü € 😀\nß\n');
    for (let cut = 0; cut <= text.length; cut++) {
      for (let second = cut; second <= text.length; second++) {
        const pieces = [text.subarray(0, cut), text.subarray(cut, second), text.subarray(second)];
        expect((await passThrough(pieces)).equals(text), `cut at ${cut} and ${second}`).toBe(true);
      }
    }
  });

  it('names the line of bytes that are not UTF-8, also when they end the file', async () => {
    const lines = Buffer.from('x\ny\n');
    await expect(passThrough([lines, Buffer.from([0x7a, 0xff, 0x0a])])).rejects.toThrow(
      'f.jsonl:3: not valid UTF-8 text',
    );
    // a character cut off by the end of the file
    await expect(passThrough([lines, Buffer.from('z€').subarray(0, 3)])).rejects.toThrow(
      'f.jsonl:3: not valid UTF-8 text',
    );
  });
});
