import { JsonFloat } from './json-values.js';
import { keyOrderOf, orderedKeys } from './key-order.js';
import { orjsonText } from './python-text.js';

/**
 * One item as a JSON line. Big integers stay exact (JSON.stringify refuses bigint), integral
 * floats stay floats (`1.0`, as dlt reads them), bytes become base64 text, and keys keep the
 * data's order (see KEY_ORDER).
 */
export function toJsonLine(item: unknown): string {
  // most items are plain JSON, which JSON.stringify writes fastest
  if (isPlainJson(item)) return JSON.stringify(item);
  return lineText(item, '') ?? 'null';
}

/**
 * The text JSON.stringify writes for a value, undefined where it writes nothing, but with the
 * forms above for bigints, JsonFloats, bytes and ordered keys.
 */
function lineText(value: unknown, key: string): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string | undefined;
  if (value instanceof JsonFloat) return Number.isFinite(value.value) ? orjsonText(value) : 'null';
  // before toJSON: a Buffer would otherwise arrive as {type, data}
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return lineText(toJSON.call(value, key), key);
  if (Array.isArray(value))
    return `[${value.map((item, i) => lineText(item, String(i)) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const name of orderedKeys(record)) {
    const text = lineText(record[name], name);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/** True when JSON.stringify writes the value as toJsonLine would. */
function isPlainJson(value: unknown): boolean {
  if (typeof value === 'bigint') return false;
  if (value === null || typeof value !== 'object') return true;
  if (value instanceof JsonFloat || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) {
    for (const element of value) if (!isPlainJson(element)) return false;
    return true;
  }
  // anything with its own JSON form (a Date, a Buffer's toJSON) is left to lineText
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (keyOrderOf(value) !== undefined) return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key])) return false;
  return true;
}
