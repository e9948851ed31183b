import { gzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { decodeSourceStream } from '../../shared/sources/file-reader.js';
import { chunkedBody } from '../support/chunked-body.js';

const LINES = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `{"id":${i}}\n`).join(''));

describe('a source read only in part', () => {
  // a reader stops at the first bad line; the file's handle (or the S3 connection) must go then,
  // not when the collector finds it (Node warns of that, and means to make it an error)
  for (const [form, bytes] of [
    ['plain', LINES],
    ['gzipped', gzipSync(LINES)],
  ] as const) {
    it(`lets go of its ${form} body when the reader stops early`, async () => {
      const raw = chunkedBody(bytes, 1024);
      const text = await decodeSourceStream('orders.jsonl', raw, false);
      for await (const chunk of text) {
        expect((chunk as Buffer).length).toBeGreaterThan(0);
        break;
      }
      // the stop travels up through the inflating stream in a few turns of the event loop
      await vi.waitFor(() => expect(raw.destroyed).toBe(true), { timeout: 1000, interval: 5 });
    });

    it(`reads its ${form} body to the end otherwise`, async () => {
      const text = await decodeSourceStream('orders.jsonl', chunkedBody(bytes, 1024), false);
      const chunks: Buffer[] = [];
      for await (const chunk of text) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(LINES)).toBe(true);
    });
  }
});
