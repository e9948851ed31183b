import { describe, expect, it } from 'vitest';
import { ColumnBatch, NumberColumn, type TextBytes } from '../../shared/formats/column-batch.js';

const values = (batch: ColumnBatch, name: string) =>
  Array.from({ length: batch.length }, (_, row) => batch.columnOf(name).valueAt(row));

describe('a column batch taking a refused item back out', () => {
  it('drops the rows from a place on, in every kind of column, and keeps counting nulls right', () => {
    const batch = new ColumnBatch();
    const text = Buffer.from('a bbb c late');
    // two rows that stand: the second has no text, so a null
    let row = batch.length++;
    batch.column('name', 'text').setAscii(row, text, 0, 1);
    batch.column('n', 'numbers').set(row, 1);
    batch.column('v', 'values').set(row, 'x');
    row = batch.length++;
    batch.column('n', 'numbers').set(row, 2);
    batch.chars = 1;
    // rows of a refused item: a null in `name` then text, a column first met there, and numbers
    // in both bytes of the validity bitmap
    row = batch.length++;
    batch.column('n', 'numbers').set(row, 3);
    batch.column('v', 'values').set(row, 'y');
    row = batch.length++;
    batch.column('name', 'text').setAscii(row, text, 2, 5);
    batch.column('late', 'text').setAscii(row, text, 8, 12);
    while (batch.length < 12) row = batch.length++;
    batch.column('n', 'numbers').set(row, 4);
    batch.chars = 8;
    batch.truncate(2, 1);
    expect([batch.length, batch.chars]).toEqual([2, 1]);
    // the next rows reuse their places: text, then a null where the refused text was
    row = batch.length++;
    batch.column('name', 'text').setAscii(row, text, 6, 7);
    while (batch.length < 12) row = batch.length++;
    const nulls = (count: number) => Array.from({ length: count }, () => undefined);
    expect(values(batch, 'name')).toEqual(['a', undefined, 'c', ...nulls(9)]);
    expect(values(batch, 'n')).toEqual([1, 2, ...nulls(10)]);
    expect(values(batch, 'v')).toEqual(['x', ...nulls(11)]);
    expect(values(batch, 'late')).toEqual(nulls(12));
    const name = (batch.column('name') as TextBytes).finish(12);
    expect([name.nullCount, [...name.offsets.subarray(0, 5)], name.data.toString()]).toEqual([
      10,
      [0, 1, 1, 2, 2],
      'ac',
    ]);
    // rows 0 and 2 hold text, none of the refused rows' does
    expect([...name.validity]).toEqual([0b101, 0]);
    const late = (batch.column('late') as TextBytes).finish(12);
    expect([late.nullCount, late.data.length]).toEqual([12, 0]);
    expect((batch.column('n') as NumberColumn).finish(12)).toMatchObject({ nullCount: 10 });
  });

  it('drops the values of a number column that turned into values', () => {
    const column = new NumberColumn();
    column.set(0, 1);
    column.set(1, 2n ** 60n);
    column.set(2, 3);
    column.truncate(1);
    column.set(1, 5);
    expect(column.finish(3)).toEqual([1, 5, undefined]);
  });
});

describe('a column batch sized by the one before', () => {
  it('holds every row and byte past the room it began with', () => {
    const text = Buffer.from('abcdefghij');
    const fill = (batch: ColumnBatch, rows: number, width: number) => {
      for (let i = 0; i < rows; i++) {
        const row = batch.length++;
        batch.column('name', 'text').setAscii(row, text, 0, width);
        batch.column('n', 'numbers').set(row, row);
      }
      return batch;
    };
    // 300 rows of 5 bytes: the next batch begins with room for 338 rows (not a multiple of 8)
    const before = fill(new ColumnBatch(), 300, 5);
    const batch = fill(new ColumnBatch(before), 700, 10);
    const name = (batch.column('name') as TextBytes).finish(700);
    expect([name.nullCount, name.offsets[700], name.data.length]).toEqual([0, 7000, 7000]);
    expect(values(batch, 'name').every((value) => value === 'abcdefghij')).toBe(true);
    expect(values(batch, 'n')).toEqual(Array.from({ length: 700 }, (_, row) => row));
  });
});
