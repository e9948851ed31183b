import { describe, expect, it } from 'vitest';
import { ColumnBatch } from '../../shared/formats/column-batch.js';
import { type NormalizedRow, RelationalNormalizer, type RowSink } from '../../shared/normalize/relational.js';
import { applyResourceHints, type ResourceHints } from '../../shared/normalize/resource.js';
import { nestedRowKey } from '../../shared/normalize/row-keys.js';
import { type LineSource, normalizeLine, normalizeLineBytes } from '../../shared/pipeline/normalize-lines.js';
import { emptySchema, Schema } from '../../shared/schema/schema.js';
import type { TableSchema } from '../../shared/schema/types.js';
import { decodeLine, lineBounds } from '../../shared/sources/lines.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { awkwardItems, random, randomItems, withKey } from '../support/dlt-parity/random-items.js';

const LOAD_ID = '1732190400.123456';

interface Outcome {
  /** rows per table, their row keys replaced by the table and position of the row they name */
  rows: Record<string, Record<string, unknown>[]>;
  tables: unknown;
  /** the root rows' keys, where they are made of the data (upsert, insert-only), not random */
  rootKeys?: unknown[];
  /** lines the known-shape scanner took */
  scanned: number;
  error?: string;
}

/** Rows kept column by column, as the file writers keep them, and read back as objects. */
class BatchSink implements RowSink {
  readonly batches = new Map<string, ColumnBatch>();

  write(table: TableSchema, row: NormalizedRow): void {
    this.columns(table).addRow(row);
  }

  columns(table: TableSchema): ColumnBatch {
    let batch = this.batches.get(table.name);
    if (batch === undefined) this.batches.set(table.name, (batch = new ColumnBatch()));
    return batch;
  }

  rows(schema: Schema): Record<string, NormalizedRow[]> {
    const rows: Record<string, NormalizedRow[]> = {};
    for (const [name, batch] of this.batches) {
      const columns = Object.keys(schema.tables[name]?.columns ?? {}).map(
        (c) => [c, batch.columnOf(c)] as const,
      );
      rows[name] = Array.from({ length: batch.length }, (_, i) => {
        const row: NormalizedRow = {};
        for (const [column, values] of columns) {
          const value = values.valueAt(i);
          if (value !== undefined) row[column] = value;
        }
        return row;
      });
    }
    return rows;
  }
}

/**
 * Normalizes JSON lines one by one, as normalize does: parsed (`general`), or from their bytes
 * where the scanner can take them, with the general path for the rest, into a sink of rows
 * (`bytes`) or of columns (`columns`, as the file writers take them).
 */
function normalizeText(
  text: string,
  hints: ResourceHints,
  path: 'general' | 'bytes' | 'columns',
  loadId = LOAD_ID,
): Outcome {
  const schema = new Schema(emptySchema('test'));
  const table = applyResourceHints(schema, hints);
  const rowSink: Record<string, NormalizedRow[]> = {};
  const batchSink = new BatchSink();
  const normalizer = new RelationalNormalizer(
    schema,
    path === 'columns' ? batchSink : { write: (t, row) => (rowSink[t.name] ??= []).push(row) },
    loadId,
  );
  const source: LineSource = {
    file: { key: 'items.jsonl', resource: hints.name, source: 'items.jsonl', unit: 'line', items: 0 },
    table,
    quarantining: false,
  };
  // counts the items the scanner took, passing each call through to it
  let scanned = 0;
  const scan = normalizer.normalizeKnownShape.bind(normalizer);
  normalizer.normalizeKnownShape = (...args) => {
    const took = scan(...args);
    if (took) scanned++;
    return took;
  };
  const bytes = Buffer.from(text);
  const bounds = lineBounds(bytes);
  let error: string | undefined;
  try {
    for (let i = 0; i < bounds.length; i += 2) {
      const [start, end, n] = [bounds[i]!, bounds[i + 1]!, i / 2 + 1];
      // normalize's own call, or the general path alone
      if (path !== 'general') normalizeLineBytes(normalizer, source, bytes, start, end, n, () => {});
      else normalizeLine(normalizer, source, decodeLine(bytes, start, end, n), n, () => {});
    }
  } catch (caught) {
    error = (caught as Error).message;
  }
  const keyed = hints.mergeStrategy === 'upsert' || hints.mergeStrategy === 'insert-only';
  const rows = path === 'columns' ? batchSink.rows(schema) : rowSink;
  return {
    rows: withRowLabels(rows),
    ...(keyed && { rootKeys: rows[table]?.map((row) => row._dlt_id) }),
    tables: schema.tables,
    scanned,
    ...(error !== undefined && { error }),
  };
}

