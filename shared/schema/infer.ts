import { JsonFloat } from '../util/json-values.js';
import { parseIsoTimestamp } from './date-text.js';
import type { DataType } from './types.js';

/** The dlt data type of a JSON value, or undefined for null. Dicts and lists are 'json'. */
export function inferDataType(value: unknown, detectTimestamps = true): DataType | undefined {
  switch (typeof value) {
    case 'string':
      return detectTimestamps && parseIsoTimestamp(value) !== undefined ? 'timestamp' : 'text';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double';
    case 'bigint':
      return value > 9223372036854775807n || value < -9223372036854775808n ? 'wei' : 'bigint';
    case 'boolean':
      return 'bool';
    case 'object':
      if (value === null) return undefined;
      if (value instanceof JsonFloat) return 'double';
      if (value instanceof Date) return 'timestamp';
      if (value instanceof Uint8Array) return 'binary';
      return 'json';
    default:
      return undefined;
  }
}

/**
 * The type Python's class of the value maps to, before any detection: dlt names a variant column
 * by it (`x__v_text`), while the column's own type is inferred (an ISO string makes it timestamp).
 */
export function pythonDataType(value: unknown): DataType | undefined {
  const type = inferDataType(value, false);
  // any Python int is bigint to dlt; past int64 we store it as wei
  return type === 'wei' ? 'bigint' : type;
}
