import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
import { USERS } from '../support/fixtures.js';
import { columnsOf, normalizeItems } from './normalize-helpers.js';

const users = USERS;

describe('relational normalizer (dlt users/pets example)', () => {
  it('gives users and users__pets with dlt columns and linkage', () => {
    const { rows, schema } = normalizeItems(users, { name: 'users' });

    expect(Object.keys(rows)).toEqual(['users', 'users__pets']);
    expect(columnsOf(schema, 'users')).toEqual([
      ['id', 'bigint', true],
      ['name', 'text', true],
      ['_dlt_load_id', 'text', false],
      ['_dlt_id', 'text', false],
    ]);
    expect(columnsOf(schema, 'users__pets')).toEqual([
      ['id', 'bigint', true],
      ['name', 'text', true],
      ['type', 'text', true],
      ['_dlt_parent_id', 'text', false],
      ['_dlt_list_idx', 'bigint', false],
      ['_dlt_id', 'text', false],
    ]);
    expect(schema.table('users__pets')?.parent).toBe('users');
    const [alice, bob] = rows.users!;
    expect(rows.users__pets!.map((p) => [p.name, p._dlt_parent_id, p._dlt_list_idx])).toEqual([
      ['Fluffy', alice!._dlt_id, 0],
      ['Spot', alice!._dlt_id, 1],
      ['Fido', bob!._dlt_id, 0],
    ]);
    expect(alice!._dlt_id).toMatch(/^[A-Za-z0-9+/]{14}$/);
    expect(alice!._dlt_load_id).toBe('1732190400.123456');
    expect(rows.users__pets![0]).not.toHaveProperty('_dlt_load_id');
  });

  it('orders columns like dlt: scalars of a level before flattened dicts', () => {
    const { schema } = normalizeItems([{ a: { x: 1, y: { z: 2 } }, b: 2, c: [{ k: 1 }], d: 3 }], {
      name: 'ord',
    });
    expect(columnsOf(schema, 'ord').map((c) => c[0])).toEqual([
      'b',
      'd',
      'a__x',
      'a__y__z',
      '_dlt_load_id',
      '_dlt_id',
    ]);
  });

  it("keeps the text's order of integer-like keys: columns, the value two keys of one name take, json text", () => {
    // JavaScript lists "2", "1" and "10" first; dlt (a Python dict) keeps the text's order
    const item = parseJson(
      '{"b":1,"2":2,"a":3,"_1":"x","1":"y","d":{"10":true,"z":0},"j":{"x":1,"10":2,"9":3}}',
    );
    const { rows, schema } = normalizeItems([item], { name: 'keys', columns: { j: { data_type: 'json' } } });
    expect(columnsOf(schema, 'keys').map((c) => c[0])).toEqual([
      'j',
      'b',
      '_2',
      'a',
      '_1',
      'd___10',
      'd__z',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    // `_1` came first and `1` (also `_1`) later: the later value, as in a dict
    expect(rows.keys![0]!._1).toBe('y');
    expect(rows.keys![0]!.j).toBe('{"x":1,"10":2,"9":3}');
  });

  it('gives a column reached twice in a row through keys of one name the value dlt keeps: the one flattened last', () => {
    // dlt 1.26.0: dicts are flattened from a stack, so `A` comes before `a`, and `a`'s 2.5 is
    // kept (typing the column double); `a__b` at the root is flattened after `a`'s `b`
    const { rows, schema } = normalizeItems(
      [
        { p: { a: { e: 2.5 }, A: { e: '2024-01-02T03:04:05' } }, k: 1 },
        { a__b: { c: 1 }, a: { b: { c: 2 } }, k: 2 },
      ],
      { name: 'twice' },
    );
    expect(columnsOf(schema, 'twice').map(([name, type]) => [name, type])).toEqual([
      ['k', 'bigint'],
      ['p__a__e', 'double'],
      ['_dlt_load_id', 'text'],
      ['_dlt_id', 'text'],
      ['a__b__c', 'bigint'],
    ]);
    expect(rows.twice!.map((r) => [r.p__a__e, r.a__b__c])).toEqual([
      [2.5, undefined],
      [undefined, 1],
    ]);
  });

  it('places a hinted column where data first types it, as dlt 1.26 orders them', () => {
    // dlt 1.26.0: note, rank, name, id, _dlt_load_id, _dlt_id for the same resource and item
    const { schema } = normalizeItems([{ name: 'a', id: 1 }], {
      name: 'hinted',
      primaryKey: ['id'],
      columns: { note: { data_type: 'text', nullable: true }, rank: { unique: true } },
    });
    expect(columnsOf(schema, 'hinted').map((c) => c[0])).toEqual([
      'note',
      'rank',
      'name',
      'id',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    expect(schema.table('hinted')?.columns.id).toMatchObject({ primary_key: true, data_type: 'bigint' });
  });

  it('flattens sibling dicts from the last one back and takes lists in that order, as dlt 1.26 does', () => {
    // dlt 1.26.0 gives these columns and tables for the same item
    const { schema, rows } = normalizeItems(
      [{ a: { x: 1, n: { q: 1 } }, b: { y: 2 }, c: 3, l1: [1], d: { l2: [2] }, l3: [3] }],
      { name: 'lifo' },
    );
    expect(columnsOf(schema, 'lifo').map((c) => c[0])).toEqual([
      'c',
      'b__y',
      'a__x',
      'a__n__q',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    expect(Object.keys(rows)).toEqual(['lifo', 'lifo__l1', 'lifo__l3', 'lifo__d__l2']);
  });

  it('keeps the first place and the last value when two keys normalize to one name', () => {
    const { rows, schema } = normalizeItems([{ 'a b': 1, n: 0, a_b: 2, 'l x': [1], l_x: [7, 8] }], {
      name: 'dup',
    });
    expect(columnsOf(schema, 'dup').map((c) => c[0])).toEqual(['a_b', 'n', '_dlt_load_id', '_dlt_id']);
    expect(rows.dup![0]!.a_b).toBe(2);
    // one list per name, so nested rows never share a key
    expect(rows.dup__l_x!.map((r) => r.value)).toEqual([7, 8]);
  });

  it('keeps the place of linkage columns the data brings and writes its own values there', () => {
    const { rows, schema } = normalizeItems(
      [
        {
          _dlt_load_id: 'old',
          a: 1,
          _dlt_id: 'mine',
          kids: [{ _dlt_list_idx: 9, n: 1, _dlt_parent_id: 'x' }],
        },
      ],
      { name: 'own_keys' },
    );
    expect(columnsOf(schema, 'own_keys').map((c) => c[0])).toEqual(['_dlt_load_id', 'a', '_dlt_id']);
    // the row key the data brings stays (as in dlt); the load id is this load's
    expect(rows.own_keys).toEqual([{ _dlt_load_id: '1732190400.123456', a: 1, _dlt_id: 'mine' }]);
    expect(rows.own_keys__kids).toHaveLength(1);
    const kid = rows.own_keys__kids![0]!;
    expect(Object.keys(kid)).toEqual(['_dlt_list_idx', 'n', '_dlt_parent_id', '_dlt_id']);
    expect(kid).toMatchObject({ _dlt_list_idx: 0, n: 1, _dlt_parent_id: 'mine' });
  });

  it('names empty and blank keys _empty, as dlt does', () => {
    const { schema } = normalizeItems([{ '': 1, n: { ' ': 'x' } }], { name: 'blank' });
    expect(columnsOf(schema, 'blank').map((c) => c[0])).toEqual([
      '_empty',
      'n___empty',
      '_dlt_load_id',
      '_dlt_id',
    ]);
  });

  it('puts the items of a list under a blank key into the nested table `_empty`, where dlt mixes them into the parent', () => {
    // dlt 1.26.0 names that table by the key as a table name, blank, so its rows land in the
    // parent table itself (here as root rows of `blank`); they get a table of their own here
    const { rows } = normalizeItems([{ k: 0, ' ': [1, 2] }], { name: 'blank' });
    expect(Object.keys(rows)).toEqual(['blank', 'blank___empty']);
    expect(rows.blank___empty!.map((r) => r.value)).toEqual([1, 2]);
    expect(rows.blank!.map((r) => r.k)).toEqual([0]);
  });

  it('derives deterministic keys like dlt for upsert roots and nested rows', () => {
    const { rows, schema } = normalizeItems([{ id: 1, name: 'a', kids: [{ n: 1 }] }], {
      name: 'up',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
    });
    // values computed by dlt 1.26.0 for the same item
    expect(rows.up![0]!._dlt_id).toBe('z5jIxXIbUnmbKw');
    expect(rows.up__kids![0]).toEqual({
      n: 1,
      _dlt_root_id: 'z5jIxXIbUnmbKw',
      _dlt_parent_id: 'z5jIxXIbUnmbKw',
      _dlt_list_idx: 0,
      _dlt_id: 'MjAQfVyLwhD7+Q',
    });
    expect(columnsOf(schema, 'up')[0]).toEqual(['id', 'bigint', false]);
  });

  it('hashes the whole source item for scd2 row keys, like dlt', () => {
    const { rows, schema } = normalizeItems(
      [parseJson('{"id": 1, "name": "a", "kids": [{"n": 1}], "when": "2024-01-01T00:00:00Z", "f": 1.0}')],
      { name: 'sc', writeDisposition: 'merge', mergeStrategy: 'scd2' },
    );
    expect(
      columnsOf(schema, 'sc')
        .map((c) => c[0])
        .slice(0, 2),
    ).toEqual(['_dlt_valid_from', '_dlt_valid_to']);
    expect(rows.sc__kids![0]).not.toHaveProperty('_dlt_root_id');
    // dlt 1.26.0 gives this key for the same item (orjson writes the float as 1.0)
    expect(rows.sc![0]!._dlt_id).toBe('dlggOerj/J+JwA');
    expect(rows.sc![0]!.f).toBe(1);
    expect(columnsOf(schema, 'sc').find((c) => c[0] === 'f')).toEqual(['f', 'double', true]);

    // keys sorted by code point as orjson sorts them: U+FF46 before U+1F600 (dlt 1.26.0's key)
    const wide = normalizeItems([{ id: 1, ｆ: 2, '😀': 3 }], {
      name: 'sc',
      writeDisposition: 'merge',
      mergeStrategy: 'scd2',
    });
    expect(wide.rows.sc![0]!._dlt_id).toBe('dPGn9CSfw02nSQ');
  });
});