/**
 * Root row keys are random: each key is replaced by the table and position of the row it names,
 * after checking that every nested row's key is dlt's digest of its parent, table and position.
 */
function withRowLabels(rows: Record<string, NormalizedRow[]>): Outcome['rows'] {
  const labels = new Map<unknown, string>();
  for (const [table, list] of Object.entries(rows)) {
    for (const [i, row] of list.entries()) labels.set(row._dlt_id, `${table}#${i}`);
  }
  const out: Outcome['rows'] = {};
  for (const [table, list] of Object.entries(rows)) {
    out[table] = list.map((row) => {
      if ('_dlt_parent_id' in row)
        expect(row._dlt_id).toBe(
          nestedRowKey(row._dlt_parent_id as string, table, row._dlt_list_idx as number),
        );
      const labelled: Record<string, unknown> = { ...row };
      for (const key of ['_dlt_id', '_dlt_parent_id', '_dlt_root_id'])
        if (key in row) labelled[key] = labels.get(row[key]) ?? 'unknown row';
      return labelled;
    });
  }
  return out;
}

function expectSameOutcome(
  text: string,
  hints: ResourceHints = { name: 'items' },
  loadId = LOAD_ID,
): Outcome {
  const general = normalizeText(text, hints, 'general', loadId);
  const scanned = normalizeText(text, hints, 'bytes', loadId);
  expect({ ...scanned, scanned: 0 }).toEqual({ ...general, scanned: 0 });
  expect(normalizeText(text, hints, 'columns', loadId), 'rows added column by column').toEqual(scanned);
  return scanned;
}

const lines = (items: readonly unknown[]) => items.map((item) => `${toJsonLine(item)}\n`).join('');

