import { isSafeNumber, parse } from 'lossless-json';
import { JsonFloat } from '../util/json-values.js';
import { restoreKeyOrder } from './json-key-order.js';

// Number literals (after `:`, `,` or `[`) that JSON.parse would change: integral floats (`1.0`),
// exponents (`2e3`, which may be integral), integers of 16 digits or more (past 2^53) and
// fractions that round to an integer (`1.00000000000000000001`). A fraction rounds only when it
// lies within half a unit in the last place of the integer, so it begins with a run of 0s or 9s
// (five are plenty below 11 integer digits; one suffices to look from there on). Text inside
// strings rarely looks like this; when it does the exact parser runs and gives the same result,
// only slower. All branches follow one shared prefix: faster than separate patterns.
const EXACT_NUMBERS = String.raw`-?\d+(?:\.0+\s*[,}\]]|(?:\.\d+)?[eE][-+]?\d|\d{15}|\.(?:0{5}|9{5}|[09](?<=\d{11}\.[09])))`;
// Integer-like keys (`"2024":`), which JavaScript objects list first whatever the text's order;
// a digit may be written as an escape (`"20\u00324":` is the key 2024 too).
const INTEGER_KEY = String.raw`"(?:\d|\\u003\d)+"\s*:`;
const NEEDS_CARE = new RegExp(String.raw`[:,[{]\s*(?:${EXACT_NUMBERS}|${INTEGER_KEY})`);
const NEEDS_EXACT_NUMBERS = new RegExp(String.raw`[:,[]\s*${EXACT_NUMBERS}`);
const HAS_INTEGER_KEY = new RegExp(String.raw`[{,]\s*${INTEGER_KEY}`);

/**
 * Parses one JSON document as dlt reads it. The fast path is JSON.parse; a document holding a
 * number that JavaScript would alter is parsed losslessly, so `1.0` stays a float and big
 * integers exact, and one holding integer-like keys keeps the text's key order (KEY_ORDER).
 */
export function parseJson(text: string): unknown {
  if (!NEEDS_CARE.test(text)) return parseSimple(text);
  const value = NEEDS_EXACT_NUMBERS.test(text) ? parse(text, null, EXACT_OPTIONS) : parseSimple(text);
  if (HAS_INTEGER_KEY.test(text)) restoreKeyOrder(text, value);
  return value;
}

// a key seen twice takes its last value, as in JSON.parse and Python (lossless-json would throw)
const EXACT_OPTIONS = {
  parseNumber: exactNumber,
  onDuplicateKey: ({ newValue }: { newValue: unknown }) => newValue,
};

function parseSimple(text: string): unknown {
  const value = JSON.parse(text);
  // a document that is one number has nothing before it for the pattern to see
  return typeof value === 'number' && Number.isInteger(value) ? exactNumber(text.trim()) : value;
}

/** A JSON number literal as dlt reads it: integers exact (bigint past 2^53), `1.0` a float. */
export function exactNumber(literal: string): number | bigint | JsonFloat {
  const isInteger = /^-?\d+$/.test(literal);
  if (isInteger) return isSafeNumber(literal) ? Number(literal) : BigInt(literal);
  const value = Number(literal);
  return Number.isInteger(value) ? new JsonFloat(value) : value;
}
