import { compareCodePoints } from './code-point-order.js';

/**
 * Compact JSON with object keys sorted at every level, like orjson's OPT_SORT_KEYS. Written as
 * text: an object rebuilt with sorted keys would list integer-like keys (`"10"`, `"9"`) first
 * again, in numeric order.
 */
export function canonicalJson(value: unknown): string {
  return jsonText(value) ?? 'null';
}

/** JSON.stringify's text of one value, undefined where it writes nothing (undefined, functions). */
function jsonText(value: unknown): string | undefined {
  if (Array.isArray(value)) return `[${value.map((item) => jsonText(item) ?? 'null').join(',')}]`;
  // by prototype, not `.constructor`, which data may hold as a key
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const members: string[] = [];
    for (const key of Object.keys(record).sort(compareCodePoints)) {
      const text = jsonText(record[key]);
      if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) as string | undefined;
}
