import { writeAscii } from '../util/ascii.js';

// Dates, times and date-times in text, read as dlt reads them: with pendulum, whose ISO 8601 and
// common parsers these patterns follow (checked against dlt on generated strings).

// The date-times dlt (pendulum) reads, each with a time part: dates or times alone are not
// timestamps (dlt's rule). First ISO 8601: a calendar (`2024-01-02`, `2024-01`, `20240102`),
// ordinal (`2024-002`) or week date (`2024-W01-2`, `2024W012`), then `T` or a space and a time,
// extended after an extended date (`03`, `03:04`, `03:04:05.5`) and basic or `HH:MM` after a basic
// one (`030405`), then an offset (`Z`, `+02`, `+0200`, `+02:00`).
const ZONE = '(Z|[+-]\\d{2}(?::?\\d{2})?)?';
const EXTENDED_TIME = '(\\d{2})(?::(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?)?';
const BASIC_TIME = '(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:[.,](\\d+))?)?)?';
const COLON_TIME = '(\\d{2}):(\\d{2})()()';

type DateForm = 'calendar' | 'ordinal' | 'week';

/** Each pattern captures three date parts, then hour, minute, second, fraction and offset. */
const iso = (form: DateForm, date: string, time: string): [DateForm, RegExp] => [
  form,
  new RegExp(`^${date}[T ]${time}${ZONE}$`),
];
const ISO_FORMS = [
  iso('calendar', '(\\d{4})-(\\d{2})(?:-(\\d{2}))?', EXTENDED_TIME),
  iso('calendar', '(\\d{4})(\\d{2})(\\d{2})', BASIC_TIME),
  iso('calendar', '(\\d{4})(\\d{2})(\\d{2})', COLON_TIME),
  iso('ordinal', '(\\d{4})-(\\d{3})()', EXTENDED_TIME),
  iso('ordinal', '(\\d{4})(\\d{3})()', BASIC_TIME),
  iso('ordinal', '(\\d{4})(\\d{3})()', COLON_TIME),
  iso('week', '(\\d{4})-W(\\d{2})(?:-(\\d))?', EXTENDED_TIME),
  iso('week', '(\\d{4})W(\\d{2})(\\d)?', BASIC_TIME),
  iso('week', '(\\d{4})W(\\d{2})(\\d)?', COLON_TIME),
];
// Where ISO fails, pendulum's common form: `2024/01/02 3:04:05`, the date separated by `/`, `:`
// or nothing, month and day optional, no offset (naive). Its parts are optional as in pendulum's
// pattern, so that a string matches (`202403:04`: 4 March, a date) as it does there.
const COMMON =
  /^(?:(\d{4})(?:[/:]?(\d{2})[/:]?(\d{2}))?)?(?: ?(\d{1,2}):(\d{1,2})?(?::(\d{1,2}))?(?:[.|,](\d{1,9}))?)?$/;

function matchTimestamp(text: string): [DateForm, RegExpExecArray] | undefined {
  for (const [form, pattern] of ISO_FORMS) {
    const m = pattern.exec(text);
    if (m !== null) return [form, m];
  }
  const m = COMMON.exec(text);
  // a date or a time alone is no timestamp, and pendulum fails on a time without its minutes
  return m?.[1] !== undefined && m[4] !== undefined && m[5] !== undefined ? ['calendar', m] : undefined;
}

// Python's datetime, which dlt parses with, holds the years 1 to 9999
const FIRST_DAY = daysFromCivil(1, 1, 1);
const LAST_DAY = daysFromCivil(9999, 12, 31);
const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of a date matched in `form`, or undefined when there is no such day. */
function dayOf(
  form: DateForm,
  year: number,
  a: string | undefined,
  b: string | undefined,
): number | undefined {
  if (form === 'calendar') return calendarDay(year, a ? Number(a) : 1, b ? Number(b) : 1);
  let day: number;
  if (form === 'ordinal') {
    const ordinal = Number(a);
    if (ordinal < 1 || ordinal > (isLeapYear(year) ? 366 : 365)) return undefined;
    day = daysFromCivil(year, 1, 1) + ordinal - 1;
  } else {
    // as pendulum counts: week 0 and weekday 0 step back from week 1's Monday
    const week = Number(a);
    const weekday = b ? Number(b) : 1;
    if (week > weeksInYear(year) || weekday > 7) return undefined;
    day = mondayOfWeekOne(year) + (week - 1) * 7 + weekday - 1;
  }
  return year >= 1 ? withinPythonDates(day) : undefined;
}

/** Days since 1970-01-01 of a calendar date, or undefined when there is no such day. */
function calendarDay(year: number, month: number, dayOfMonth: number): number | undefined {
  if (month < 1 || month > 12 || dayOfMonth < 1 || dayOfMonth > daysInMonth(year, month)) return undefined;
  return year >= 1 ? withinPythonDates(daysFromCivil(year, month, dayOfMonth)) : undefined;
}

