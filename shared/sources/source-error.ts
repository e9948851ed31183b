/** Bad input: names the file, the line or record when known, and the reason. */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${reason}`, options);
  }
}
