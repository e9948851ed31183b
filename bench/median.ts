/** The middle of `values` by `by` (of an even count, the lower of the middle two), the value whole. */
export function median<T>(values: readonly T[], by: (value: T) => number): T {
  return [...values].sort((a, b) => by(a) - by(b))[(values.length - 1) >> 1]!;
}
