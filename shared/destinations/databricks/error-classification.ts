/**
 * Terminal or transient: decides whether a failed statement is retried (transient) or fails
 * the package (terminal). Decided by SQLSTATE class, error class, HTTP status or network code,
 * never by guessing from message text; a syntax error is terminal (dlt retries it; we do not).
 */
export type Disposition = 'transient' | 'terminal';

/** SQLSTATE classes (first two characters) and what they mean for a retry. */
const SQLSTATE_CLASSES: Record<string, Disposition> = {
  '08': 'transient', // connection exception
  '22': 'terminal', // data exception: casts, overflow, bad values
  '23': 'terminal', // integrity constraint violation
  '25': 'transient', // invalid transaction state
  '28': 'terminal', // invalid authorization
  '40': 'transient', // transaction rollback: serialization failure, concurrent writers
  '42': 'terminal', // syntax error or access rule violation, missing objects, permissions
  '53': 'transient', // insufficient resources
  '57': 'transient', // operator intervention: shutdown, warehouse restarting
  '0A': 'terminal', // feature not supported
  HY: 'terminal', // driver-level misuse
  XX: 'transient', // internal error
};

/** Delta's optimistic-concurrency conflicts: the statement did not commit and can run again. */
const TRANSIENT_ERROR_CLASS =
  /^(DELTA_CONCURRENT_|DELTA_PROTOCOL_CHANGED|DELTA_METADATA_CHANGED|CONCURRENT_)/;

const TRANSIENT_HTTP = new Set([408, 429, 500, 502, 503, 504]);
const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

export interface ClassifiableError {
  sqlState?: string;
  errorClass?: string;
  httpStatus?: number;
  networkCode?: string;
}

export function classify(error: ClassifiableError): Disposition {
  if (error.errorClass !== undefined && TRANSIENT_ERROR_CLASS.test(error.errorClass)) return 'transient';
  if (error.httpStatus !== undefined) return TRANSIENT_HTTP.has(error.httpStatus) ? 'transient' : 'terminal';
  if (error.networkCode !== undefined)
    return TRANSIENT_NETWORK.has(error.networkCode) ? 'transient' : 'terminal';
  if (error.sqlState !== undefined)
    return SQLSTATE_CLASSES[error.sqlState.slice(0, 2).toUpperCase()] ?? 'terminal';
  return 'terminal';
}

/** The error class Databricks puts first in its messages: `[TABLE_OR_VIEW_NOT_FOUND] ...`. */
export function errorClassOf(message: string): string | undefined {
  return /^\[([A-Z0-9_.]+)\]/.exec(message)?.[1];
}
