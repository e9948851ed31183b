import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { gunzip, gunzipped } from '../../shared/util/gunzip.js';
import { chunkedBody } from '../support/chunked-body.js';

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

  it('ends the source of a gunzipped stream its reader leaves early, and passes on its failure', async () => {
    const text = Array.from({ length: 400_000 }, (_, i) => `{"n":${i}}`).join('\n');
    const zipped = gzipSync(text);
    const source = chunkedBody(zipped, 4096);
    for await (const piece of gunzipped(source)) {
      expect((piece as Buffer).length).toBeGreaterThan(0);
      break;
    }
    await vi.waitFor(() => expect(source.destroyed).toBe(true), { timeout: 1000, interval: 5 });

    const failing = new Readable({ read() {} });
    failing.push(zipped.subarray(0, 4096));
    setImmediate(() => failing.destroy(new Error('connection reset')));
    await expect(
      (async () => {
        for await (const _ of gunzipped(failing));
      })(),
    ).rejects.toThrow('connection reset');
  });
});
