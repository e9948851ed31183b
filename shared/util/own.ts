/**
 * `record[key]` for a plain object used as a dictionary of names that come from data: its own
 * entries only. Every object also answers to Object.prototype's members, and `constructor` is a
 * valid snake_case name for a column or a table.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
