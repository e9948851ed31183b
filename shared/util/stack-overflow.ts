/**
 * Whether an error is V8 running out of stack: what writing or hashing an item thousands of
 * levels deep ends in. dlt refuses such items too (orjson stops at 255 levels).
 */
export function isStackOverflow(error: unknown): error is RangeError {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
