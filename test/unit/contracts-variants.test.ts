import { describe, expect, it } from 'vitest';
import { DataValidationError } from '../../shared/schema/contract.js';
import { Schema } from '../../shared/schema/schema.js';
import { columnsOf, normalizeItems } from './normalize-helpers.js';

describe('variant columns', () => {
  it('sends values that do not fit the column type to <col>__v_<type>, like dlt', () => {
    const { rows, schema } = normalizeItems(
      [{ v: 1 }, { v: 'text' }, { v: 2.5 }, { v: true }, { v: { q: 1 } }, { v: '7' }],
      { name: 'var' },
    );

    expect(columnsOf(schema, 'var')).toEqual([
      ['v', 'bigint', true],
      ['_dlt_load_id', 'text', false],
      ['_dlt_id', 'text', false],
      ['v__v_text', 'text', true],
      ['v__v_double', 'double', true],
      ['v__v_bool', 'bool', true],
      ['v__q', 'bigint', true],
    ]);
    expect(schema.table('var')?.columns.v__v_text?.variant).toBe(true);
    expect(rows.var!.map((r) => [r.v, r.v__v_text, r.v__v_double, r.v__v_bool, r.v__q])).toEqual([
      [1, undefined, undefined, undefined, undefined],
      [undefined, 'text', undefined, undefined, undefined],
      [undefined, undefined, 2.5, undefined, undefined],
      [undefined, undefined, undefined, true, undefined],
      [undefined, undefined, undefined, undefined, 1],
      [7, undefined, undefined, undefined, undefined],
    ]);
  });

  it('refuses text its variant column cannot take, naming the variant column and the type ISO text gave it', () => {
    // dlt 1.26.0 fails here too (pendulum cannot parse `x` for the timestamp variant)
    expect(() =>
      normalizeItems([{ flag: true }, { flag: '2024-01-02T03:04:05Z' }, { flag: 'x' }], { name: 'v' }),
    ).toThrow(
      'value of column flag in table v fits neither bool nor its variant column flag__v_text (timestamp)',
    );
  });

  it('coerces into an existing column where dlt does (integral floats, numeric text, ISO text into timestamps)', () => {
    const { rows } = normalizeItems(
      [
        { n: 1, t: '2024-01-01T00:00:00Z' },
        { n: 2.0, t: '2024-02-01' },
      ],
      { name: 'c' },
    );
    expect(rows.c!.map((r) => [r.n, r.t])).toEqual([
      [1, 1_704_067_200_000_000],
      [2, 1_706_745_600_000_000],
    ]);
  });
});

describe('nesting', () => {
  it('turns lists of lists into an intermediate table and lists of scalars into value columns', () => {
    const { rows, schema } = normalizeItems([{ m: [[1, 2], [3]] }], { name: 'lol' });
    expect(Object.keys(rows)).toEqual(['lol', 'lol__m', 'lol__m__list']);
    expect(columnsOf(schema, 'lol__m').map((c) => c[0])).toEqual([
      '_dlt_parent_id',
      '_dlt_list_idx',
      '_dlt_id',
    ]);
    expect(rows.lol__m__list!.map((r) => r.value)).toEqual([1, 2, 3]);
    expect(rows.lol__m__list!.map((r) => r._dlt_parent_id)).toEqual([
      rows.lol__m![0]!._dlt_id,
      rows.lol__m![0]!._dlt_id,
      rows.lol__m![1]!._dlt_id,
    ]);
  });

  it('stores data deeper than max nesting as json, like dlt with max_table_nesting=1', () => {
    const { rows, schema } = normalizeItems([{ id: 1, a: { b: { c: 1 } }, l: [{ m: [1, 2] }] }], {
      name: 'mx',
      maxTableNesting: 1,
    });
    expect(columnsOf(schema, 'mx').slice(0, 2)).toEqual([
      ['id', 'bigint', true],
      ['a__b', 'json', true],
    ]);
    expect(rows.mx![0]!.a__b).toBe('{"c":1}');
    expect(columnsOf(schema, 'mx__l')[0]).toEqual(['m', 'json', true]);
    expect(rows.mx__l![0]!.m).toBe('[1,2]');
  });

  it("keeps a list inside a list past max nesting in the intermediate row's list column, like dlt", () => {
    // dlt 1.26.0 with max_table_nesting=1 gives these columns and rows for the same item
    const { rows, schema } = normalizeItems([{ a: [[1, 2], 3] }], { name: 'll', maxTableNesting: 1 });
    expect(columnsOf(schema, 'll__a').map((c) => [c[0], c[1]])).toEqual([
      ['list', 'json'],
      ['_dlt_parent_id', 'text'],
      ['_dlt_list_idx', 'bigint'],
      ['_dlt_id', 'text'],
      ['value', 'bigint'],
    ]);
    expect(rows.ll__a!.map((r) => [r.list, r.value])).toEqual([
      ['[1,2]', undefined],
      [undefined, 3],
    ]);
  });

  it('keeps every value as json at max nesting 0', () => {
    const { rows } = normalizeItems([{ a: { b: 1 }, l: [1] }], { name: 'flat', maxTableNesting: 0 });
    expect(Object.keys(rows)).toEqual(['flat']);
    expect([rows.flat![0]!.a, rows.flat![0]!.l]).toEqual(['{"b":1}', '[1]']);
  });

  it('creates no column for null values and no table for empty lists', () => {
    const { rows, schema } = normalizeItems([{ a: null, e: [], o: {}, x: 1 }], { name: 'empty' });
    expect(Object.keys(rows)).toEqual(['empty']);
    expect(columnsOf(schema, 'empty').map((c) => c[0])).toEqual(['x', '_dlt_load_id', '_dlt_id']);
  });

  it('wraps non-dict items as {value: item}', () => {
    const { rows } = normalizeItems([5, 'x'], { name: 'scalars' });
    expect(rows.scalars!.map((r) => [r.value, r.value__v_text])).toEqual([
      [5, undefined],
      [undefined, 'x'],
    ]);
  });
});

