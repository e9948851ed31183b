import { parseJson } from '../formats/json-parse.js';
import { JsonFloat } from '../util/json-values.js';
import { asciiDigits, orjsonText, pythonFloatRepr, pythonHexInt, pythonStrip } from '../util/python-text.js';
import {
  exactMicros,
  MICROS_PER_DAY,
  parseIsoDate,
  parseIsoTime,
  parseIsoTimestamp,
  withinPythonDates,
} from './date-text.js';
import type { ColumnSchema, DataType } from './types.js';

/** The integer a bigint column is stored in: dlt sizes it by the column's precision. */
export function integerBits(precision: number | undefined): 8 | 16 | 32 | 64 {
  if (precision === undefined || precision > 32) return 64;
  if (precision <= 8) return 8;
  return precision <= 16 ? 16 : 32;
}

/**
 * The unit a timestamp or time column is written in: dlt picks it by the column's precision
 * (0 seconds, up to 3 milliseconds, up to 6 microseconds, more nanoseconds).
 */
export function timeUnit(precision: number | undefined): 's' | 'ms' | 'us' | 'ns' {
  if (precision === undefined) return 'us';
  if (precision === 0) return 's';
  if (precision <= 3) return 'ms';
  return precision <= 6 ? 'us' : 'ns';
}

/** Whether an integer fits the sized integer of a bigint column with this precision. */
export function fitsIntegerPrecision(value: number | bigint, precision: number | undefined): boolean {
  const bits = integerBits(precision);
  if (bits === 64) return true;
  const limit = 2 ** (bits - 1);
  return value >= -limit && value < limit;
}

/** Returned by `coerceValue` when the value does not fit the column's type. */
export const NO_FIT: unique symbol = Symbol('no-fit');
export type Coerced = string | number | bigint | boolean | Uint8Array;

/**
 * Converts a JSON value into the internal form of `column`'s type, following dlt's coercion
 * rules, or returns NO_FIT (the caller then writes a variant column), or null where dlt's
 * coercion gives None (the text `null` read into a json column). Internal forms:
 * text/json/decimal as string, bigint as number or bigint, timestamp as µs since the epoch (a
 * bigint past 2^53), date as days since the epoch, time as µs since midnight, binary as bytes.
 */
export function coerceValue(value: unknown, column: ColumnSchema): Coerced | null | typeof NO_FIT {
  const type = column.data_type ?? 'text';
  // most values are already what their column holds: text in text
  if (typeof value === 'string' && type === 'text') return value;
  const isFloat = value instanceof JsonFloat;
  const v = isFloat ? value.value : value;
  switch (type) {
    case 'text':
      return toText(v, isFloat);
    case 'bigint':
      return toBigint(v, isFloat);
    case 'double':
      return toDouble(v, isFloat);
    case 'bool':
      return toBool(v);
    case 'timestamp':
      return toTimestamp(v);
    case 'date':
      return toDate(v);
    case 'time':
      return toTime(v);
    case 'decimal':
    case 'wei':
      return toDecimal(v, type, column.scale);
    case 'binary':
      return toBinary(v);
    case 'json':
      return toJson(value);
  }
}

function toText(v: unknown, wasFloat: boolean): string | typeof NO_FIT {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
      // str() of a Python float: `1.0`, `2.5e-07`
      return wasFloat || !Number.isInteger(v) ? pythonFloatRepr(v) : String(v);
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 'True' : 'False';
    case 'object':
      if (v === null) return NO_FIT;
      if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
      if (v instanceof Date) return v.toISOString();
      return orjsonText(v);
    default:
      return NO_FIT;
  }
}

