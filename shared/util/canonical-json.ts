import { compareCodePoints } from './code-point-order.js';

/** Compact JSON with object keys sorted at every level, like orjson's OPT_SORT_KEYS. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  // by prototype, not `.constructor`, which data may hold as a key; fromEntries keeps a `__proto__` key as data
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const keys = Object.keys(value).sort(compareCodePoints);
    return Object.fromEntries(keys.map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]));
  }
  return value;
}
