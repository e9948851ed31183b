import { describe, expect, it } from 'vitest';
import { resultTable } from '../../shared/cli/result-table.js';

describe('sluice query results', () => {
  it('draws a box of values as they read, NULL for none, and counts the rows', () => {
    const table = resultTable([
      { id: '1', name: 'Zoë', note: 'two\nlines', raw: Uint8Array.from([0, 255]), tags: ['a', 'b'] },
      { id: '22', name: null, note: '', raw: null, tags: { n: 1n } },
    ]);

    expect(table.split('\n')).toEqual([
      '┌────┬──────┬────────────┬──────────┬───────────┐',
      '│ id │ name │ note       │ raw      │ tags      │',
      '├────┼──────┼────────────┼──────────┼───────────┤',
      '│ 1  │ Zoë  │ two\\nlines │ \\x00\\xFF │ ["a","b"] │',
      '│ 22 │ NULL │            │ NULL     │ {"n":"1"} │',
      '└────┴──────┴────────────┴──────────┴───────────┘',
      '2 rows',
    ]);
    expect(resultTable([{ n: 1 }]).endsWith('\n1 row')).toBe(true);
    expect(resultTable([])).toBe('0 rows');
  });
});