/** `days` since the epoch when it falls within the years 1-9999 Python's date holds. */
export function withinPythonDates(days: number): number | undefined {
  return days >= FIRST_DAY && days <= LAST_DAY ? days : undefined;
}

// The dates alone dlt (pendulum) reads, which it coerces into date and timestamp columns (a
// timestamp at midnight): a year, year and month, a calendar, ordinal or week date, or the common
// form's `2024/01/02`. Each pattern captures year and two date parts.
const DATE_FORMS: [DateForm, RegExp][] = [
  ['calendar', /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/],
  ['calendar', /^(\d{4})(\d{2})(\d{2})$/],
  ['ordinal', /^(\d{4})-?(\d{3})()$/],
  ['week', /^(\d{4})-W(\d{2})(?:-(\d))?$/],
  ['week', /^(\d{4})W(\d{2})(\d)?$/],
  ['calendar', /^(\d{4})[/:]?(\d{2})[/:]?(\d{2})$/],
];

/** Days since the epoch for a date string (no time part), or undefined when it is not one. */
export function parseIsoDate(text: string): number | undefined {
  if (text.length < 4 || text.length > 10) return undefined;
  for (const [form, pattern] of DATE_FORMS) {
    const m = pattern.exec(text);
    if (m !== null) return dayOf(form, Number(m[1]), m[2], m[3]);
  }
  return undefined;
}

/**
 * Microseconds since the epoch for a timestamp string, or undefined when it is not one.
 * Past 2^53 µs (year 2255) a number cannot hold every microsecond, so those come as a bigint.
 */
export function parseIsoTimestamp(text: string): number | bigint | undefined {
  const extended = readExtendedTimestamp(text);
  return extended === OTHER_FORM ? timestampByPatterns(text) : extended;
}

export const OTHER_FORM: unique symbol = Symbol('other-form');

/** The extended form's longest text: a date-time, nine fraction digits and an offset, with room to spare. */
const EXTENDED_MAX = 64;
const scratch = new Uint8Array(EXTENDED_MAX);

/** readExtendedTimestampBytes of a string, its characters copied as bytes when ASCII. */
function readExtendedTimestamp(text: string): number | bigint | undefined | typeof OTHER_FORM {
  if (text.length < 19 || text.length > EXTENDED_MAX) return OTHER_FORM;
  const end = writeAscii(text, scratch, 0);
  return end < 0 ? OTHER_FORM : readExtendedTimestampBytes(scratch, 0, end);
}

/**
 * The form nearly every timestamp comes in, `2024-01-02T03:04:05[.123456][Z|+02:00]` (or a
 * space for the `T`), read from ASCII bytes [start, end) character by character: five times
 * faster than the patterns, which it agrees with on every string it reads (the first ISO pattern
 * matches each of them), and from a line's bytes without a string made of them. Any other text is
 * OTHER_FORM, for the patterns to read.
 */
export function readExtendedTimestampBytes(
  text: Uint8Array,
  start: number,
  end: number,
): number | bigint | undefined | typeof OTHER_FORM {
  const length = end - start;
  if (length < 19 || length > EXTENDED_MAX) return OTHER_FORM;
  const year = digits(text, start, 4);
  const month = digits(text, start + 5, 2);
  const dayOfMonth = digits(text, start + 8, 2);
  const hour = digits(text, start + 11, 2);
  const minute = digits(text, start + 14, 2);
  const second = digits(text, start + 17, 2);
  const separator = text[start + 10];
  if (
    (year | month | dayOfMonth | hour | minute | second) < 0 ||
    text[start + 4] !== DASH ||
    text[start + 7] !== DASH ||
    (separator !== T && separator !== SPACE) ||
    text[start + 13] !== COLON ||
    text[start + 16] !== COLON
  )
    return OTHER_FORM;
  let at = start + 19;
  let fraction = 0;
  if (at < end && text[at] === DOT) {
    // the first six digits, the rest truncated as Python's datetime does
    const digitsStart = ++at;
    let scale = 100_000;
    for (; at < end && isDigit(text[at]!); at++) {
      fraction += (text[at]! - 48) * scale;
      scale = scale > 1 ? scale / 10 : 0;
    }
    if (at === digitsStart) return OTHER_FORM;
  }
  // no offset or `Z` (UTC), or `+02:00` / `-05:30`; other offsets are the patterns'
  let offset: number | undefined = 0;
  if (at < end) {
    const sign = text[at];
    if ((sign === PLUS || sign === DASH) && at + 6 === end && text[at + 3] === COLON) {
      const hours = digits(text, at + 1, 2);
      const minutes = digits(text, at + 4, 2);
      if ((hours | minutes) < 0) return OTHER_FORM;
      offset = signedOffset(sign === DASH, hours, minutes);
    } else if (sign !== Z || at + 1 !== end) return OTHER_FORM;
  }
  return instantMicros(calendarDay(year, month, dayOfMonth), hour, minute, second, offset, fraction);
}

