import { JsonFloat } from './json-values.js';
import { keyOrderOf, orderedKeys } from './key-order.js';
import { MAX_NESTING_DEPTH, NestingTooDeepError } from './nesting-depth.js';
import { orjsonText } from './python-text.js';

/**
 * One item as a JSON line. Big integers stay exact (JSON.stringify refuses bigint), integral
 * floats stay floats (`1.0`, as dlt reads them), bytes become base64 text, and keys keep the
 * data's order (see KEY_ORDER).
 */
export function toJsonLine(item: unknown): string {
  // most items are plain JSON, which JSON.stringify writes fastest
  if (isPlainJson(item, 1)) return JSON.stringify(item);
  return lineText(item, '', 1) ?? 'null';
}

/**
 * The text JSON.stringify writes for a value, undefined where it writes nothing, but with the
 * forms above for bigints, JsonFloats, bytes and ordered keys.
 */
function lineText(value: unknown, key: string, depth: number): string | undefined {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) as string | undefined;
  if (value instanceof JsonFloat) return Number.isFinite(value.value) ? orjsonText(value) : 'null';
  // before toJSON: a Buffer would otherwise arrive as {type, data}
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return lineText(toJSON.call(value, key), key, depth);
  if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeepError();
  if (Array.isArray(value))
    return `[${value.map((item, i) => lineText(item, String(i), depth + 1) ?? 'null').join(',')}]`;
  const record = value as Record<string, unknown>;
  const members: string[] = [];
  for (const name of orderedKeys(record)) {
    const text = lineText(record[name], name, depth + 1);
    if (text !== undefined) members.push(`${JSON.stringify(name)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * True when JSON.stringify writes the value (`depth` lists and objects deep) as toJsonLine would.
 * Refuses what is nested too deeply, before JSON.stringify runs out of stack on it.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (typeof value === 'bigint') return false;
  if (value === null || typeof value !== 'object') return true;
  if (value instanceof JsonFloat || ArrayBuffer.isView(value)) return false;
  // anything with its own JSON form (a Date, a Buffer's toJSON) is left to lineText
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeepError();
  if (Array.isArray(value)) {
    for (const element of value) if (!isPlainJson(element, depth + 1)) return false;
    return true;
  }
  if (keyOrderOf(value) !== undefined) return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}
