import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  digest128,
  digest128Joined,
  digest128JoinedInto,
  hashNestedKeys,
  nestedKeyName,
  nestedKeyTable,
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

describe("hashNestedKeys (an item's nested row keys in one call into the module)", () => {
  /** Nested rows: each its parent row (earlier in the list, 0 the root), table and list position. */
  type Nested = [parent: number, name: string, index: number];
  const ROOT = 'zXIIg+0PluhB+A';

  /** The keys hashNestedKeys makes for the root key ROOT and these rows, and digest128Joined's. */
  function keysOf(rows: Nested[]): { made: string[]; expected: string[] } {
    const table = nestedKeyTable();
    table.keys.write(ROOT, 0, 'latin1');
    for (const [i, [parent, name, index]] of rows.entries())
      table.setRow(i + 1, parent, nestedKeyName(name), index);
    hashNestedKeys(rows.length + 1);
    const made = [ROOT];
    const expected = [ROOT];
    for (const [i, [parent, name, index]] of rows.entries()) {
      made.push(table.keys.toString('latin1', (i + 1) * ROW_KEY_LENGTH, (i + 2) * ROW_KEY_LENGTH));
      expected.push(digest128Joined(expected[parent]!, name, index));
    }
    return { made, expected };
  }

  it('equals digest128Joined for rows in pairs, alone, and after their parent in the row before', () => {
    const rows: Nested[] = [
      [0, 'orders__items', 0],
      [0, 'orders__items', 1],
      [0, 'orders__items', 2],
      // children of the row before each (never hashed with it), then a pair of grandchildren
      [3, 'orders__items__parts', 0],
      [4, 'orders__items__parts__bits', 0],
      [4, 'orders__items__parts__bits', 1],
      [3, 'orders__items__parts', 1],
      [0, 'orders__tags', 9],
      [0, 'orders__tags', 10],
      [0, 'orders__tags', 2_147_483_647],
    ];
    const { made, expected } = keysOf(rows);
    expect(made).toEqual(expected);
  });

  it('takes names up to one block, across many items, and refuses the rest', () => {
    // a 14-character key, `_${name}_` and 10 digits: 143 characters of name and underscores fill a block
    const longest = 'p'.repeat(141);
    expect(nestedKeyName(longest)).toBeGreaterThan(0);
    expect(nestedKeyName(`${longest}p`)).toBe(-1);
    expect(nestedKeyName('itemsé')).toBe(-1);
    expect(nestedKeyName('items')).toBe(nestedKeyName('items'));
    for (let item = 0; item < 50; item++) {
      const rows: Nested[] = Array.from({ length: (item % 7) + 1 }, (_, k) => [
        k > 2 && k % 2 === 1 ? k : 0,
        k % 3 === 0 ? longest : `t${item % 5}`,
        k * 357_913_941, // up to 2^31 - 2, ten digits
      ]);
      const { made, expected } = keysOf(rows);
      expect(made, `item ${item}`).toEqual(expected);
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
