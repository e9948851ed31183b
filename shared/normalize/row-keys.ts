import {
  digest128,
  digest128Joined,
  digest128JoinedInto,
  uniqIdBase64,
  uniqIdBase64Into,
} from '../util/digest.js';

// dlt hashes orjson's text of the values, keys sorted: orjsonText writes the same
import { orjsonText } from '../util/python-text.js';

export { ROW_KEY_LENGTH } from '../util/digest.js';

/** A random root row key (dlt's default for append, replace and delete-insert). */
export function randomRowKey(): string {
  return uniqIdBase64(10);
}

/** The deterministic key of a nested row: its parent's key, its table and its list position. */
export function nestedRowKey(parentKey: string, tableName: string, listIndex: number): string {
  return digest128Joined(parentKey, tableName, listIndex);
}

/** randomRowKey as ASCII bytes, written into `keys` at `at`. */
export function randomRowKeyInto(keys: Uint8Array, at: number): void {
  uniqIdBase64Into(keys, at);
}

/** nestedRowKey for keys kept as bytes: the parent's at `parentAt` in `keys`, the row's written at `at`. */
export function nestedRowKeyInto(
  keys: Buffer,
  parentAt: number,
  tableName: string,
  listIndex: number,
  at: number,
): void {
  digest128JoinedInto(keys, parentAt, tableName, listIndex, at);
}

// The keys of an item's nested rows in one call (see NestedKeyTable): the caller writes the
// root's key and each nested row's parent, table (nestedKeyName) and list position, then calls
// hashNestedKeys. Where a table's name is -1, or the rows outnumber the capacity,
// nestedRowKeyInto makes them one by one.
export { hashNestedKeys, type NestedKeyTable, nestedKeyName, nestedKeyTable } from '../util/digest.js';

/** upsert / insert-only: the hash of the primary key values of the flattened row. */
export function primaryKeyRowKey(
  columnValue: (column: string) => unknown,
  primaryKey: readonly string[],
): string {
  const keys: Record<string, unknown> = {};
  for (const column of primaryKey) keys[column] = columnValue(column) ?? null;
  return digest128(orjsonText(keys, true));
}

/** scd2: the hash of the whole source item (nested data included), without `_dlt` keys. */
export function contentRowKey(item: Record<string, unknown>): string {
  // fromEntries, not assignment: a `__proto__` key of the data stays in the hash
  const content = Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('_dlt')));
  return digest128(orjsonText(content, true));
}
