import { canonicalJson } from '../util/canonical-json.js';
import { digest128, uniqIdBase64 } from '../util/digest.js';
import { JsonFloat } from '../util/json-values.js';

/** A random root row key (dlt's default for append, replace and delete-insert). */
export function randomRowKey(): string {
  return uniqIdBase64(10);
}

/** The deterministic key of a nested row: its parent's key, its table and its list position. */
export function nestedRowKey(parentKey: string, tableName: string, listIndex: number): string {
  return digest128(`${parentKey}_${tableName}_${listIndex}`);
}

/** upsert / insert-only: the hash of the primary key values of the flattened row. */
export function primaryKeyRowKey(row: Record<string, unknown>, primaryKey: readonly string[]): string {
  const keys: Record<string, unknown> = {};
  for (const column of primaryKey) keys[column] = row[column] ?? null;
  return digest128(hashJson(keys));
}

/** scd2: the hash of the whole source item (nested data included), without `_dlt` keys. */
export function contentRowKey(item: Record<string, unknown>): string {
  const content: Record<string, unknown> = {};
  for (const key of Object.keys(item)) if (!key.startsWith('_dlt')) content[key] = item[key];
  return digest128(hashJson(content));
}

// The hashes are over orjson's output, which writes integral floats as `1.0` and big integers
// exactly; JSON.stringify would write `1` and fail on bigint. Markers carry those literals through.
const LITERAL_MARKER = /"\\u0000(-?[\d.e+]+)"/g;

function hashJson(value: unknown): string {
  return canonicalJson(markLiterals(value)).replace(LITERAL_MARKER, '$1');
}

function markLiterals(value: unknown): unknown {
  if (value instanceof JsonFloat)
    return `\u0000${Number.isInteger(value.value) ? `${value.value}.0` : value.value}`;
  if (typeof value === 'bigint') return `\u0000${value}`;
  if (Array.isArray(value)) return value.map(markLiterals);
  if (value !== null && typeof value === 'object' && value.constructor === Object) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = markLiterals(v);
    return out;
  }
  return value;
}
