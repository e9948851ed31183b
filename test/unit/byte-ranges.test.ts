import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ByteRanges, readingAhead } from '../../shared/sources/byte-ranges.js';

/** The bytes of a buffer as ranges, each read recorded. */
function bufferRanges(data: Uint8Array, reads: [number, number][]): ByteRanges {
  return {
    size: data.length,
    read: async (start, end) => {
      reads.push([start, end]);
      return data.slice(start, end);
    },
  };
}

describe('reading ahead', () => {
  it('serves the reads that fall in a fetched block from it, and fetches past it or at length', async () => {
    const data = new Uint8Array(randomBytes(1000));
    const fetched: [number, number][] = [];
    const ranges = readingAhead(bufferRanges(data, fetched), 100);
    const asked: [number, number][] = [
      [0, 10],
      [10, 50],
      [50, 100], // the end of the first block
      [90, 120], // reaches past it: a block from 90
      [120, 180],
      [500, 800], // a block's length or more: read as asked
      [990, 1000], // the last block stops at the object's end
      [995, 1000],
    ];
    for (const [start, end] of asked)
      expect(await ranges.read(start, end), `${start}-${end}`).toEqual(data.subarray(start, end));
    expect(fetched).toEqual([
      [0, 100],
      [90, 190],
      [500, 800],
      [990, 1000],
    ]);
  });
});
