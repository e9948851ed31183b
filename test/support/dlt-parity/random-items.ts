import { SnakeCaseNaming } from '../../../shared/schema/naming.js';
import { JsonFloat } from '../../../shared/util/json-values.js';
import { keepKeyOrder, orderedKeys } from '../../../shared/util/key-order.js';

const naming = new SnakeCaseNaming();

// Keys that exercise dlt's naming: case breaks, symbols, digits, unicode, separators, `_dlt` prefixes,
// and integer-like keys, which a JavaScript object lists first (`_1` and `1` name one column).
const NAMES = [
  'id',
  'Name',
  'camelCase',
  'snake_case',
  'HTTPServer',
  'a b',
  'x-y',
  '1st',
  'ünïcode',
  'emoji😀',
  'trail_',
  '__dunder',
  'a__b',
  'UPPER',
  'mixed.Dot',
  '$price',
  'x',
  'valueX',
  'list',
  'value',
  'CamelCASEName',
  'under_Score_',
  '_leading',
  'with space ',
  'tab\tkey',
  'ABCdef',
  'aBC',
  'ß',
  'a1b2',
  '_dlt_x',
  // names every JavaScript object answers to
  'constructor',
  'toString',
  '__proto__',
  'valueOf',
  '0',
  '1',
  '_1',
  '10',
  '9',
  '2024',
  '007',
  '4294967295',
];

const SCALARS: unknown[][] = [
  [null],
  [true, false],
  [], // integers, drawn below
  [1.5, -0.25, new JsonFloat(3), new JsonFloat(1e15), new JsonFloat(1e16), 2.5e-7, 0.1, new JsonFloat(1)],
  [
    '2023-11-14T22:13:20Z',
    '2024-02-29T01:02:03.123456+02:00',
    '2021-01-01T00:00:00',
    '2020-06-30T12:00:00.5Z',
    '2024/01/02 03:04:05',
    '20240102T030405Z',
  ],
  ['2023-11-14', '1999-12-31'],
  [-(10n ** 18n), 2n ** 53n + 1n, 2n ** 62n],
  ['2024-13-01T00:00:00Z', '', 'x', 'héllo', 'null', '123', 'true', 'a\nb', '😀'],
  ['12:30:00', '1.5', '0x1f'],
];

/** A seeded generator (mulberry32), so a failing case can be replayed. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Nested items with awkward keys, lists, lists of lists, empty dicts and mixed types. Each key
 * mostly keeps one kind of value (so ISO text never meets other text in a timestamp column,
 * where dlt 1.26 fails instead of making a variant), mixed with nulls, bools and numbers.
 */
export function randomItems(seed: number, count: number): Record<string, unknown>[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  // by the column a key lands in: `ß` and `x` are both column `x`
  const kindOf = (name: string) =>
    [...naming.normalizeIdentifier(name)].reduce((h, c) => (h * 31 + c.codePointAt(0)!) % 9973, 7) % 9;
  const scalar = (name: string): unknown => {
    const kind = next() < 0.8 ? kindOf(name) : pick([0, 1, 2, 3]);
    if (kind === 2) return Math.floor(next() * 2_000_000) - 1_000_000;
    return pick(SCALARS[kind]!);
  };
  const dict = nestedDicts(next, {
    maxDepth: 4,
    shapes: 10,
    maxKeys: 5,
    name: () => pick(NAMES),
    scalar,
    empty: () => ({}),
  });
  return Array.from({ length: count }, () => dict(0));
}

/**
 * The item with `key` set to `value`, first or last, the other keys in their order: a spread
 * would lose the order of integer-like keys the item keeps.
 */
export function withKey(
  item: Record<string, unknown>,
  key: string,
  value: unknown,
  where: 'first' | 'last',
): Record<string, unknown> {
  const rest = orderedKeys(item).filter((other) => other !== key);
  const keys = where === 'first' ? [key, ...rest] : [...rest, key];
  const record = Object.fromEntries(keys.map((name) => [name, name === key ? value : item[name]]));
  keepKeyOrder(record, keys);
  return record;
}

// Awkward keys: other scripts, look-alikes of one name (`a` and `A`, `é` composed and not,
// `a__b` and `a` holding `b`), symbols, digits, control characters.
const AWKWARD_NAMES = [
  'id',
  'a',
  'A',
  'aB',
  'a_b',
  'a__b',
  'a__b__c',
  '_',
  '___',
  'x y',
  'x.y',
  'x-y',
  'X-Y',
  'İstanbul',
  'ẞtraße',
  'ǅemal',
  'é',
  'e\u0301',
  'Ω',
  'ⅷ',
  '٣',
  '²',
  'x²',
  'a\u0000b',
  '😀',
  '😀😀',
  'HTTPResponseCode',
  'getHTTP2Response',
  'ABC123def',
  'v1_2',
  '1a',
  '12',
  '0',
  '01',
  '-1',
  '1.5',
  'value',
  'list',
  'Ü'.repeat(20),
  'a_____b',
  'trailing___',
  'camelCaseWithACRONYMInside',
  'With Spaces And CAPS',
  'tab\tname',
  'new\nline',
  '$',
  '@home',
  'a|b',
  'a+b',
  'a*b',
];

