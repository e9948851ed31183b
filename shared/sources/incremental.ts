import { canonicalJson } from '../util/canonical-json.js';
import { digest128 } from '../util/digest.js';

/** dlt's incremental state of one cursor: the last value reached and the rows seen at it. */
export interface IncrementalState {
  initial_value: CursorValue;
  last_value: CursorValue;
  unique_hashes: string[];
}

export type CursorValue = string | number;

/**
 * One run of an incremental cursor, as dlt keeps it: asks from the last value reached (inclusive),
 * drops records before it and those at it that were loaded already, and ends with the new last
 * value and the hashes of the records at it.
 */
export class IncrementalCursor {
  readonly start: CursorValue;
  private last: CursorValue;
  private readonly seenAtStart: Set<string>;
  private atLast: Set<string>;

  constructor(
    private readonly initialValue: CursorValue,
    state: IncrementalState | undefined,
  ) {
    this.start = state?.last_value ?? initialValue;
    this.last = this.start;
    this.seenAtStart = new Set(state?.unique_hashes ?? []);
    this.atLast = new Set(this.seenAtStart);
  }

  /** Whether to keep a record with this cursor value; tracks the furthest value reached. */
  accept(value: CursorValue, record: unknown): boolean {
    if (value < this.start) return false;
    const hash = digest128(canonicalJson(record));
    if (value === this.start && this.seenAtStart.has(hash)) return false;
    if (value > this.last) {
      this.last = value;
      this.atLast = new Set();
    }
    if (value === this.last) this.atLast.add(hash);
    return true;
  }

  state(): IncrementalState {
    return { initial_value: this.initialValue, last_value: this.last, unique_hashes: [...this.atLast] };
  }
}

/** Cursor values compare as numbers or as text (ISO timestamps sort as text); dates become ISO text. */
export function cursorValue(value: unknown, field: string): CursorValue {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  throw new Error(
    `cursor field ${field} has no comparable value (${value === null ? 'null' : typeof value})`,
  );
}
