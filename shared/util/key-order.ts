/**
 * A JavaScript object lists integer-like keys (`"0"`, `"2024"`) first, in numeric order, whatever
 * order the data gave them; a Python dict, and so dlt, keeps the data's order. That order decides
 * column order and, where two keys name one column, which value it takes. An object whose data
 * order differs from its own carries the data's order under this symbol. The property is not
 * enumerable, so a copy (a spread, `fromEntries`) does not carry an order that may no longer fit.
 */
export const KEY_ORDER = Symbol('sluice.keyOrder');

type MaybeOrdered = { [KEY_ORDER]?: readonly string[] };

/** The object's own enumerable keys in the data's order. */
export function orderedKeys(record: object): string[] {
  const keys = Object.keys(record);
  const order = (record as MaybeOrdered)[KEY_ORDER];
  return order === undefined ? keys : inOrder(order, keys);
}

/** The data's order of an object, when it differs from the object's own (undefined otherwise). */
export function keyOrderOf(record: object): readonly string[] | undefined {
  return (record as MaybeOrdered)[KEY_ORDER];
}

/** `keys` in the recorded order, those the object gained since after them in its own order. */
function inOrder(order: readonly string[], keys: readonly string[]): string[] {
  const present = new Set(keys);
  const ordered = order.filter((key) => present.has(key));
  if (ordered.length === keys.length) return ordered;
  const listed = new Set(ordered);
  for (const key of keys) if (!listed.has(key)) ordered.push(key);
  return ordered;
}

/** Records the data's order of an object's keys (each once), if the object lists them otherwise. */
export function keepKeyOrder(record: object, keys: readonly string[]): void {
  const own = Object.keys(record);
  if (own.length === keys.length && own.every((key, i) => key === keys[i])) return;
  Object.defineProperty(record, KEY_ORDER, { value: keys, enumerable: false, configurable: true });
}

/**
 * The order to record for objects made of these keys (a header, result columns): each key once,
 * where JavaScript would list them otherwise (an integer-like key among them); else undefined.
 */
export function dataOrder(keys: readonly string[]): readonly string[] | undefined {
  return keys.some(isArrayIndex) ? [...new Set(keys)] : undefined;
}

/**
 * Makes records of these keys (a header's, a schema's fields) from their values by position, in
 * the keys' order; a key listed twice keeps its first place and takes its last value.
 */
export function recordsOf(
  keys: readonly string[],
): (valueAt: (k: number) => unknown) => Record<string, unknown> {
  const order = dataOrder(keys);
  return (valueAt) => {
    // fromEntries, not assignment: a key named `__proto__` is data, not a prototype
    const record = Object.fromEntries(keys.map((key, k) => [key, valueAt(k)]));
    if (order !== undefined) keepKeyOrder(record, order);
    return record;
  };
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

/** Keys JavaScript lists first: the canonical integers below 2^32 - 1. */
export function isArrayIndex(key: string): boolean {
  return ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;
}
