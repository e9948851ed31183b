import { z } from 'zod';
import { canonicalJson } from '../util/canonical-json.js';
import { digest128 } from '../util/digest.js';
import { JsonFloat } from '../util/json-values.js';

const cursorValueSchema = z.union([z.string(), z.number()]);

/** dlt's incremental state of one cursor: the last value reached and the rows seen at it. */
export const incrementalStateSchema = z.object({
  initial_value: cursorValueSchema,
  last_value: cursorValueSchema,
  unique_hashes: z.array(z.string()),
});
export type IncrementalState = z.infer<typeof incrementalStateSchema>;
export type CursorValue = z.infer<typeof cursorValueSchema>;

/** Records at the furthest value are hashed in groups this large, or once the run ends. */
const PENDING_LIMIT = 1000;

const hashOf = (record: unknown) => digest128(canonicalJson(record));

/**
 * One run of an incremental cursor, as dlt keeps it: asks from the last value reached (inclusive),
 * drops records before it and those at it that were loaded already, and ends with the new last
 * value and the hashes of the records at it. Only records that can end up at the last value are
 * hashed, and those late: a record passed by a later, larger value never is.
 */
export class IncrementalCursor {
  readonly start: CursorValue;
  private last: CursorValue;
  private readonly seenAtStart: Set<string>;
  /** Hashes of records at `last`, and records at `last` not hashed yet. */
  private atLast: Set<string>;
  private pending: unknown[] = [];

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
    if (value === this.start && this.seenAtStart.size > 0 && this.seenAtStart.has(hashOf(record)))
      return false;
    if (value > this.last) {
      this.last = value;
      this.atLast = new Set();
      this.pending = [];
    }
    if (value === this.last) {
      this.pending.push(record);
      if (this.pending.length >= PENDING_LIMIT) this.hashPending();
    }
    return true;
  }

  state(): IncrementalState {
    this.hashPending();
    return { initial_value: this.initialValue, last_value: this.last, unique_hashes: [...this.atLast] };
  }

  private hashPending(): void {
    for (const record of this.pending) this.atLast.add(hashOf(record));
    this.pending = [];
  }
}

/** Cursor values compare as numbers or as text (ISO timestamps sort as text); dates become ISO text. */
export function cursorValue(value: unknown, field: string): CursorValue {
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (value instanceof JsonFloat) return value.value;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  throw new Error(
    `cursor field ${field} has no comparable value (${value === null ? 'null' : typeof value})`,
  );
}
