import { describe, expect, it } from 'vitest';
import { jsonValue } from '../../shared/formats/jsonl-values.js';

describe('JSONL values', () => {
  it('writes doubles as JSON numbers, a negative zero with its sign, and no number for NaN or infinities', () => {
    const double = { name: 'x', data_type: 'double' } as const;
    const written = [1.5, 0, -0, 1e300, 5e-324, Number.NaN, -Infinity].map((v) => jsonValue(double, v));

    expect(written).toEqual(['1.5', '0', '-0.0', '1e+300', '5e-324', 'null', 'null']);
    expect(Object.is(JSON.parse(written[2]!), -0)).toBe(true);
  });
});
