import { digest128, digest128Joined, digest128JoinedPair, uniqIdBase64 } from '../util/digest.js';
// dlt hashes orjson's text of the values, keys sorted: orjsonText writes the same
import { orjsonText } from '../util/python-text.js';

/** A random root row key (dlt's default for append, replace and delete-insert). */
export function randomRowKey(): string {
  return uniqIdBase64(10);
}

/** The deterministic key of a nested row: its parent's key, its table and its list position. */
export function nestedRowKey(parentKey: string, tableName: string, listIndex: number): string {
  return digest128Joined(parentKey, tableName, listIndex);
}

/** nestedRowKey of two rows into keys[at] and keys[at + 1], hashed together (the second's parent is not the first). */
export function nestedRowKeyPair(
  parentKey: string,
  tableName: string,
  listIndex: number,
  secondParentKey: string,
  secondTableName: string,
  secondListIndex: number,
  keys: string[],
  at: number,
): void {
  digest128JoinedPair(
    parentKey,
    tableName,
    listIndex,
    secondParentKey,
    secondTableName,
    secondListIndex,
    keys,
    at,
  );
}

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
