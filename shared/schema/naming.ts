import { createHash } from 'node:crypto';
import { pythonStrip } from '../util/python-text.js';

/** dlt's nesting separator: joins parent and child fragments of table and column paths. */
export const PATH_SEPARATOR = '__';

const TRANSLATE: Record<string, string> = { '+': 'x', '-': '_', '*': 'x', '@': 'a', '|': 'l' };
const TAG_LENGTH = 6;

/** Thrown for identifiers that cannot be normalized (empty after stripping). */
export class InvalidIdentifierError extends Error {
  override name = 'InvalidIdentifierError';
}

/**
 * dlt's `snake_case` naming convention. `maxLength` is the destination's identifier limit;
 * longer names are shortened with a 6-character hash tag in the middle.
 */
export class SnakeCaseNaming {
  constructor(readonly maxLength: number | undefined = undefined) {}

  /** One identifier: `__` inside it is not a separator and collapses like any run of `_`. */
  normalizeIdentifier(identifier: string): string {
    const stripped = pythonStrip(identifier);
    if (stripped === '')
      throw new InvalidIdentifierError(`identifier ${JSON.stringify(identifier)} is empty`);
    return this.shorten(stripped, snakeCase(stripped));
  }

  /**
   * A key of incoming data: split on `__` (empty fragments dropped), each fragment normalized,
   * rejoined and shortened. This is how dlt names flattened columns and resource tables.
   */
  normalizePath(path: string): string {
    const fragments = path.split(PATH_SEPARATOR).filter((part) => pythonStrip(part) !== '');
    if (fragments.length === 0)
      throw new InvalidIdentifierError(`identifier ${JSON.stringify(path)} is empty`);
    return this.shorten(path, fragments.map((f) => snakeCase(pythonStrip(f))).join(PATH_SEPARATOR));
  }

  /** A name built from already normalized fragments, e.g. parent table + field. */
  makePath(...fragments: string[]): string {
    const joined = fragments.filter((f) => f !== '').join(PATH_SEPARATOR);
    return this.shorten(joined, joined);
  }

  private shorten(original: string, normalized: string): string {
    return shortenIdentifier(normalized, original, this.maxLength);
  }
}

/** The character rules of dlt's snake_case, without shortening. */
export function snakeCase(identifier: string): string {
  let name = identifier.replace(/[+\-*@|]/g, (c) => TRANSLATE[c] ?? c);
  name = name.replace(/[^a-zA-Z\p{Nd}_]+/gu, '_');
  name = name.replace(/([^_])([A-Z][a-z]+)/g, '$1_$2');
  name = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (/^\p{Nd}/u.test(name)) name = `_${name}`;
  name = name.replace(/_+$/, (underscores) => 'x'.repeat(underscores.length));
  return name.replace(/__+/g, '_');
}

/**
 * Shortens `normalized` to `maxLength` by keeping its head and tail around a tag computed from
 * the original identifier, so distinct long names stay distinct.
 */
export function shortenIdentifier(
  normalized: string,
  original: string,
  maxLength: number | undefined,
): string {
  if (maxLength === undefined || normalized.length <= maxLength) return normalized;
  const tag = identifierTag(original);
  const keep = maxLength - TAG_LENGTH;
  const head = Math.ceil(keep / 2);
  const tail = Math.floor(keep / 2);
  return normalized.slice(0, head) + tag + (tail > 0 ? normalized.slice(-tail) : '');
}

function identifierTag(original: string): string {
  return createHash('shake128', { outputLength: 4 })
    .update(original, 'utf8')
    .digest('base64')
    .replace(/=+$/, '')
    .replace(/\//g, 'a')
    .replace(/\+/g, 'b')
    .toLowerCase();
}

/** A dataset's name at the destination, as dlt normalizes it (`Sales-2024` is `sales_2024`). */
export function datasetIdentifier(dataset: string): string {
  return new SnakeCaseNaming().normalizeIdentifier(dataset);
}

/** The schema a pipeline's data goes into when none is named: dlt's snake_case of the pipeline name (`My-Shop` is `my_shop`), at most 64 characters. */
export function pipelineSchemaName(pipeline: string): string {
  return new SnakeCaseNaming(64).normalizeIdentifier(pipeline);
}