// Kinds of values a key mostly keeps: text that looks like numbers, dates or keywords, digits of
// other scripts, ISO timestamps of every form, and numbers at the edges of their types.
const AWKWARD_KINDS: unknown[][] = [
  [0, 1, -1, 2 ** 31, 2 ** 40, -(2 ** 35), 123456789],
  [
    0.1,
    1e-7,
    1e9,
    5e-324,
    -1.5,
    new JsonFloat(0),
    new JsonFloat(1e10),
    new JsonFloat(-2),
    0.30000000000000004,
  ],
  [true, false],
  [
    '',
    ' ',
    'x',
    'True',
    'null',
    'NaN',
    'Infinity',
    '1e5',
    ' 12 ',
    '0012',
    '-0',
    '+1',
    '1_000',
    '١٢٣',
    'é',
    '😀',
    'a\u0000b',
    '12:30',
    '2024-W01-1',
    '2024-001',
    '20240102',
    '2024-01',
    'T12:30:00',
    '2024-02-30',
  ],
  [
    '2024-01-02T03:04:05',
    '2024-01-02 03:04:05+00:00',
    '2024-01-02T03:04:05.1234567Z',
    '2024-01-02T03:04:05+05:45',
    '2024-01-02T03:04:05-00:00',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999999Z',
    '1970-01-01T00:00:00.000001Z',
  ],
  ['2024-01-02', '1999-12-31'],
];
// what other kinds of values meet in a key's column now and then
const AWKWARD_MIXERS: unknown[] = [null, true, 7, 2.5];

/**
 * Items deeper and stranger than randomItems': the keys and values above, dicts six levels deep.
 * Each key keeps one kind of value 85% of the time. With some seeds dlt 1.26 fails (text after
 * ISO text in a column, which it cannot make a variant of); the tests use seeds it loads.
 */
export function awkwardItems(seed: number, count: number): Record<string, unknown>[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const kinds = new Map<string, number>();
  const scalar = (name: string): unknown => {
    if (!kinds.has(name)) kinds.set(name, Math.floor(next() * AWKWARD_KINDS.length));
    return next() < 0.85 ? pick(AWKWARD_KINDS[kinds.get(name)!]!) : pick(AWKWARD_MIXERS);
  };
  const dict = nestedDicts(next, {
    maxDepth: 6,
    shapes: 12,
    maxKeys: 6,
    name: () => pick(AWKWARD_NAMES),
    scalar,
    empty: () => (next() < 0.5 ? {} : []),
  });
  return Array.from({ length: count }, () => dict(0));
}

interface TreeShape {
  /** levels of dicts and lists below the item at most */
  maxDepth: number;
  /** one in this many values is each of: a dict, a list of values, a list of dicts, an empty one */
  shapes: number;
  /** keys of a dict at most */
  maxKeys: number;
  name: () => string;
  scalar: (name: string) => unknown;
  empty: () => unknown;
}

/** Makes dicts of drawn keys whose values are scalars, dicts, lists of either, or empty. */
function nestedDicts(next: () => number, tree: TreeShape): (depth: number) => Record<string, unknown> {
  const value = (depth: number, name: string): unknown => {
    const shape = Math.floor(next() * tree.shapes);
    const deeper = depth < tree.maxDepth;
    if (deeper && shape === 0) return dict(depth + 1);
    if (deeper && shape === 1)
      // scalars in a list land in the nested table's `value` column
      return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1, 'value'));
    if (deeper && shape === 2) return Array.from({ length: Math.floor(next() * 3) }, () => dict(depth + 1));
    if (deeper && shape === 3) return tree.empty();
    return tree.scalar(name);
  };
  const dict = (depth: number): Record<string, unknown> => {
    // a Map, then fromEntries: assigning `__proto__` to an object would set its prototype
    const out = new Map<string, unknown>();
    const keys = 1 + Math.floor(next() * tree.maxKeys);
    for (let i = 0; i < keys; i++) {
      const name = tree.name();
      out.set(name, value(depth, name));
    }
    const record = Object.fromEntries(out);
    // the order the keys were drawn in, which the JSON text (and so dlt) keeps
    keepKeyOrder(record, [...out.keys()]);
    return record;
  };
  return dict;
}
