import { describe, expect, it } from 'vitest';
import { compareCursors, IncrementalCursor } from '../../shared/sources/incremental.js';
import { canonicalJson } from '../../shared/util/canonical-json.js';
import { digest128 } from '../../shared/util/digest.js';

// The hashes are dlt 1.26's own, computed with dlt.common.utils.digest128 over
// dlt.common.json.dumps(value, sort_keys=True), as its incremental transform does.
describe('the incremental cursor', () => {
  it("tells records at the last value apart by the resource's primary key, as dlt does", () => {
    const cursor = new IncrementalCursor(0, undefined, ['id']);
    expect(cursor.accept(5, { id: 2, at: 5, name: 'x' })).toBe(true);
    expect(cursor.state().unique_hashes).toEqual(['Tp44cKMYfAuJiBfxLAqu']);

    // the next run skips the key it saw at the last value, even with other fields changed
    const next = new IncrementalCursor(0, cursor.state(), ['id']);
    expect(next.accept(5, { id: 2, at: 5, name: 'changed' })).toBe(false);
    expect(next.accept(5, { id: 3, at: 5, name: 'x' })).toBe(true);
  });

  it('hashes a compound key as the list of its values, and the whole record without a key', () => {
    const compound = new IncrementalCursor(0, undefined, ['id', 'k']);
    compound.accept(5, { id: 2, k: 'a', at: 5 });
    expect(compound.state().unique_hashes).toEqual(['rciKd0cv8i4jRPo0QL1M']);

    const whole = new IncrementalCursor(0, undefined);
    whole.accept(5, { name: 'x', id: 2, at: 5 });
    expect(whole.state().unique_hashes).toEqual(['0PRVAQwYX5ITYD2qghMU']);
    // a key the record does not hold (a normalized name its source spells otherwise): the whole record
    const misnamed = new IncrementalCursor(0, undefined, ['order_id']);
    misnamed.accept(5, { name: 'x', id: 2, at: 5 });
    expect(misnamed.state().unique_hashes).toEqual(['0PRVAQwYX5ITYD2qghMU']);
  });
});

describe("the incremental cursor with dlt's end_value (a backfill)", () => {
  it('takes [initial value, end value) whatever the state holds, and keeps no state', () => {
    const regular = new IncrementalCursor('2026-01-01T00:00:00Z', undefined, ['id']);
    regular.accept('2026-01-05T00:00:00Z', { id: 5 });
    const state = regular.state();

    const backfill = new IncrementalCursor(
      '2026-01-02T00:00:00Z',
      state,
      ['id'],
      '2026-01-04T00:00:00+00:00',
    );
    expect(backfill.keepsState).toBe(false);
    expect(backfill.start).toBe('2026-01-02T00:00:00Z');
    const values = [
      '2026-01-01T23:59:59Z',
      '2026-01-02T00:00:00Z',
      '2026-01-03T12:00:00Z',
      '2026-01-04T00:00:00Z',
    ];
    // the end compares as an instant: `+00:00` is the `Z` of the records
    expect(values.map((value, id) => backfill.accept(value, { id }))).toEqual([false, true, true, false]);
    expect(regular.keepsState).toBe(true);
  });
});

describe('the incremental cursor on a state Sluice kept before it hashed as dlt does', () => {
  it('still skips the records that state saw at its last value', () => {
    const seen = { id: 2, at: 5, name: 'x' };
    // 10-byte hashes of the whole record, as earlier versions kept them
    const old = { initial_value: 0, last_value: 5, unique_hashes: [digest128(canonicalJson(seen), 10)] };
    const cursor = new IncrementalCursor(0, old, ['id']);
    expect(cursor.accept(5, seen)).toBe(false);
    expect(cursor.accept(5, { id: 3, at: 5, name: 'y' })).toBe(true);
  });
});

describe('cursor values', () => {
  it('order ISO timestamps by the instant they name, whatever their spelling, and other text as text', () => {
    expect(compareCursors('2024-06-01T00:00:00Z', '2024-06-01T00:00:00+00:00')).toBe(0);
    expect(compareCursors('2024-06-01T00:00:00.000Z', '2024-06-01T00:00:00+00:00')).toBe(0);
    expect(compareCursors('2024-06-01T01:00:00+02:00', '2024-06-01T00:00:00Z')).toBe(-1);
    expect(compareCursors('b', 'a')).toBe(1);
    expect(compareCursors(10, 9)).toBe(1);
  });

  it("go on from a dlt state's datetime cursor with an API that spells its instants with Z", () => {
    // dlt's state as restored: its datetime cursor as ISO text, records at it hashed by key
    const cursor = new IncrementalCursor(
      '2024-01-01T00:00:00+00:00',
      {
        initial_value: '2024-01-01T00:00:00+00:00',
        last_value: '2024-06-01T00:00:00+00:00',
        unique_hashes: ['Tp44cKMYfAuJiBfxLAqu'],
      },
      ['id'],
    );
    expect(cursor.accept('2024-05-31T23:59:59Z', { id: 1 })).toBe(false);
    expect(cursor.accept('2024-06-01T00:00:00Z', { id: 2 })).toBe(false);
    expect(cursor.accept('2024-06-01T00:00:00Z', { id: 3 })).toBe(true);
    expect(cursor.accept('2024-06-02T00:00:00Z', { id: 4 })).toBe(true);
    expect(cursor.state().last_value).toBe('2024-06-02T00:00:00Z');
  });
});
