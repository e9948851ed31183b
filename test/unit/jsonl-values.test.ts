import { describe, expect, it } from 'vitest';
import { jsonValue } from '../../shared/formats/jsonl-values.js';

describe('JSONL values', () => {
  it('writes doubles as JSON numbers, a negative zero with its sign, and no number for NaN or infinities', () => {
    const double = { name: 'x', data_type: 'double' } as const;
    const written = [1.5, 0, -0, 1e300, 5e-324, Number.NaN, -Infinity].map((v) => jsonValue(double, v));

    expect(written).toEqual(['1.5', '0', '-0.0', '1e+300', '5e-324', 'null', 'null']);
    expect(Object.is(JSON.parse(written[2]!), -0)).toBe(true);
  });

  it("writes times as dlt's JSONL does (Python's isoformat): the fraction only when there is one", () => {
    const time = { name: 't', data_type: 'time' } as const;
    const at = (h: number, m: number, s: number, micros: number) =>
      ((h * 60 + m) * 60 + s) * 1_000_000 + micros;
    const written = [at(12, 30, 0, 0), at(1, 2, 3, 500_000), at(23, 59, 59, 999_999), 0, 1].map((v) =>
      jsonValue(time, v),
    );

    expect(written).toEqual([
      '"12:30:00"',
      '"01:02:03.500000"',
      '"23:59:59.999999"',
      '"00:00:00"',
      '"00:00:00.000001"',
    ]);
  });
});
