import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digest128,
  digest128Joined,
  digest128JoinedInto,
  digest128JoinedPairInto,
  ROW_KEY_LENGTH,
  uniqIdBase64,
  uniqIdBase64Into,
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

/** Keys as bytes, as the scanner keeps them: a slot of ROW_KEY_LENGTH bytes a key, parents first. */
const PARENTS = ['abcdefghijklmn', 'zXIIg+0PluhB+A', '0123456789+/AB'];

function keyBytes(slots: number): Buffer {
  const keys = Buffer.alloc(slots * ROW_KEY_LENGTH, '#');
  for (const [slot, key] of PARENTS.entries()) keys.write(key, slot * ROW_KEY_LENGTH, 'latin1');
  return keys;
}

const keyAt = (keys: Buffer, slot: number) =>
  keys.toString('latin1', slot * ROW_KEY_LENGTH, (slot + 1) * ROW_KEY_LENGTH);

/** A nested row: its parent's slot in PARENTS, its table, its list position. */
type Row = [number, string, number];

/** Hashes two rows' keys into slots `slot` and `slot + 1`. */
function hashPair(keys: Buffer, [parent, name, index]: Row, second: Row, slot: number): void {
  const [secondParent, secondName, secondIndex] = second;
  const at = (n: number) => n * ROW_KEY_LENGTH;
  digest128JoinedPairInto(keys, at(parent), name, index, at(secondParent), secondName, secondIndex, at(slot));
}

/** The key a row gets from the string API. */
const expectedKey = ([parent, name, index]: Row) => digest128Joined(PARENTS[parent]!, name, index);

describe('digest128JoinedInto (a nested row key from its parent key as bytes, into bytes)', () => {
  it('equals digest128Joined of the parent key as text, for names not ASCII and too long for the module', () => {
    const cases: Row[] = [
      [0, 'orders__items', 2],
      [1, 'orders__items', 1_234_567_890_123],
      [2, '', 0],
      [1, 'café__crème', 7],
      [0, 'p'.repeat(300), 99],
      [2, 'q'.repeat(70_000), 1],
    ];
    for (const row of cases) {
      const [parent, name, index] = row;
      const keys = keyBytes(5);
      digest128JoinedInto(keys, parent * ROW_KEY_LENGTH, name, index, 3 * ROW_KEY_LENGTH);
      expect(keyAt(keys, 3), name.slice(0, 20)).toBe(expectedKey(row));
      // only its own slot is written
      expect(keyAt(keys, 4)).toBe('#'.repeat(ROW_KEY_LENGTH));
      expect(PARENTS.map((_, slot) => keyAt(keys, slot))).toEqual(PARENTS);
    }
  });
});

describe('digest128JoinedPairInto (two nested row keys in one permutation)', () => {
  it('equals digest128Joined of each text, at and around the one-block limit and for other texts', () => {
    // `${parent}_${name}_${index}`: a 14-character key, then 150, 151 (one block: 166 and 167
    // bytes) or 152 characters of name and index (168 bytes, two blocks: hashed alone)
    const texts: Row[] = [
      [0, 'orders__items', 0],
      [1, 'orders__tags', 12],
      [2, '', 0],
      [0, 'p'.repeat(140), 1234567890],
      [1, 'p'.repeat(141), 1234567890],
      [2, 'p'.repeat(142), 1234567890],
      [0, 'café', 3],
      [1, 'q'.repeat(70_000), 1],
    ];
    for (const first of texts) {
      for (const second of texts) {
        const keys = keyBytes(6);
        hashPair(keys, first, second, 4);
        const label = `${first[1].slice(0, 20)} / ${second[1].slice(0, 20)}`;
        expect([keyAt(keys, 3), keyAt(keys, 4), keyAt(keys, 5)], label).toEqual([
          '#'.repeat(ROW_KEY_LENGTH),
          expectedKey(first),
          expectedKey(second),
        ]);
      }
    }
  });

  it('hashes texts right after a pair of the same names, and after a pair whose second text did not fit', () => {
    const short: Row = [0, 'items', 1];
    const longer: Row = [1, 'p'.repeat(140), 12];
    const tooLong: Row = [2, 'p'.repeat(160), 3];
    const sequence: [Row, Row][] = [
      [short, short],
      // the same names after other parents and at other positions: only key and index rewritten
      [
        [1, 'items', 2],
        [2, 'items', 10],
      ],
      [longer, tooLong],
      [short, short],
      [longer, [0, 'items', 2]],
      [[1, 'items', 9], short],
      // a name that is not ASCII, written in part over the last name
      [[2, 'itemsé', 1], short],
      [
        [1, 'items', 3],
        [0, 'items', 4],
      ],
    ];
    for (const [first, second] of sequence) {
      const keys = keyBytes(5);
      hashPair(keys, first, second, 3);
      expect(
        [keyAt(keys, 3), keyAt(keys, 4)],
        `${first[1].slice(0, 10)} / ${second[1].slice(0, 10)}`,
      ).toEqual([expectedKey(first), expectedKey(second)]);
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
    const keys = Buffer.alloc(3 * ROW_KEY_LENGTH, '#');
    uniqIdBase64Into(keys, ROW_KEY_LENGTH);
    const written = keys.toString('latin1', ROW_KEY_LENGTH, 2 * ROW_KEY_LENGTH);
    expect(written).toMatch(/^[A-Za-z0-9+/]{14}$/);
    expect(Buffer.from(written, 'base64')).toHaveLength(10);
    expect(keys.toString('latin1', 0, ROW_KEY_LENGTH) + keys.toString('latin1', 2 * ROW_KEY_LENGTH)).toBe(
      '#'.repeat(28),
    );
    expect(uniqIdHex(5)).toMatch(/^[0-9a-f]{10}$/);
  });
});
