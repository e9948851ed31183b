/**
 * `record[key]` for a plain object used as a dictionary of names that come from data: its own
 * entries only. Every object also answers to Object.prototype's members, and `constructor` is a
 * valid snake_case name for a column or a table.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An object's own entries; none when the value is not one (state written by other tools). */
export function ownEntries(value: unknown): [string, unknown][] {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value) : [];
}

/** The value at a path of own keys through nested objects of unknown shape, or undefined. */
export function ownAt(value: unknown, ...keys: string[]): unknown {
  let at = value;
  for (const key of keys) at = ownEntries(at).find(([name]) => name === key)?.[1];
  return at;
}
