/**
 * Whether an error is V8 running out of stack. Items nested too deeply are refused by counting
 * levels (see nesting-depth.ts); this catches a recursion over the item that runs before it is
 * counted, and reports it as the same refusal.
 */
export function isStackOverflow(error: unknown): error is RangeError {
  return error instanceof RangeError && /call stack/i.test(error.message);
}