function toBigint(v: unknown, wasFloat: boolean): number | bigint | typeof NO_FIT {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return NO_FIT;
    // an integral float past 2^53 is the integer Python's int() makes of it (1e16 is 10^16),
    // exactly; past 64 bits dlt fails on writing it, here it goes to a variant column
    return wasFloat && !Number.isSafeInteger(v) ? toBigint(BigInt(v), false) : v;
  }
  if (typeof v === 'bigint') return v <= 9223372036854775807n && v >= -9223372036854775808n ? v : NO_FIT;
  if (typeof v === 'string') {
    // Python's int(): a sign, digits (of any script), underscores between digits; or dlt's `0x` hex
    const text = pythonStrip(v);
    const decimal = asciiDigits(text);
    const big =
      dltHexInt(text) ??
      (/^[-+]?\d+(_\d+)*$/.test(decimal) ? BigInt(decimal.replaceAll('_', '')) : undefined);
    if (big !== undefined) return Number.isSafeInteger(Number(big)) ? Number(big) : toBigint(big, false);
  }
  return NO_FIT;
}

/**
 * dlt reads trimmed text that starts with a lowercase `0x` as int(rest, 16). Undefined for any
 * other text, and for hex Python refuses: such text fits no decimal or float pattern either.
 */
function dltHexInt(trimmed: string): bigint | undefined {
  return trimmed.startsWith('0x') ? pythonHexInt(trimmed.slice(2)) : undefined;
}

function toDouble(v: unknown, wasFloat: boolean): number | typeof NO_FIT {
  // JSON's `-0` is Python's int 0, so float() of it is 0.0; `-0.0` keeps its sign
  if (typeof v === 'number') return wasFloat || v !== 0 ? v : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    const text = pythonStrip(v);
    const hex = dltHexInt(text);
    return hex === undefined ? (pythonFloat(text) ?? NO_FIT) : Number(hex);
  }
  return NO_FIT;
}

const FLOAT_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const SPECIAL_FLOAT = /^([-+]?)(inf|infinity|nan)$/i;

/**
 * Python's float() of trimmed text: decimal or exponent notation, `inf`, `nan`, `1_000.5`, digits
 * of any script.
 */
function pythonFloat(trimmed: string): number | undefined {
  const text = asciiDigits(trimmed);
  const plain = /\d_\d/.test(text) ? text.replace(/(?<=\d)_(?=\d)/g, '') : text;
  if (FLOAT_TEXT.test(plain)) return Number(plain);
  const special = SPECIAL_FLOAT.exec(plain);
  if (special === null) return undefined;
  if (special[2]!.toLowerCase() === 'nan') return Number.NaN;
  return special[1] === '-' ? -Infinity : Infinity;
}

// dlt's str2bool: the lower-cased text exactly, nothing trimmed
const TRUE_TEXT = new Set(['yes', 'true', 't', 'y', '1']);
const FALSE_TEXT = new Set(['no', 'false', 'f', 'n', '0']);

/** Python's bool() for numbers (anything but zero is true), dlt's str2bool for text. */
function toBool(v: unknown): boolean | typeof NO_FIT {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') {
    const text = v.toLowerCase();
    if (TRUE_TEXT.has(text)) return true;
    if (FALSE_TEXT.has(text)) return false;
  }
  return NO_FIT;
}

// dlt reads a number as seconds since the epoch, within the years 1-9999 that Python's datetime
// holds; a number outside is not a timestamp (it goes to a variant column).
const FIRST_SECOND = -62_135_596_800;
const END_SECOND = 253_402_300_800;

function toTimestamp(v: unknown): number | bigint | typeof NO_FIT {
  if (typeof v === 'string') {
    const micros = parseIsoTimestamp(v);
    if (micros !== undefined) return micros;
    const days = parseIsoDate(v);
    if (days !== undefined) return exactMicros(days * 86_400_000, 0);
    // then, as dlt does, text that Python's float() reads is epoch seconds
    const seconds = pythonFloat(pythonStrip(v));
    return seconds === undefined ? NO_FIT : epochMicros(seconds);
  }
  if (typeof v === 'number') return epochMicros(v);
  if (v instanceof Date) return epochMicros(v.getTime() / 1000);
  return NO_FIT;
}

