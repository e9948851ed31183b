import {
  digest128,
  digest128Joined,
  digest128JoinedInto,
  digest128JoinedPairInto,
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

/** nestedRowKeyInto of two rows, at `at` and the key after it, hashed together (the second's parent is not the first). */
export function nestedRowKeyPairInto(
  keys: Buffer,
  parentAt: number,
  tableName: string,
  listIndex: number,
  secondParentAt: number,
  secondTableName: string,
  secondListIndex: number,
  at: number,
): void {
  digest128JoinedPairInto(
    keys,
    parentAt,
    tableName,
    listIndex,
    secondParentAt,
    secondTableName,
    secondListIndex,
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
