import { compareCodePoints } from './code-point-order.js';
import { JsonFloat } from './json-values.js';
import { orderedKeys } from './key-order.js';
import { MAX_NESTING_DEPTH, NestingTooDeepError } from './nesting-depth.js';

// dlt is written in Python: where it turns values into text, the text is Python's. Two writers
// matter: repr() for a float stored as text, and orjson for JSON (json columns, row-key hashes).

// Python's whitespace (str.isspace): JavaScript's trim also takes U+FEFF but not U+001C-U+001F or U+0085
const PYTHON_SPACE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PYTHON_STRIP = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, 'g');

/** Python's str.strip(): what dlt does to names and to text it reads as numbers. */
export function pythonStrip(text: string): string {
  return text.replace(PYTHON_STRIP, '');
}

const OTHER_DIGIT = /(?=[^0-9])\p{Nd}/gu;
const IS_DIGIT = /^\p{Nd}$/u;

/**
 * Text with every decimal digit of other scripts (`١٢٣`, `１２３`) as the ASCII digit it stands
 * for: Python's int() and float() read them as numbers.
 */
export function asciiDigits(text: string): string {
  // digits come in runs of whole 0-9 sets, so a digit's value is its distance from its run's start, mod 10
  return text.replace(OTHER_DIGIT, (digit) => {
    const code = digit.codePointAt(0)!;
    let start = code;
    while (IS_DIGIT.test(String.fromCodePoint(start - 1))) start--;
    return String((code - start) % 10);
  });
}

const HEX_INT = /^([-+]?)(?:0[xX]_?)?([0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)$/;

/**
 * Python's int(text, 16), which dlt applies to what follows a `0x`: spaces around, a sign, an
 * optional `0x` again, single underscores between digits. Undefined where Python raises.
 */
export function pythonHexInt(text: string): bigint | undefined {
  const match = HEX_INT.exec(asciiDigits(pythonStrip(text)));
  if (match === null) return undefined;
  const value = BigInt(`0x${match[2]!.replaceAll('_', '')}`);
  return match[1] === '-' ? -value : value;
}

/** A finite double as its shortest round-trip digits and decimal exponent (d.ddd × 10^exponent). */
function decompose(value: number): { negative: boolean; digits: string; exponent: number } {
  const [mantissa, exponent] = Math.abs(value).toExponential().split('e') as [string, string];
  return {
    negative: value < 0 || Object.is(value, -0),
    digits: mantissa.replace('.', ''),
    exponent: Number(exponent),
  };
}

/** Digits placed around the decimal point, always with a fraction (`1.0`, `0.00015`). */
function positional(digits: string, exponent: number): string {
  if (exponent < 0) return `0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  return `${whole}.${digits.slice(exponent + 1) || '0'}`;
}

function floatText(value: number, fixedFrom: number, exponentDigits: number): string {
  const { negative, digits, exponent } = decompose(value);
  const sign = negative ? '-' : '';
  if (exponent >= fixedFrom && exponent < 16) return sign + positional(digits, exponent);
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const power = String(Math.abs(exponent)).padStart(exponentDigits, '0');
  return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${power}`;
}

/** Python's repr() of a float: `1.0`, `1e-05`, `2.5e+16`, `inf`, `nan`. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return floatText(value, -4, 2);
}

/** orjson's text of a float: `1.0`, `1e-6`, `1e+16`; it writes null for NaN and infinities. */
function orjsonFloat(value: number): string {
  return Number.isFinite(value) ? floatText(value, -5, 1) : 'null';
}

/**
 * JSON text as orjson writes it: compact, integral floats as `1.0`, big integers exact, keys in
 * the data's order (see KEY_ORDER) or (as with OPT_SORT_KEYS) sorted. Bytes are written as base64 text.
 */
export function orjsonText(value: unknown, sortKeys = false): string {
  return orjsonTextAt(value, sortKeys, 1);
}

/** orjsonText of a value `depth` lists and objects deep, which refuses what orjson refuses. */
function orjsonTextAt(value: unknown, sortKeys: boolean, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isInteger(value) ? String(value) : orjsonFloat(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (value instanceof JsonFloat) return orjsonFloat(value.value);
      if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
      if (value instanceof Date) return JSON.stringify(value.toISOString());
      if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeepError();
      if (Array.isArray(value))
        return `[${value.map((item) => (item === undefined ? 'null' : orjsonTextAt(item, sortKeys, depth + 1))).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = sortKeys ? Object.keys(record).sort(compareCodePoints) : orderedKeys(record);
      const members = keys
        .filter((key) => record[key] !== undefined)
        .map((key) => `${JSON.stringify(key)}:${orjsonTextAt(record[key], sortKeys, depth + 1)}`);
      return `{${members.join(',')}}`;
    }
    default:
      return 'null';
  }
}
