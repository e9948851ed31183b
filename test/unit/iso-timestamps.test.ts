import { describe, expect, it } from 'vitest';
import { inferDataType, parseIsoTimestamp } from '../../shared/schema/infer.js';

describe('ISO timestamp detection', () => {
  it('reads instants to the microsecond, honouring offsets', () => {
    expect(parseIsoTimestamp('2024-01-02T03:04:05Z')).toBe(Date.parse('2024-01-02T03:04:05Z') * 1000);
    expect(parseIsoTimestamp('2024-01-02T03:04:05.123456Z')).toBe(
      Date.parse('2024-01-02T03:04:05Z') * 1000 + 123_456,
    );
    expect(parseIsoTimestamp('2024-01-02T05:04:05+02:00')).toBe(Date.parse('2024-01-02T03:04:05Z') * 1000);
  });

  it('accepts 29 February only in leap years, and no day a month lacks', () => {
    const valid = [
      '2024-02-29T00:00:00Z',
      '2000-02-29T00:00:00Z',
      '2023-04-30T00:00:00Z',
      '2023-12-31T23:59:59Z',
    ];
    const invalid = [
      '2023-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2023-04-31T00:00:00Z',
    ];
    for (const text of valid) expect(inferDataType(text), text).toBe('timestamp');
    for (const text of [...invalid, '2023-13-01T00:00:00Z', '2023-00-10T00:00:00Z']) {
      expect(inferDataType(text), text).toBe('text');
    }
  });
});
