import { JsonFloat } from './json-values.js';
import { orjsonText } from './python-text.js';

// Numbers JSON.stringify cannot write as they are travel as marked strings, then lose the quotes.
// JSON.stringify escapes these control characters, so the marker reads `\u0000\u0001` in its output.
const MARK = '\u0000\u0001';
const MARKED = /"\\u0000\\u0001([-+.\deE]+)"/g;

/**
 * One item as a JSON line. Big integers stay exact (JSON.stringify refuses bigint), integral
 * floats stay floats (`1.0`, as dlt reads them), bytes become base64 text.
 */
export function toJsonLine(item: unknown): string {
  // a replacer takes JSON.stringify off its fast path: most items have nothing to replace
  if (isPlainJson(item)) return JSON.stringify(item);
  let marked = false;
  // `this[key]` is the value before toJSON: a Buffer would otherwise arrive as {type, data}
  const text = JSON.stringify(item, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    if (typeof value === 'bigint') {
      marked = true;
      return `${MARK}${value}`;
    }
    if (original instanceof JsonFloat && Number.isFinite(original.value)) {
      marked = true;
      return `${MARK}${orjsonText(original)}`;
    }
    if (original instanceof Uint8Array) return Buffer.from(original).toString('base64');
    return value;
  });
  return marked ? text.replace(MARKED, '$1') : text;
}

/** True when JSON.stringify writes the value as toJsonLine would without a replacer. */
function isPlainJson(value: unknown): boolean {
  if (typeof value === 'bigint') return false;
  if (value === null || typeof value !== 'object') return true;
  if (value instanceof JsonFloat || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (!isPlainJson(element)) return false;
    return true;
  }
  // anything with its own JSON form (a Date, a Buffer's toJSON) is left to the replacer
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key])) return false;
  return true;
}
