import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digest128,
  digest128Joined,
  digest128JoinedPair,
  uniqIdBase64,
  uniqIdHex,
} from '../../shared/util/digest.js';

const openssl = (input: string | Buffer, bytes = 10) =>
  createHash('shake128', { outputLength: bytes }).update(input).digest('base64').replace(/=+$/, '');

describe('digest128 (SHAKE128 through the WebAssembly Keccak)', () => {
  it('equals OpenSSL for every length across block boundaries, in UTF-8', () => {
    const alphabet = 'abc_XYZ019-é€😀\u0000';
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed;
    };
    for (let length = 0; length < 520; length++) {
      const text = Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
      expect(digest128(text), `length ${length}`).toBe(openssl(text));
    }
  });

  it('equals OpenSSL for dlt row-key inputs, other output sizes, buffers and long inputs', () => {
    expect(digest128('abcdefghijklmn_orders__items_2')).toBe('zXIIg+0PluhB+A');
    for (const bytes of [1, 2, 3, 4, 5, 8, 10, 11, 16, 32, 64, 167, 168])
      expect(digest128('parent_key_table_0', bytes), `${bytes} bytes`).toBe(
        openssl('parent_key_table_0', bytes),
      );
    const buffer = Buffer.from('{"id":1,"name":"x"}');
    expect(digest128(buffer)).toBe(openssl(buffer));
    const long = 'ü'.repeat(100_000); // beyond the module's memory: OpenSSL
    expect(digest128(long)).toBe(openssl(long));
    expect(digest128('x'.repeat(21_000))).toBe(openssl('x'.repeat(21_000)));
  });
});

describe('digest128Joined (nested row keys without building their text)', () => {
  it('equals digest128 of `parent_name_index`, non-ASCII and over-long parts included', () => {
    const cases: [string, string, number][] = [
      ['abcdefghijklmn', 'orders__items', 2],
      ['abcdefghijklmn', 'orders__items', 1_234_567_890_123],
      ['', '', 0],
      ['zXIIg+0PluhB+A', 'café__crème', 7],
      ['parent😀', 'items', 3],
      ['p'.repeat(300), 't'.repeat(200), 99],
      ['q'.repeat(70_000), 'items', 1],
    ];
    for (const [parent, name, index] of cases) {
      const text = `${parent}_${name}_${index}`;
      expect(digest128Joined(parent, name, index), text.slice(0, 40)).toBe(openssl(text));
    }
  });
});

describe('digest128JoinedPair (two nested row keys in one permutation)', () => {
  it('equals digest128Joined of each text, at and around the one-block limit and for other texts', () => {
    const texts: [string, string, number][] = [
      ['abcdefghijklmn', 'orders__items', 0],
      ['zXIIg+0PluhB+A', 'orders__tags', 12],
      ['', '', 0],
      // `${parent}_${name}_${index}` of 166, 167 (one block) and 168 bytes (two: hashed alone)
      ['p'.repeat(149), 'table', 1234567890],
      ['p'.repeat(150), 'table', 1234567890],
      ['p'.repeat(151), 'table', 1234567890],
      ['parent😀', 'items', 3],
      ['q'.repeat(70_000), 'items', 1],
    ];
    const keys: string[] = ['before'];
    for (const first of texts) {
      for (const second of texts) {
        digest128JoinedPair(...first, ...second, keys, 1);
        const label = `${first[0].slice(0, 20)} / ${second[0].slice(0, 20)}`;
        expect(keys, label).toEqual(['before', digest128Joined(...first), digest128Joined(...second)]);
      }
    }
  });

  it('hashes short texts right after a pair whose second text did not fit (the first one written)', () => {
    const short: [string, string, number] = ['abcdefghijklmn', 'items', 1];
    const longer: [string, string, number] = ['abcdefghijklmn', 'p'.repeat(140), 12];
    const tooLong: [string, string, number] = ['abcdefghijklmn', 'p'.repeat(160), 3];
    const sequence: [[string, string, number], [string, string, number]][] = [
      [short, short],
      [longer, tooLong],
      [short, short],
      [longer, ['abcdefghijklmn', 'items', 2]],
      [['zXIIg+0PluhB+A', 'items', 9], short],
      [['zXIIg+0PluhB+', 'items', 10], short],
      // a parent that is not ASCII, longer than the last: written in part over the name
      [['abcdefghijklmnopqr😀', 'items', 1], short],
      [['zXIIg+0PluhB+', 'items', 3], short],
    ];
    for (const [first, second] of sequence) {
      const keys: string[] = [];
      digest128JoinedPair(...first, ...second, keys, 0);
      expect(keys).toEqual([digest128Joined(...first), digest128Joined(...second)]);
    }
  });
});

describe('random ids', () => {
  it('are base64 of that many random bytes without padding, and hex', () => {
    for (const bytes of [1, 2, 3, 9, 10, 16]) {
      const ids = Array.from({ length: 20_000 }, () => uniqIdBase64(bytes));
      for (const id of ids.slice(0, 50)) {
        expect(id).toMatch(/^[A-Za-z0-9+/]+$/);
        expect(Buffer.from(id, 'base64')).toHaveLength(bytes);
      }
      if (bytes >= 9) expect(new Set(ids).size, `${bytes} bytes`).toBe(ids.length);
    }
    // dlt's row ids: 10 bytes, 14 characters; 20,000 of them cross the pool's refill
    expect(uniqIdBase64()).toHaveLength(14);
    expect(uniqIdHex(5)).toMatch(/^[0-9a-f]{10}$/);
  });
});
