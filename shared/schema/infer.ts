import { JsonFloat } from '../util/json-values.js';
import type { DataType } from './types.js';

// The date-times dlt (pendulum) reads, each with a time part: dates or times alone are not
// timestamps (dlt's rule). ISO 8601 extended (`2024-01-02T03:04:05.5+02:00`, a space for the T,
// the day, minutes and seconds optional) and basic (`20240102T030405Z`, and `20240102T03:04`)...
// Each pattern captures year, month, day, hour, minute, second, fraction and offset, in that order.
const ZONE = '(Z|[+-]\\d{2}(?::?\\d{2})?)?';
const ISO_PATTERNS = [
  new RegExp(
    `^(\\d{4})-(\\d{2})(?:-(\\d{2}))?[T ](\\d{2})(?::(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?)?${ZONE}$`,
  ),
  new RegExp(`^(\\d{4})(\\d{2})(\\d{2})[T ](\\d{2})(?:(\\d{2})(?:(\\d{2})(?:[.,](\\d+))?)?)?${ZONE}$`),
  new RegExp(`^(\\d{4})(\\d{2})(\\d{2})[T ](\\d{2}):(\\d{2})()()${ZONE}$`),
];
// ...and, where ISO fails, pendulum's common form: `2024/01/02 3:04:05`, the date separated by
// `/`, `:` or nothing, month and day optional, no offset (naive). Its parts are optional as in
// pendulum's pattern, so that a string matches (`202403:04`: 4 March, a date) as it does there.
const COMMON =
  /^(?:(\d{4})(?:[/:]?(\d{2})[/:]?(\d{2}))?)?(?: ?(\d{1,2}):(\d{1,2})?(?::(\d{1,2}))?(?:[.|,](\d{1,9}))?)?$/;

function matchTimestamp(text: string): RegExpExecArray | null {
  for (const pattern of ISO_PATTERNS) {
    const m = pattern.exec(text);
    if (m !== null) return m;
  }
  const m = COMMON.exec(text);
  // a date or a time alone is no timestamp, and pendulum fails on a time without its minutes
  return m?.[1] !== undefined && m[4] !== undefined && m[5] !== undefined ? m : null;
}

/**
 * Microseconds since the epoch for a timestamp string, or undefined when it is not one.
 * Past 2^53 µs (year 2255) a number cannot hold every microsecond, so those come as a bigint.
 */
export function parseIsoTimestamp(text: string): number | bigint | undefined {
  if (text.length < 7 || text.length > 64) return undefined;
  const m = matchTimestamp(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = mo ? Number(mo) : 1;
  const day = d ? Number(d) : 1;
  const hour = Number(h);
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  // Python's datetime, which dlt parses with, has no year 0
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) ms = shiftYear(ms, year);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    if (offsetMinutes > 24 * 60) return undefined;
    ms -= sign * offsetMinutes * 60_000;
  }
  const micros = frac ? Number(frac.slice(0, 6).padEnd(6, '0')) : 0;
  return exactMicros(ms, micros);
}

/** ms * 1000 + micros, as a number while that is exact and as a bigint beyond. */
export function exactMicros(ms: number, micros: number): number | bigint {
  const total = ms * 1000 + micros;
  return Number.isSafeInteger(total) ? total : BigInt(ms) * 1000n + BigInt(micros);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  // as Date.UTC reads them, years 0-99 are 1900-1999 (so year 0 is not a leap year)
  const y = year < 100 ? year + 1900 : year;
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

function shiftYear(ms: number, year: number): number {
  const d = new Date(ms);
  d.setUTCFullYear(year);
  return d.getTime();
}

/** The dlt data type of a JSON value, or undefined for null. Dicts and lists are 'json'. */
export function inferDataType(value: unknown, detectTimestamps = true): DataType | undefined {
  switch (typeof value) {
    case 'string':
      return detectTimestamps && parseIsoTimestamp(value) !== undefined ? 'timestamp' : 'text';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double';
    case 'bigint':
      return value > 9223372036854775807n || value < -9223372036854775808n ? 'wei' : 'bigint';
    case 'boolean':
      return 'bool';
    case 'object':
      if (value === null) return undefined;
      if (value instanceof JsonFloat) return 'double';
      if (value instanceof Date) return 'timestamp';
      if (value instanceof Uint8Array) return 'binary';
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The type Python's class of the value maps to, before any detection: dlt names a variant column
 * by it (`x__v_text`), while the column's own type is inferred (an ISO string makes it timestamp).
 */
export function pythonDataType(value: unknown): DataType | undefined {
  const type = inferDataType(value, false);
  // any Python int is bigint to dlt; past int64 we store it as wei
  return type === 'wei' ? 'bigint' : type;
}
