import { describe, expect, it } from 'vitest';
import {
  type ClassifiableError,
  classify,
  errorClassOf,
} from '../../shared/destinations/databricks/error-classification.js';

// Row by row: what a failure means for the load. Syntax errors are terminal (dlt retries them).
const CASES: [string, ClassifiableError, 'transient' | 'terminal'][] = [
  ['PARSE_SYNTAX_ERROR', { sqlState: '42601', errorClass: 'PARSE_SYNTAX_ERROR' }, 'terminal'],
  ['TABLE_OR_VIEW_NOT_FOUND', { sqlState: '42P01', errorClass: 'TABLE_OR_VIEW_NOT_FOUND' }, 'terminal'],
  ['NO_SUCH_CATALOG_EXCEPTION', { sqlState: '42704' }, 'terminal'],
  ['insufficient privileges', { sqlState: '42501' }, 'terminal'],
  [
    'DELTA_FAILED_TO_MERGE_FIELDS (type mismatch)',
    { sqlState: '22005', errorClass: 'DELTA_FAILED_TO_MERGE_FIELDS' },
    'terminal',
  ],
  ['cast overflow', { sqlState: '22003' }, 'terminal'],
  ['NOT NULL constraint', { sqlState: '23502' }, 'terminal'],
  ['feature not supported', { sqlState: '0A000' }, 'terminal'],
  ['concurrent append', { sqlState: '2D521', errorClass: 'DELTA_CONCURRENT_APPEND' }, 'transient'],
  ['protocol changed by another writer', { errorClass: 'DELTA_PROTOCOL_CHANGED' }, 'transient'],
  ['serialization failure', { sqlState: '40001' }, 'transient'],
  ['connection failure', { sqlState: '08001' }, 'transient'],
  ['resources exhausted', { sqlState: '53000' }, 'transient'],
  ['warehouse restarting', { sqlState: '57P01' }, 'transient'],
  ['internal error', { sqlState: 'XX000' }, 'transient'],
  ['HTTP 429 too many requests', { httpStatus: 429 }, 'transient'],
  ['HTTP 503 warehouse starting', { httpStatus: 503 }, 'transient'],
  ['HTTP 401 bad token', { httpStatus: 401 }, 'terminal'],
  ['HTTP 403 forbidden', { httpStatus: 403 }, 'terminal'],
  ['ECONNRESET', { networkCode: 'ECONNRESET' }, 'transient'],
  ['EACCES', { networkCode: 'EACCES' }, 'terminal'],
  ['nothing known', {}, 'terminal'],
];

describe('Databricks error classification', () => {
  it.each(CASES)('%s is %s', (_name, error, expected) => {
    expect(classify(error)).toBe(expected);
  });

  it('reads the error class from a Databricks message', () => {
    expect(errorClassOf('[DELTA_CONCURRENT_APPEND] Files were added... SQLSTATE: 2D521')).toBe(
      'DELTA_CONCURRENT_APPEND',
    );
    expect(errorClassOf('no class here')).toBeUndefined();
  });
});