describe('schema contracts', () => {
  // a stored schema from an earlier run, loaded afresh as the next normalize would
  const existing = () =>
    new Schema(normalizeItems([{ a: 1, kids: [{ k: 1 }] }], { name: 't' }).schema.toStored());

  it('freeze refuses a new column, naming table and column', () => {
    const schema = existing();
    const run = () => normalizeItems([{ a: 2, b: 'new' }], { name: 't', schemaContract: 'freeze' }, schema);
    expect(run).toThrow(DataValidationError);
    expect(run).toThrow(/column b of table t/);
  });

  it('freeze refuses a new table and a new nested table', () => {
    expect(() => normalizeItems([{ a: 1 }], { name: 'fresh', schemaContract: { tables: 'freeze' } })).toThrow(
      /new table fresh/,
    );
    const schema = existing();
    expect(() =>
      normalizeItems([{ a: 1, other: [{ x: 1 }] }], { name: 't', schemaContract: 'freeze' }, schema),
    ).toThrow(/new table t__other/);
  });

  it('freeze on data_type refuses a variant', () => {
    const schema = existing();
    expect(() =>
      normalizeItems([{ a: 'text' }], { name: 't', schemaContract: { data_type: 'freeze' } }, schema),
    ).toThrow(/data type of column a of table t/);
  });

  it('discard_row drops rows with new columns, discard_value drops only the value', () => {
    const dropped = normalizeItems(
      [{ a: 2, b: 'new' }, { a: 3 }],
      { name: 't', schemaContract: { columns: 'discard_row' } },
      existing(),
    );
    expect(dropped.rows.t!.map((r) => r.a)).toEqual([3]);
    expect(dropped.schema.table('t')?.columns.b).toBeUndefined();

    const trimmed = normalizeItems(
      [{ a: 2, b: 'new' }],
      { name: 't', schemaContract: { columns: 'discard_value' } },
      existing(),
    );
    expect(trimmed.rows.t!.map((r) => [r.a, r.b])).toEqual([[2, undefined]]);
    expect(trimmed.schema.table('t')?.columns.b).toBeUndefined();
  });

  // dlt 1.26.0 gives the same for the same two packages (checked with its normalizer)
  it('lets only the row that creates a table bring any columns; later rows meet the contract', () => {
    const { rows, schema } = normalizeItems(
      [
        { a: 2, m: [{ p: 1 }, { p: 2, q: 3 }] },
        { a: 3, m: [{ p: 1, w: 3 }] },
      ],
      { name: 't', schemaContract: { columns: 'discard_value' } },
      existing(),
    );
    expect(columnsOf(schema, 't__m').map((c) => c[0])).toEqual([
      'p',
      '_dlt_parent_id',
      '_dlt_list_idx',
      '_dlt_id',
    ]);
    expect(rows.t__m!.map((r) => [r.p, r.q, r.w])).toEqual([
      [1, undefined, undefined],
      [2, undefined, undefined],
      [1, undefined, undefined],
    ]);
  });

  it('keeps what a dropped row changed that the contract allows, and drops later rows holding a refused key', () => {
    const { rows, schema } = normalizeItems(
      [{ a: 2, b: 'x', _dlt_extra: 'e' }, { a: 3, b: null }, { a: 4 }],
      { name: 't', schemaContract: { columns: 'discard_row' } },
      existing(),
    );
    expect(rows.t!.map((r) => r.a)).toEqual([4]);
    expect(columnsOf(schema, 't').map((c) => c[0])).toContain('_dlt_extra');

    // `constructor` is a member of every object, but a row holds it only when the data has it
    const builtIn = normalizeItems(
      [{ a: 2, constructor: 'x' }, { a: 3 }],
      { name: 't', schemaContract: { columns: 'discard_row' } },
      existing(),
    );
    expect(builtIn.rows.t!.map((r) => r.a)).toEqual([3]);
    expect(schema.table('t')?.columns.b).toBeUndefined();

    const variant = normalizeItems(
      [{ a: 'text', c: 5 }, { a: 6 }],
      { name: 't', schemaContract: { data_type: 'discard_row' } },
      existing(),
    );
    expect(variant.rows.t!.map((r) => r.a)).toEqual([6]);
    expect(variant.schema.table('t')?.columns.c?.data_type).toBe('bigint');
    expect(variant.schema.table('t')?.columns.a__v_text).toBeUndefined();
  });

  it('discard_row on a new root table drops all its rows', () => {
    const { rows, schema } = normalizeItems([{ a: 1 }], {
      name: 'fresh',
      schemaContract: { tables: 'discard_row' },
    });
    expect(rows).toEqual({});
    expect(schema.table('fresh')).toBeUndefined();
  });

  it('discard_row on tables drops the rows of a new nested table only', () => {
    const { rows } = normalizeItems(
      [{ a: 5, other: [{ x: 1 }] }],
      { name: 't', schemaContract: { tables: 'discard_row' } },
      existing(),
    );
    expect(Object.keys(rows)).toEqual(['t']);
  });

  it('evolve lets a new table take any columns', () => {
    const { schema } = normalizeItems([{ a: 1, b: 'x' }], {
      name: 'brand_new',
      schemaContract: { columns: 'freeze' },
    });
    expect(columnsOf(schema, 'brand_new').map((c) => c[0])).toEqual(['a', 'b', '_dlt_load_id', '_dlt_id']);
  });
});
