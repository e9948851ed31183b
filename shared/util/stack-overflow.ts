/**
 * Whether an error is V8 running out of stack. Items nested too deeply are refused by counting
 * levels (see nesting-depth.ts); this is the backstop for a recursion that does not count.
 */
export function isStackOverflow(error: unknown): error is RangeError {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