describe('items read from their bytes where the table knows their shape', () => {
  it.each<[string, ResourceHints]>([
    ['append', { name: 'items' }],
    ['max_nesting 2', { name: 'items', maxTableNesting: 2 }],
    // the root key goes to every nested row
    [
      'delete-insert',
      { name: 'items', writeDisposition: 'merge', mergeStrategy: 'delete-insert', primaryKey: ['id'] },
    ],
    // root keys are the hash of the primary key, nested keys follow from them
    ['upsert', { name: 'items', writeDisposition: 'merge', mergeStrategy: 'upsert', primaryKey: ['id'] }],
    [
      'insert-only',
      { name: 'items', writeDisposition: 'merge', mergeStrategy: 'insert-only', primaryKey: ['id'] },
    ],
  ])('gives the rows, row keys and schema of parsing them, for random nested items (%s)', (_, hints) => {
    let scanned = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      // each item twice: the second of a pair meets the keys and columns the first added
      const items = randomItems(seed, 150).flatMap((item, i) => {
        const keyed = withKey(item, 'id', i, 'first');
        return [keyed, keyed];
      });
      const outcome = expectSameOutcome(lines(items), hints);
      expect(outcome.error).toBeUndefined();
      scanned += outcome.scanned;
    }
    // the comparison means something only if the scanner took items
    expect(scanned).toBeGreaterThan(150);
  });

  it('writes a load id of any characters (one given with --load-id) as the general path does', () => {
    // each item twice: the second meets a table that knows its shape
    const text = lines(randomItems(6, 40).flatMap((item) => [item, item]));
    for (const loadId of ['load-é-1', 'plain-ascii-id']) {
      const outcome = expectSameOutcome(text, { name: 'items' }, loadId);
      expect(outcome.scanned).toBeGreaterThanOrEqual(20);
      expect(new Set(outcome.rows.items!.map((row) => row._dlt_load_id))).toEqual(new Set([loadId]));
    }
  });

  it('gives the same for awkward items: other scripts, look-alike keys, deep dicts', () => {
    let scanned = 0;
    for (const seed of [11, 12, 13]) {
      const items = awkwardItems(seed, 120).flatMap((item) => [item, item]);
      scanned += expectSameOutcome(lines(items)).scanned;
    }
    expect(scanned).toBeGreaterThan(50);
  });

  it('takes repeated shapes, exact numbers included, and leaves the rest to the general path', () => {
    const known = '{"id": 1, "name": "a", "price": 2.5, "tags": ["x"], "info": {"ok": true}}';
    const text = [
      known,
      '{"id": 2, "name": "b", "price": 3.25, "tags": ["y", "z"], "info": {"ok": false}}',
      '{"id":3,"name":"c","price":-0.5,"tags":[],"info":{}}',
      '{"info": {"ok": null}, "tags": ["w"], "price": 12345678901.25, "name": "d\\u00e9", "id": 4}',
      '{"id": 5.0, "name": "e", "price": 1e2, "tags": ["x"], "info": {"ok": true}}',
      '{"id": 12345678901234567, "name": "f", "price": 0.1, "tags": ["x"], "info": {"ok": true}}',
      '{"id": 7, "id": 8, "name": "g", "tags": ["x"], "info": {"ok": true}, "info": {"ok": false}}',
      '{"id": "9", "name": 10, "price": true, "tags": [1, 2], "info": {"ok": "yes"}}',
      '{"id": 11, "name": "h", "extra": 1}',
      '{"id": 12, "name": "i\\"quoted\\"", "tags": [["nested"]], "info": {"ok": true}}',
      '  {"id" : 13 ,"name":"j" , "tags" : [ "x" ] }  \r',
      '{"id": 14, "name": "é😀", "tags": ["ü"], "info": {"ok": true}}',
      '{"id": 015, "name": "k"}',
    ].join('\n');
    const outcome = expectSameOutcome(text);
    expect(outcome.error).toMatch(/^items.jsonl:13: invalid JSON/);
    // lines 2, 3, 4 (its keys in another order, text with an escape), 5 and 6 (numbers read
    // exactly: 5.0 and 1e2 are floats, 17 digits a bigint), 11 and 12 hold known keys with values
    // that fit; the rest bring something new (a key, a variant, a list of lists) or a duplicate key
    expect(outcome.scanned).toBe(7);
    expect(outcome.rows.items?.[5]).toMatchObject({ id: 12345678901234567n });
    expect(outcome.rows.items?.[3]).toMatchObject({ id: 4, name: 'dé', price: 12345678901.25 });
  });

  it('types numbers and bools as the general path does: -0, integers in doubles, fractions in bigints', () => {
    const text = [
      '{"n": 1, "x": 2.5, "b": true}',
      '{"n": -0, "x": -0, "b": false}',
      '{"n": 2, "x": 3, "b": true}',
      '{"n": 3, "x": -0.0, "b": false}',
      '{"n": 4.5, "x": 1, "b": true}',
      '{"n": 5.0, "x": 1e400, "b": 1}',
    ].join('\n');
    const outcome = expectSameOutcome(text);
    expect(outcome.rows.items?.slice(0, 4).map((row) => Object.is(row.x, -0))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(outcome.rows.items?.[1]).toMatchObject({ x: 0, b: false });
    expect(outcome.scanned).toBeGreaterThanOrEqual(3);
  });

  it('leaves keys that name one column to the general path, which keeps the order dlt sets them in', () => {
    // dlt flattens a dict's own keys before its nested dicts: `a__b` is set first, then `a.b` wins
    const text = '{"a": {"b": 1}, "a__b": 2, "c": 3}\n'.repeat(3);
    const outcome = expectSameOutcome(text);
    expect(outcome.rows.items?.map((row) => row.a__b)).toEqual([1, 1, 1]);
    expect(outcome.scanned).toBe(0);
  });

  it('makes a root key of the primary key values wherever the item holds them', () => {
    const hints: ResourceHints = {
      name: 'items',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id', 'region'],
    };
    const known = '{"id": 1, "region": "eu", "tags": ["a"]}';
    const text = [
      known,
      '{"id": 2, "region": "us", "tags": ["b", "c"]}',
      // a key value after the list: keys are made once the whole item is read
      '{"id": 3, "tags": ["d"], "region": "eu"}',
      '{"id": 4, "region": "eu", "tags": []}',
      '{"region": "us", "id": 5, "tags": ["f"]}',
    ].join('\n');
    const outcome = expectSameOutcome(text, hints);
    expect(outcome.scanned).toBe(4);
    expect(outcome.rows.items__tags?.map((row) => row._dlt_root_id)).toEqual([
      'items#0',
      'items#1',
      'items#1',
      'items#2',
      'items#4',
    ]);
  });

  it('keys nested rows one by one where the key table cannot take an item', () => {
    // a nested table whose name, with a key and ten digits, outgrows one block of the hash; and
    // an item of more nested rows than the table holds (8192), between items it takes
    const long = `list_${'x'.repeat(140)}`;
    const many = Array.from({ length: 9000 }, (_, i) => ({ n: i }));
    const items = [
      { id: 1, [long]: [{ a: 1 }], tags: ['a'] },
      { id: 2, [long]: [{ a: 2 }, { a: 3 }], tags: ['b', 'c'] },
      { id: 3, tags: ['d'], parts: [{ n: 0 }] },
      { id: 4, tags: ['e', 'f', 'g'], parts: many },
      { id: 5, tags: ['h'], parts: [{ n: 1 }, { n: 2 }] },
    ];
    const outcome = expectSameOutcome(lines(items));
    expect(outcome.error).toBeUndefined();
    // the items after the first of each shape: every nested key checked against nestedRowKey
    expect(outcome.scanned).toBe(3);
    expect(outcome.rows.items__parts).toHaveLength(9003);
    expect(outcome.rows[`items__${long}`]).toHaveLength(3);
  });

  it('puts a value of another type in the variant column the table has, as typeRow does', () => {
    const text = [
      '{"id": 1, "status": 200, "at": 5, "tags": [1]}',
      // the variant columns are new: the general path adds them (at__v_text is a timestamp)
      '{"id": 2, "status": "unknown", "at": "2024-01-01T00:00:00Z", "tags": ["x"]}',
      '{"id": 3, "status": "late", "at": "2024-02-01T00:00:00Z", "tags": [2, "y"]}',
      '{"id": 4, "status": 1.5, "at": 6, "tags": []}',
      '{"id": 5, "status": 2.5, "at": 7, "tags": ["z"]}',
      // a key named like a variant column: both write one column, which the general path orders
      '{"id": 6, "status": "x", "status__v_text": "y"}',
      '{"id": 7, "status": "w"}',
    ].join('\n');
    const outcome = expectSameOutcome(text);
    expect(outcome.error).toBeUndefined();
    // lines 3 and 5; after line 6 a key of the data shares the variant's name
    expect(outcome.scanned).toBe(2);
    expect(outcome.rows.items?.[2]).toMatchObject({
      status__v_text: 'late',
      at__v_text: Date.UTC(2024, 1, 1) * 1000,
    });
    expect(outcome.rows.items?.[4]).toMatchObject({ status__v_double: 2.5, at: 7 });
    expect(outcome.rows.items__tags?.map((row) => row.value ?? row.value__v_text)).toEqual([
      1,
      'x',
      2,
      'y',
      'z',
    ]);
    expect(outcome.rows.items?.[5]).toMatchObject({ status__v_text: 'y' });
    // the key came first, so the variant's name is taken: its values go the general path
    const keyFirst = expectSameOutcome(
      [
        '{"id": 1, "status": 200}',
        '{"id": 2, "status__v_text": "k"}',
        '{"id": 3, "status": "x"}',
        '{"id": 4, "status": "y", "status__v_text": "z"}',
        '{"id": 5, "status": 7}',
      ].join('\n'),
    );
    expect(keyFirst.scanned).toBe(1);
    expect(keyFirst.rows.items?.map((row) => row.status__v_text)).toEqual([
      undefined,
      'k',
      'x',
      'z',
      undefined,
    ]);
    const neither = expectSameOutcome(`${text}\n{"id": 8, "at": "not a time"}\n`);
    expect(neither.error).toMatch(/^items.jsonl:8: value of column at in table items fits neither bigint/);
  });

  it('matches a key only by all its bytes, at every length, with space before the colon or not', () => {
    // keys of 1 to 20 characters (read one byte at a time, four, or eight from each end and the
    // middle byte by byte), each with look-alikes one byte off at its start, end and middle
    const keys = ['a', 'ab', 'abc', 'abcd', 'abcdefg', 'abcdefgh', 'abcdefghijklmno', 'abcdefghijklmnopqrst'];
    const at = (key: string, i: number) => `${key.slice(0, i)}y${key.slice(i + 1)}`;
    const lookAlikes = keys.map((key) => [
      at(key, 0),
      at(key, key.length - 1),
      at(key, Math.floor(key.length / 2)),
    ]);
    const item = (names: readonly string[], value: number, colon = ':') =>
      `{${names.map((name, i) => `"${name}"${colon}${value + i}`).join(',')}}`;
    const everyName = [...new Set([...keys, ...lookAlikes.flat()])];
    // each look-alike follows the keys themselves, which the scanner then expects
    const text = [
      item(everyName, 0),
      ...[0, 1, 2].flatMap((which) => [
        item(keys, 100 * (which + 1)),
        item(
          lookAlikes.map((names) => names[which]!),
          100 * (which + 1) + 50,
        ),
      ]),
      item(keys, 500, ' :'),
      item(keys, 600),
    ].join('\n');
    const outcome = expectSameOutcome(text);
    // all but the first, which adds the columns
    expect(outcome.scanned).toBe(8);
    expect(outcome.rows.items?.[2]).toMatchObject({ ybcdefghijklmnopqrst: 157 });
    expect(outcome.rows.items?.[2]).not.toHaveProperty('abcdefghijklmnopqrst');
    expect(outcome.rows.items?.[6]).toMatchObject({ abcdefghijylmnopqrst: 357 });
    expect(outcome.rows.items?.[7]).toMatchObject({ a: 500, abcdefghijklmnopqrst: 507 });
  });

  it('takes back only the refused item: rows written before it stay in their batches', () => {
    const schema = new Schema(emptySchema('test'));
    const table = applyResourceHints(schema, { name: 'items' });
    const batches = new Map<string, ColumnBatch>();
    const batchOf = (t: TableSchema) => {
      let batch = batches.get(t.name);
      if (batch === undefined) batches.set(t.name, (batch = new ColumnBatch()));
      return batch;
    };
    // a sink that stops handing out the nested table's batch: the scanner gives up mid-item
    let nestedBatches = true;
    const sink: RowSink = {
      write: (t, row) => batchOf(t).addRow(row),
      columns: (t) => (t.parent !== undefined && !nestedBatches ? undefined : batchOf(t)),
    };
    const normalizer = new RelationalNormalizer(schema, sink, LOAD_ID);
    const source: LineSource = {
      file: { key: 'items.jsonl', resource: 'items', source: 'items.jsonl', unit: 'line', items: 0 },
      table,
      quarantining: false,
    };
    const bytes = Buffer.from('{"id": 1, "tags": [{"a": 1}, {"a": 2}]}');
    for (let n = 1; n <= 4; n++) {
      if (n === 4) nestedBatches = false;
      normalizeLineBytes(normalizer, source, bytes, 0, bytes.length, n, () => {});
    }
    const tags = batches.get('items__tags')!;
    expect([batches.get('items')!.length, tags.length]).toEqual([4, 8]);
    expect(Array.from({ length: 8 }, (_, row) => tags.columnOf('a').valueAt(row))).toEqual([
      1, 2, 1, 2, 1, 2, 1, 2,
    ]);
  });

  it('stops at the line end: a string left open is not closed by the next line', () => {
    const text = '{"id": 1, "name": "a"}\n{"id": 2, "name": "b\n"}\n';
    const outcome = expectSameOutcome(text);
    expect(outcome.error).toMatch(/^items.jsonl:2: invalid JSON/);
    expect(outcome.rows.items).toHaveLength(1);
  });

  it('leaves a line holding more than the item to the general path, having written none of it', () => {
    for (const extra of [' x', '{"id": 3}', ' 1']) {
      const outcome = expectSameOutcome(`{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}${extra}\n`);
      expect(outcome.error).toMatch(/^items.jsonl:2: invalid JSON/);
      expect(outcome.rows.items).toHaveLength(1);
    }
  });

  it('reads escapes as JSON.parse does and leaves half a surrogate pair to the general path', () => {
    const known = '{"id": 1, "name": "a"}\n';
    const escaped = expectSameOutcome(
      `${known}{"id": 2, "name": "say \\"hi\\"\\n\\u00e9\\ud83d\\ude00\\\\"}\n`,
    );
    expect(escaped.rows.items?.[1]?.name).toBe('say "hi"\né😀\\');
    expect(escaped.scanned).toBe(1);
    const half = expectSameOutcome(`${known}{"id": 2, "name": "x\\ud83d"}\n`);
    expect(half.error).toMatch(/^items.jsonl:2: text at name holds half a UTF-16 surrogate pair/);
    const bad = expectSameOutcome(`${known}{"id": 2, "name": "x\\q"}\n`);
    expect(bad.error).toMatch(/^items.jsonl:2: invalid JSON/);
  });

  it('leaves a key written with escapes to the general path: its bytes are not its name', () => {
    // the first key is `k\u00e9` as written (a backslash in it), the second `ké` (column `kx`)
    const outcome = expectSameOutcome('{"k\\\\u00e9": 1}\n{"k\\u00e9": 2}\n');
    expect(
      outcome.rows.items?.map((row) => Object.keys(row).filter((key) => !key.startsWith('_dlt'))),
    ).toEqual([['k_u00e9'], ['kx']]);
    expect(outcome.scanned).toBe(0);
  });

  it('reads a damaged line as the general path does: the same rows, or the same error', () => {
    // bytes that end or start JSON's tokens, and some that never may
    const inserts = [...',:"\\{}[]0-.eE+ \tx', '\u0001', 'é', 'null', 'true', '1e5', '"a"', '\\u00'];
    let failed = 0;
    let scanned = 0;
    for (const seed of [21, 22, 23]) {
      const next = random(seed);
      const pick = (n: number) => Math.floor(next() * n);
      for (const item of [...randomItems(seed, 60), ...awkwardItems(seed, 60)]) {
        const line = toJsonLine(item);
        for (let damage = 0; damage < 6; damage++) {
          const at = pick(line.length);
          const insert = inserts[pick(inserts.length)]!;
          const damaged = [
            line.slice(0, at) + line.slice(at + 1),
            line.slice(0, at) + insert + line.slice(at),
            line.slice(0, at) + insert + line.slice(at + 1),
          ][pick(3)]!;
          // the first copy makes the shape known, the damaged one meets the scanner
          const outcome = expectSameOutcome(`${line}\n${damaged}\n`);
          if (outcome.error !== undefined) failed++;
          scanned += outcome.scanned;
        }
      }
    }
    // both kinds met: lines JSON refuses, and damaged lines the scanner read to the end
    expect(failed).toBeGreaterThan(500);
    expect(scanned).toBeGreaterThan(100);
  });

  it('refuses a control character inside a string, as JSON.parse does', () => {
    const outcome = expectSameOutcome('{"id": 1, "name": "a"}\n{"id": 2, "name": "tab\tin text"}\n');
    expect(outcome.error).toMatch(/^items.jsonl:2: invalid JSON/);
  });

  it('refuses as the general path does: a null in a required column, a broken contract', () => {
    const hints: ResourceHints = {
      name: 'items',
      columns: { name: { nullable: false } },
      schemaContract: { columns: 'freeze' },
    };
    for (const line of ['{"id": 2, "name": null}', '{"id": 2}']) {
      const required = expectSameOutcome(`{"id": 1, "name": "a"}\n${line}\n`, hints);
      expect(required.error).toMatch(/^items.jsonl:2: column name of table items is not nullable/);
    }
    const frozen = expectSameOutcome('{"id": 1, "name": "a"}\n{"id": 2, "name": "b", "more": 1}\n', hints);
    expect(frozen.error).toMatch(/more/);
    const dropped = expectSameOutcome(
      '{"id": 1, "name": "a"}\n{"id": 2, "name": "b", "more": 1}\n{"id": 3, "name": "c", "more": null}\n{"id": 4, "name": "d"}\n',
      { name: 'items', schemaContract: { columns: 'discard_row' } },
    );
    expect(dropped.rows.items?.map((row) => row.id)).toEqual([1, 4]);
  });
});
