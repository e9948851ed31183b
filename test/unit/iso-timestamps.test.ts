import { describe, expect, it } from 'vitest';
import { timestampText } from '../../shared/formats/jsonl-values.js';
import { coerceValue, NO_FIT } from '../../shared/schema/coerce.js';
import { parseIsoTimestamp, timestampByPatterns } from '../../shared/schema/date-text.js';
import { inferDataType } from '../../shared/schema/infer.js';

describe('ISO timestamp detection', () => {
  it('reads instants to the microsecond, honouring offsets', () => {
    expect(parseIsoTimestamp('2024-01-02T03:04:05Z')).toBe(Date.parse('2024-01-02T03:04:05Z') * 1000);
    expect(parseIsoTimestamp('2024-01-02T03:04:05.123456Z')).toBe(
      Date.parse('2024-01-02T03:04:05Z') * 1000 + 123_456,
    );
    expect(parseIsoTimestamp('2024-01-02T05:04:05+02:00')).toBe(Date.parse('2024-01-02T03:04:05Z') * 1000);
  });

  it('reads the common extended form character by character exactly as the patterns read it', () => {
    // seeded, so a failure repeats: xorshift32
    let seed = 2463534242;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const pick = <T>(list: readonly T[]) => list[random(list.length)]!;
    // mostly in range, now and then just past it
    const two = (past: number) => String(random(past + 1)).padStart(2, '0');
    const fractions = ['', '.', ',5', '.5', '.123456', '.1234567', '.000000009', '.9999999999'];
    const zones = [
      '',
      'Z',
      'z',
      '+02:00',
      '-05:30',
      '+24:00',
      '+24:01',
      '-00:00',
      '+0200',
      '+02',
      '+2:00',
      'Z ',
      '+02:0x',
    ];
    const seen = { read: 0, refused: 0 };
    const differing: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const year = pick(['2024', '2023', '2000', '1900', '0001', '0000', '9999', '20x4']);
      let text = `${year}-${two(13)}-${two(32)}${pick(['T', ' ', 't', '_'])}${two(24)}:${two(60)}:${two(60)}${pick(fractions)}${pick(zones)}`;
      // now and then a character out of place
      if (random(8) === 0) {
        const at = random(text.length);
        text = text.slice(0, at) + pick(['-', ':', '.', '1', 'W', ' ']) + text.slice(at + 1);
      }
      const [fast, patterns] = [parseIsoTimestamp(text), timestampByPatterns(text)];
      if (fast !== patterns) differing.push(`${text}: ${fast} vs ${patterns}`);
      seen[fast === undefined ? 'refused' : 'read']++;
    }
    expect(differing.slice(0, 10)).toEqual([]);
    // both kinds are well represented, or the comparison proves little
    expect(Math.min(seen.read, seen.refused)).toBeGreaterThan(2_000);
  });

  it('reads the forms dlt 1.26 (pendulum) reads as timestamps, and no others', () => {
    const at = (iso: string) => Date.parse(iso) * 1000;
    const read: [string, number][] = [
      ['2024-01-02 03:04:05', at('2024-01-02T03:04:05Z')],
      ['2024-01-02T03', at('2024-01-02T03:00:00Z')],
      ['2024-01-02 03Z', at('2024-01-02T03:00:00Z')],
      ['2024-01T03:04', at('2024-01-01T03:04:00Z')],
      ['2024-01-02T03:04:05.1234567891+0530', at('2024-01-01T21:34:05Z') + 123_456],
      ['2024-01-02T03:04:05+02', at('2024-01-02T01:04:05Z')],
      // ISO 8601 basic, as in iCalendar or X-Amz-Date
      ['20240102T030405Z', at('2024-01-02T03:04:05Z')],
      ['20240102T030405,5-0230', at('2024-01-02T05:34:05Z') + 500_000],
      ['20240102 03', at('2024-01-02T03:00:00Z')],
      ['20240102T03:04', at('2024-01-02T03:04:00Z')],
      // ordinal and week dates, week 0 and weekday 0 counted back from week 1 as pendulum does
      ['2024-366T10:00', at('2024-12-31T10:00:00Z')],
      ['2024002T10', at('2024-01-02T10:00:00Z')],
      ['2020-W53-7T10:00', at('2021-01-03T10:00:00Z')],
      ['2024W012T1000', at('2024-01-02T10:00:00Z')],
      ['2024-W00-0T10', at('2023-12-24T10:00:00Z')],
      // pendulum's common form, where ISO fails: slashes, colons or nothing between the date's parts
      ['2024/01/02 03:04:05', at('2024-01-02T03:04:05Z')],
      ['2024/01/02 3:4:05.25', at('2024-01-02T03:04:05Z') + 250_000],
      ['2024:01:02 03:04:05', at('2024-01-02T03:04:05Z')],
      ['20240102 03:04:05', at('2024-01-02T03:04:05Z')],
      ['2024 03:04', at('2024-01-01T03:04:00Z')],
    ];
    for (const [text, micros] of read) {
      expect(inferDataType(text), text).toBe('timestamp');
      expect(parseIsoTimestamp(text), text).toBe(micros);
    }
    const notRead = [
      '2024-01-02',
      '03:04:05',
      '202403:04', // pendulum reads 4 March 2024: a date
      '2024/01/02T03:04:05',
      '2024/01/02 03:04:05Z',
      '2024/1/2 03:04',
      '2024/01/02 03:',
      '2024/01/02 24:00',
      '2024-01-02T0304',
      '20240102T03:04:05',
      '20240102T030',
      '2024-01-02T03:04:05.',
      '2024-01-02t03:04:05z',
      '2024-01-02T03:04:05 +02:00',
      '2024-01-02T03:04:05+25:00',
      '2023-366T10:00',
      '2024-W53-1T10:00', // 2024 has 52 weeks
      '2024-W01-8T10:00',
      '9999-W52-7T10:00', // past 9999-12-31
      'Wed, 29 Jun 2022 13:56:34 +0000',
    ];
    for (const text of notRead) expect(inferDataType(text), text).toBe('text');
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

describe('timestamps at the edges of what dlt reads (Python datetime: years 1-9999)', () => {
  const column = { name: 't', data_type: 'timestamp' as const };

  it('keeps every microsecond past 2^53 µs (after the year 2255) as a bigint', () => {
    expect(parseIsoTimestamp('9999-12-31T23:59:59.999999Z')).toBe(253_402_300_799_999_999n);
    expect(parseIsoTimestamp('2255-06-05T23:47:34.740993Z')).toBe(9_007_199_254_740_993n);
    expect(parseIsoTimestamp('2024-01-02T03:04:05Z')).toBe(1_704_164_645_000_000);
    expect(timestampText(253_402_300_799_999_999n, true)).toBe('9999-12-31T23:59:59.999999Z');
    expect(timestampText(-62_135_596_800_000_000, false)).toBe('0001-01-01T00:00:00.000000');
    expect(timestampText(-1, true)).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestampText(-1n, true)).toBe('1969-12-31T23:59:59.999999Z');
    expect(timestampText(1_704_164_645_000_001, false)).toBe('2024-01-02T03:04:05.000001');
  });

  it('coerces date text into date and timestamp columns as dlt does, before reading epoch seconds', () => {
    const date = { name: 'd', data_type: 'date' as const };
    const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
    // [text, its date, its timestamp] as dlt 1.26 coerces them
    const cases: [string, number | typeof NO_FIT, number | bigint | typeof NO_FIT][] = [
      ['2024/01/02', day('2024-01-02'), day('2024-01-02') * 86_400_000_000],
      ['20240102', day('2024-01-02'), day('2024-01-02') * 86_400_000_000], // not 20,240,102 seconds
      ['2024', day('2024-01-01'), day('2024-01-01') * 86_400_000_000], // a year, not 2,024 seconds
      ['2024-01', day('2024-01-01'), day('2024-01-01') * 86_400_000_000],
      ['2024-002', day('2024-01-02'), day('2024-01-02') * 86_400_000_000],
      ['2024W012', day('2024-01-02'), day('2024-01-02') * 86_400_000_000],
      ['202401', 2, 202_401_000_000], // no ISO date: epoch seconds
      [' 42 ', 0, 42_000_000],
      ['2024-01-02T23:30:00-05:00', day('2024-01-03'), Date.parse('2024-01-03T04:30:00Z') * 1000],
      [' 2024-01-02', NO_FIT, NO_FIT],
      ['9999-12-31T23:30:00-05:00', NO_FIT, 253_402_317_000_000_000n],
    ];
    for (const [text, days, micros] of cases) {
      expect(coerceValue(text, date), text).toBe(days);
      expect(coerceValue(text, column), text).toBe(micros);
    }
  });

  it('coerces time text as dlt does: ISO after a T, extended, the common form; offsets to UTC', () => {
    const time = { name: 't', data_type: 'time' as const };
    const at = (h: number, m: number, s = 0, micros = 0) => ((h * 60 + m) * 60 + s) * 1_000_000 + micros;
    const cases: [string, number | typeof NO_FIT][] = [
      ['10:00', at(10, 0)],
      ['10:00:00,5', at(10, 0, 0, 500_000)],
      [' 1:5', at(1, 5)], // the common form: a leading space, one-digit parts
      ['00:59.1234567', at(0, 59, 0, 123_456)],
      ['T100000.5', at(10, 0, 0, 500_000)],
      ['T1059', at(10, 59)],
      ['10:00:00+02:00', at(8, 0)],
      ['00:59+0200', at(22, 59)], // wraps around midnight
      ['10:00 ', NO_FIT],
      ['T10:59:59', NO_FIT],
      ['00:59.5+02', NO_FIT],
      ['24:00', NO_FIT],
      ['10', NO_FIT],
    ];
    for (const [text, micros] of cases) expect(coerceValue(text, time), text).toBe(micros);
  });

  it('has no year 0, as Python has none', () => {
    expect(inferDataType('0000-01-01T00:00:00Z')).toBe('text');
    expect(inferDataType('0001-01-01T00:00:00Z')).toBe('timestamp');
    expect(coerceValue('0000-01-01', { name: 'd', data_type: 'date' })).toBe(NO_FIT);
  });

  it('reads numbers as epoch seconds only within years 1-9999; others do not fit (a variant column)', () => {
    expect(coerceValue(1.5, column)).toBe(1_500_000);
    expect(coerceValue(-1.5, column)).toBe(-1_500_000);
    expect(coerceValue(253_402_300_799, column)).toBe(253_402_300_799_000_000n);
    expect(coerceValue(-62_135_596_800, column)).toBe(-62_135_596_800_000_000n);
    for (const outside of [253_402_300_800, -62_135_596_801, 1e12, 2 ** 63, Number.NaN, Infinity])
      expect(coerceValue(outside, column), String(outside)).toBe(NO_FIT);
  });
});