/** The UTC date of epoch seconds, within the years 1-9999 that Python's date holds. */
function epochDay(seconds: number): number | typeof NO_FIT {
  return withinPythonDates(Math.floor(seconds / 86_400)) ?? NO_FIT;
}

function epochMicros(seconds: number): number | bigint | typeof NO_FIT {
  if (!(seconds >= FIRST_SECOND && seconds < END_SECOND)) return NO_FIT;
  const whole = Math.floor(seconds);
  return exactMicros(whole * 1000, Math.round((seconds - whole) * 1_000_000));
}

function toDate(v: unknown): number | typeof NO_FIT {
  if (typeof v === 'string') {
    const days = parseIsoDate(v);
    if (days !== undefined) return days;
    const micros = parseIsoTimestamp(v);
    // the UTC date of the instant, which may fall past the years Python holds
    if (micros !== undefined) return withinPythonDates(Math.floor(Number(micros) / MICROS_PER_DAY)) ?? NO_FIT;
    // then, as for timestamps, text that Python's float() reads is epoch seconds
    const seconds = pythonFloat(pythonStrip(v));
    return seconds === undefined ? NO_FIT : epochDay(seconds);
  }
  if (typeof v === 'number') return epochDay(v);
  if (v instanceof Date) return Math.floor(v.getTime() / 86_400_000);
  return NO_FIT;
}

function toTime(v: unknown): number | typeof NO_FIT {
  // dlt reads the digits of a time of any script, those of a date or timestamp only in ASCII
  return typeof v === 'string' ? (parseIsoTime(asciiDigits(v)) ?? NO_FIT) : NO_FIT;
}

const DECIMAL_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function toDecimal(v: unknown, type: DataType, scale: number | undefined): string | typeof NO_FIT {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return NO_FIT;
    if (type === 'wei' && !Number.isInteger(v)) return NO_FIT;
    return scale === undefined ? String(v) : v.toFixed(Math.min(scale, 100));
  }
  if (typeof v === 'string') {
    const text = pythonStrip(v);
    const hex = dltHexInt(text);
    if (hex !== undefined) return hex.toString();
    // Python's Decimal reads digits of any script too
    const decimal = asciiDigits(text);
    if (DECIMAL_TEXT.test(decimal)) return decimal;
  }
  return NO_FIT;
}

function toBinary(v: unknown): Uint8Array | typeof NO_FIT {
  if (v instanceof Uint8Array) return v;
  // Python's int.to_bytes(little-endian, as few bytes as hold it); negative ints do not fit
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') {
    let rest = BigInt(v);
    if (rest < 0n) return NO_FIT;
    const bytes: number[] = [];
    for (; rest > 0n; rest >>= 8n) bytes.push(Number(rest & 0xffn));
    return Uint8Array.from(bytes);
  }
  if (typeof v === 'string') {
    const text = pythonStrip(v);
    if (/^0x([0-9a-f]{2})*$/i.test(text)) return Buffer.from(text.slice(2), 'hex');
    if (/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text))
      return Buffer.from(text, 'base64');
  }
  return NO_FIT;
}

/**
 * dlt reads text into a json column with json.loads and writes JSON with orjson; text holding
 * JSON's null so becomes no value at all.
 */
function toJson(v: unknown): string | null | typeof NO_FIT {
  if (typeof v === 'string') {
    try {
      const parsed = parseJson(v);
      return parsed === null ? null : orjsonText(parsed);
    } catch {
      return NO_FIT;
    }
  }
  // only dicts and lists are json already; a number or a bool is not (a variant column)
  if (
    v === null ||
    typeof v !== 'object' ||
    v instanceof JsonFloat ||
    v instanceof Uint8Array ||
    v instanceof Date
  )
    return NO_FIT;
  return orjsonText(v);
}
