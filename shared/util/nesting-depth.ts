import { JsonFloat } from './json-values.js';

/**
 * The deepest an item may nest lists and objects. dlt's extract writes items, a list of them at a
 * time, with orjson, which refuses lists and objects 255 levels deep (orjson 3.13): an item 254
 * levels deep already fails there (dlt 1.26). Counting levels, rather than waiting for V8 to run
 * out of stack, refuses the same items every time: how deep V8 can recurse varies with how far
 * the code is optimized (from about 2,000 to 9,000 levels, measured).
 */
export const MAX_NESTING_DEPTH = 253;

export class NestingTooDeepError extends Error {
  override name = 'NestingTooDeepError';
  constructor() {
    super(
      `the item is nested too deeply: lists and objects ${MAX_NESTING_DEPTH + 1} levels deep or more (dlt's JSON writer refuses them too)`,
    );
  }
}

/**
 * Refuses a parsed item that nests lists and objects too deeply. It walks the item with a stack of
 * its own, so it measures any depth without running out of V8's.
 */
export function checkNestingDepth(item: unknown): void {
  const values: unknown[] = [item];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (value === null || typeof value !== 'object') continue;
    // values that are written as text or numbers, not as lists or objects
    if (value instanceof JsonFloat || value instanceof Date || ArrayBuffer.isView(value)) continue;
    if (depth > MAX_NESTING_DEPTH) throw new NestingTooDeepError();
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        values.push(value[i]);
        depths.push(depth + 1);
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key in record) {
        values.push(record[key]);
        depths.push(depth + 1);
      }
    }
  }
}
