/** Base of every normalize failure; names the table and column when known. */
export class NormalizeError extends Error {
  override name = 'NormalizeError';
  constructor(
    message: string,
    readonly table?: string,
    readonly column?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