/** Microseconds since the epoch of a day and a time of it in a zone; undefined when out of range. */
function instantMicros(
  day: number | undefined,
  hour: number,
  minute: number,
  second: number,
  offset: number | undefined,
  fraction: number,
): number | bigint | undefined {
  if (day === undefined || offset === undefined || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = day * MS_PER_DAY + ((hour * 60 + minute) * 60 - offset * 60 + second) * 1000;
  return exactMicros(ms, fraction);
}

// the characters the fast path looks for
const DASH = 0x2d;
const COLON = 0x3a;
const DOT = 0x2e;
const PLUS = 0x2b;
const SPACE = 0x20;
const T = 0x54;
const Z = 0x5a;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The number `count` ASCII digits at `at` spell, or -1 where one is no digit. */
function digits(text: Uint8Array, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text[i]!;
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}

/**
 * parseIsoTimestamp by the patterns alone, which read every form dlt reads. Exported for the test
 * that holds the fast path to them.
 */
export function timestampByPatterns(text: string): number | bigint | undefined {
  if (text.length < 7 || text.length > 64) return undefined;
  const matched = matchTimestamp(text);
  if (matched === undefined) return undefined;
  const [form, [, y, a, b, h, mi, s, frac, zone]] = matched;
  const [hour, minute, second] = [Number(h), mi ? Number(mi) : 0, s ? Number(s) : 0];
  return instantMicros(
    dayOf(form, Number(y), a, b),
    hour,
    minute,
    second,
    offsetMinutes(zone),
    fractionMicros(frac),
  );
}

/** Minutes east of UTC of a matched offset (`Z`, `+02`, `-0530`, `+02:00`); undefined past 24 h. */
function offsetMinutes(zone: string | undefined): number | undefined {
  if (!zone || zone === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  return signedOffset(zone.startsWith('-'), Number(digits.slice(0, 2)), Number(digits.slice(2) || '0'));
}

/** An offset of hours and minutes in minutes, west of UTC negative; undefined past a day. */
function signedOffset(negative: boolean, hours: number, minutes: number): number | undefined {
  const total = hours * 60 + minutes;
  if (total > 24 * 60) return undefined;
  return negative ? -total : total;
}

/** A fraction of a second's digits as microseconds, truncated as Python's datetime holds them. */
function fractionMicros(digits: string | undefined): number {
  return digits ? Number(digits.slice(0, 6).padEnd(6, '0')) : 0;
}

// The times alone dlt (pendulum) reads into time columns: ISO after a `T` (basic, or `HH:MM`),
// ISO extended, then the common form (` 3:04:05.5`); an offset turns the time into UTC's.
const TIME_FORMS = [
  new RegExp(`^T(\\d{2})(?:(\\d{2})(?:(\\d{2})(?:[.,](\\d+))?)?)?${ZONE}$`),
  new RegExp(`^T(\\d{2}):(\\d{2})()()${ZONE}$`),
  new RegExp(`^(\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?${ZONE}$`),
  /^ ?(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:[.|,](\d{1,9}))?()$/,
];
export const MICROS_PER_DAY = 86_400_000_000;

/** Microseconds since midnight for a time string, or undefined when it is not one. */
export function parseIsoTime(text: string): number | undefined {
  if (text.length > 40) return undefined;
  for (const pattern of TIME_FORMS) {
    const m = pattern.exec(text);
    if (m === null) continue;
    const [, h, mi, s, frac, zone] = m;
    const [hour, minute, second] = [Number(h), mi ? Number(mi) : 0, s ? Number(s) : 0];
    const offset = offsetMinutes(zone);
    if (hour > 23 || minute > 59 || second > 59 || offset === undefined) return undefined;
    const micros =
      (((hour * 60 + minute - offset) * 60 + second) * 1_000_000 + fractionMicros(frac)) % MICROS_PER_DAY;
    return micros < 0 ? micros + MICROS_PER_DAY : micros;
  }
  return undefined;
}

/** ms * 1000 + micros, as a number while that is exact and as a bigint beyond. */
export function exactMicros(ms: number, micros: number): number | bigint {
  const total = ms * 1000 + micros;
  return Number.isSafeInteger(total) ? total : BigInt(ms) * 1000n + BigInt(micros);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Monday 0 to Sunday 6; 1970-01-01 was a Thursday. */
function weekdayIndex(days: number): number {
  return (((days + 3) % 7) + 7) % 7;
}

/** The Monday of ISO week 1: the week that holds 4 January. */
function mondayOfWeekOne(year: number): number {
  const fourth = daysFromCivil(year, 1, 4);
  return fourth - weekdayIndex(fourth);
}

/** 53 when the year starts on a Thursday, or on a Wednesday in a leap year; else 52. */
function weeksInYear(year: number): number {
  const first = weekdayIndex(daysFromCivil(year, 1, 1));
  return first === 3 || (first === 2 && isLeapYear(year)) ? 53 : 52;
}
