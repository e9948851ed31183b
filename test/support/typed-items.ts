import type { ResourceHints } from '../../shared/normalize/resource.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import { random } from './dlt-parity/random-items.js';

/** A column hinted to each dlt type, with sizes and precisions where dlt takes them. */
export const TYPED_COLUMNS: NonNullable<ResourceHints['columns']> = {
  amount: { data_type: 'decimal', precision: 12, scale: 3 },
  big: { data_type: 'decimal' },
  w: { data_type: 'wei' },
  day: { data_type: 'date' },
  clock: { data_type: 'time' },
  local: { data_type: 'timestamp', timezone: false },
  at: { data_type: 'timestamp' },
  ms: { data_type: 'timestamp', precision: 3 },
  tiny: { data_type: 'bigint', precision: 8 },
  small: { data_type: 'bigint', precision: 16 },
  i32: { data_type: 'bigint', precision: 32 },
  blob: { data_type: 'binary' },
  doc: { data_type: 'json' },
  flag: { data_type: 'bool' },
  note: { data_type: 'text' },
  f: { data_type: 'double' },
};

/**
 * Items for TYPED_COLUMNS, values at the edges of each type (the ends of the date and timestamp
 * ranges, dates before 1582, the largest decimals, times with and without a fraction, text that
 * holds a number or an offset), some null or left out, with a nested list of line items.
 */
export function typedItems(seed: number, count: number): Record<string, unknown>[] {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  // a tenth null, a few left out
  const maybe = (value: () => unknown): unknown =>
    next() < 0.1 ? null : next() < 0.05 ? undefined : value();
  return Array.from({ length: count }, () => {
    const item: Record<string, unknown> = {
      amount: maybe(() =>
        pick([int(-1e9, 1e9) / 1000, String(int(-1e9, 1e9) / 1000), '999999999.999', -0.001, 0]),
      ),
      big: maybe(() =>
        pick([
          '12345678901234567890.123456789',
          int(-1e6, 1e6) / 7,
          '-0.000000001',
          1e20,
          '99999999999999999999999999999.999999999',
        ]),
      ),
      w: maybe(() => pick([10n ** 30n, -(10n ** 37n), 0, int(0, 1e9), '123456789012345678901234567890'])),
      day: maybe(() =>
        pick(['2024-02-29', '0001-01-01', '9999-12-31', '1582-10-04', '2024-01-01T10:00:00Z']),
      ),
      clock: maybe(() => pick(['23:59:59.999999', '00:00:00', '12:30:00', '01:02:03.5', '12:30:00+02:00'])),
      local: maybe(() =>
        pick([
          '2024-01-02T03:04:05.123456',
          '0001-01-01T00:00:00',
          '9999-12-31T23:59:59.999999',
          '2024-03-10T02:30:00+05:30',
        ]),
      ),
      at: maybe(() =>
        pick([
          '2024-01-02T03:04:05.123456+02:00',
          '1969-12-31T23:59:59.999999Z',
          '1500-02-28T12:00:00Z',
          1700000000.5,
        ]),
      ),
      ms: maybe(() => pick(['2024-01-02T03:04:05.123456Z', '2000-01-01T00:00:00.999Z'])),
      tiny: maybe(() => int(-128, 127)),
      small: maybe(() => int(-32768, 32767)),
      i32: maybe(() => int(-2147483648, 2147483647)),
      blob: maybe(() => pick(['AAEC/w==', '', 'aGVsbG8=', '0x00ff10'])),
      doc: maybe(() => pick([{ a: 1, b: [1, 2, { c: 'x' }] }, [1, 'two', null], { é: 'ü', 'q"': "'" }, {}])),
      flag: maybe(() => pick([true, false, 'true', 1, 0])),
      note: maybe(() => pick(['héllo', "it's", 'a\\b', 'line\nbreak', '😀', '', 'x'.repeat(int(0, 3000))])),
      f: maybe(() => pick([0.1, -1e308, 5e-324, new JsonFloat(3), 2 ** 53 + 2, -0.5])),
    };
    if (next() < 0.7)
      item.lines = Array.from({ length: int(0, 3) }, () => ({
        sku: pick(['a', 'b', 'ü']),
        qty: int(-5, 5),
        price: maybe(() => int(0, 100000) / 100),
      }));
    for (const key of Object.keys(item)) if (item[key] === undefined) delete item[key];
    return item;
  });
}
