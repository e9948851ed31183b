import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gunzip } from '../../shared/util/gunzip.js';

describe('gunzip', () => {
  it('inflates in 256 KiB pieces and keeps up to 1 MiB of them ready ahead of the reader', async () => {
    const text = Array.from({ length: 200_000 }, (_, i) => `{"n":${i}}`).join('\n');
    const inflate = gunzip();
    // the options reach the Transform zlib is built on, which its typings do not promise
    expect(inflate.readableHighWaterMark).toBe(1024 * 1024);
    const pieces: Buffer[] = [];
    for await (const piece of Readable.from([gzipSync(text)]).pipe(inflate)) pieces.push(piece as Buffer);
    expect(Math.max(...pieces.map((p) => p.length))).toBe(256 * 1024);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(text);
  });
});
