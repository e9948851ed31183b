import { parseJson } from '../formats/json-parse.js';
import { NormalizeError } from '../normalize/errors.js';
import type { RelationalNormalizer } from '../normalize/relational.js';
import type { ExtractedFile } from '../package/manifest.js';
import type { QuarantinedRecord } from '../package/quarantine.js';
import { DataValidationError } from '../schema/contract.js';
import { SourceError } from '../sources/source-error.js';

/** An extracted file with the table its items go to and what happens to malformed ones. */
export interface LineSource {
  file: ExtractedFile;
  table: string;
  quarantining: boolean;
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
    normalizer.normalize(item, source.table);
  } catch (error) {
    throw describeItemError(error, file, n);
  }
  return true;
}

/** Bad data surfaces as a SourceError naming the source file, its line or record, and the column. */
function describeItemError(error: unknown, file: ExtractedFile, n: number): Error {
  const position = file.unit === 'line' ? n : undefined;
  const where = file.unit === 'record' ? `record ${n}: ` : '';
  if (error instanceof SyntaxError)
    return new SourceError(file.source, `${where}invalid JSON: ${error.message}`, position, { cause: error });
  if (error instanceof DataValidationError || error instanceof NormalizeError) {
    return new SourceError(file.source, `${where}${error.message}`, position, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
