import { parseJson } from '../formats/json-parse.js';
import { NormalizeError } from '../normalize/errors.js';
import type { RelationalNormalizer } from '../normalize/relational.js';
import type { ExtractedFile } from '../package/manifest.js';
import type { QuarantinedRecord } from '../package/quarantine.js';
import { DataValidationError } from '../schema/contract.js';
import { decodeLine } from '../sources/lines.js';
import { SourceError } from '../sources/source-error.js';
import { NestingTooDeepError } from '../util/nesting-depth.js';
import { isStackOverflow } from '../util/stack-overflow.js';
import { LONE_SURROGATE } from '../util/surrogates.js';

/** An extracted file with the table its items go to and what happens to malformed ones. */
export interface LineSource {
  file: ExtractedFile;
  table: string;
  quarantining: boolean;
}

/**
 * Normalizes line `n` of an extracted file, held in bytes [start, end): read from the bytes where
 * its table knows its shape, else decoded and parsed (normalizeLine).
 */
export function normalizeLineBytes(
  normalizer: RelationalNormalizer,
  source: LineSource,
  bytes: Buffer,
  start: number,
  end: number,
  n: number,
  quarantine: (record: QuarantinedRecord) => void,
): boolean {
  if (normalizer.normalizeKnownShape(bytes, start, end, source.table)) return true;
  return normalizeLine(normalizer, source, decodeLine(bytes, start, end, n), n, quarantine);
}

/**
 * Normalizes line `n` of an extracted file (one JSON item). Returns false when the line held no
 * item: blank, or malformed and set aside because the resource quarantines bad records.
 */
export function normalizeLine(
  normalizer: RelationalNormalizer,
  source: LineSource,
  line: string,
  n: number,
  quarantine: (record: QuarantinedRecord) => void,
): boolean {
  if (line.trim() === '') return false;
  const { file } = source;
  let item: unknown;
  try {
    item = parseJson(line);
  } catch (error) {
    if (!(error instanceof SyntaxError && source.quarantining)) throw describeItemError(error, file, n);
    quarantine({
      source: file.source,
      ...(file.unit === 'line' && { line: n }),
      reason: `invalid JSON: ${error.message}`,
      raw: line,
    });
    return false;
  }
  try {
    // valid UTF-8 cannot hold half a surrogate pair, but a JSON escape can: it has no UTF-8 form
    // (`includes` first: it skips a line without escapes three times faster than the pattern)
    const halfPair =
      line.includes('\\u') && LONE_SURROGATE_ESCAPE.test(line) ? loneSurrogateAt(item, []) : undefined;
    if (halfPair !== undefined) {
      const where = halfPair.length > 0 ? ` at ${halfPair.join('.')}` : '';
      throw new NormalizeError(`text${where} holds half a UTF-16 surrogate pair, which is not Unicode`);
    }
    normalizer.normalize(item, source.table);
  } catch (error) {
    throw describeItemError(error, file, n);
  }
  return true;
}

const LONE_SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** The key path to a string (or key) holding half a surrogate pair, if there is one. */
function loneSurrogateAt(value: unknown, path: string[]): string[] | undefined {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = [...path, key];
    if (LONE_SURROGATE.test(key)) return at;
    const found = loneSurrogateAt(inner, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Bad data surfaces as a SourceError naming the source file, its line or record, and the column. */
function describeItemError(error: unknown, file: ExtractedFile, n: number): Error {
  const position = file.unit === 'line' ? n : undefined;
  const where = file.unit === 'record' ? `record ${n}: ` : '';
  if (error instanceof SyntaxError)
    return new SourceError(file.source, `${where}invalid JSON: ${error.message}`, position, { cause: error });
  if (
    error instanceof DataValidationError ||
    error instanceof NormalizeError ||
    error instanceof NestingTooDeepError
  ) {
    return new SourceError(file.source, `${where}${error.message}`, position, { cause: error });
  }
  // A recursion that runs before the item is measured (the exact-number parser, the key-order
  // restore, the search for half surrogate pairs) can run out of stack, only thousands of levels
  // down: the same refusal.
  if (isStackOverflow(error))
    return new SourceError(file.source, `${where}${new NestingTooDeepError().message}`, position, {
      cause: error,
    });
  return error instanceof Error ? error : new Error(String(error));
}
