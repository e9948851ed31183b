import { z } from 'zod';
import { parseIsoTimestamp } from '../schema/date-text.js';
import { canonicalJson } from '../util/canonical-json.js';
import { digest128 } from '../util/digest.js';
import { JsonFloat } from '../util/json-values.js';

/** A cursor value as configured and kept: a number, or text (an ISO timestamp, say). */
export const cursorValueSchema = z.union([z.string(), z.number()]);

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

// dlt's digest128 default (row keys take 10 bytes; these hashes the default 15)
const UNIQUE_HASH_BYTES = 15;
/** base64 of 10 bytes, unpadded: the hashes Sluice kept before. */
const LEGACY_HASH_LENGTH = 14;

/**
 * What identifies a record at the last value, as dlt hashes it: its primary key's value (a list
 * of values for a compound key) when the resource has one, else the whole record. A record
 * lacking a key column (the key names a normalized column its source spells otherwise) is
 * identified whole.
 */
function hashOf(record: unknown, primaryKey: readonly string[] | undefined): string {
  if (primaryKey === undefined || primaryKey.length === 0 || !hasColumns(record, primaryKey))
    return digest128(canonicalJson(record), UNIQUE_HASH_BYTES);
  const values = primaryKey.map((column) => record[column]);
  return digest128(canonicalJson(values.length === 1 ? values[0] : values), UNIQUE_HASH_BYTES);
}

function hasColumns(record: unknown, columns: readonly string[]): record is Record<string, unknown> {
  return (
    record !== null && typeof record === 'object' && columns.every((column) => Object.hasOwn(record, column))
  );
}

/**
 * One run of an incremental cursor, as dlt keeps it: asks from the last value reached (inclusive),
 * drops records before it and those at it that were loaded already, and ends with the new last
 * value and the hashes of the records at it. Only records that can end up at the last value are
 * hashed, and those late: a record passed by a later, larger value never is.
 *
 * With an end value (dlt's `end_value`) the run is a backfill of [initial value, end value): the
 * state is neither read nor kept, so a backfill neither skips what a regular run loaded nor moves
 * its cursor.
 */
export class IncrementalCursor {
  readonly start: CursorValue;
  /** Whether the run's end state is the resource's new state (not so for a backfill). */
  readonly keepsState: boolean;
  // values with their instants, parsed once: each record's value is compared with both
  private readonly startKey: CursorKey;
  private readonly endKey: CursorKey | undefined;
  private last: CursorKey;
  private readonly seenAtStart: Set<string>;
  /** Hashes of records at `last`, and records at `last` not hashed yet. */
  private atLast: Set<string>;
  private pending: unknown[] = [];
  private readonly legacyHashes: boolean;

  constructor(
    private readonly initialValue: CursorValue,
    kept: IncrementalState | undefined,
    private readonly primaryKey?: readonly string[],
    endValue?: CursorValue,
  ) {
    this.keepsState = endValue === undefined;
    this.endKey = endValue === undefined ? undefined : cursorKey(endValue);
    const state = this.keepsState ? kept : undefined;
    this.start = state?.last_value ?? initialValue;
    this.startKey = cursorKey(this.start);
    this.last = this.startKey;
    this.seenAtStart = new Set(state?.unique_hashes ?? []);
    this.atLast = new Set(this.seenAtStart);
    this.legacyHashes = [...this.seenAtStart].some((hash) => hash.length === LEGACY_HASH_LENGTH);
  }

  /** Whether a record at the start value was loaded by an earlier run. */
  private seenBefore(record: unknown): boolean {
    if (this.seenAtStart.size === 0) return false;
    if (this.seenAtStart.has(hashOf(record, this.primaryKey))) return true;
    // a state Sluice wrote before it hashed as dlt does holds 10-byte hashes of whole records
    return this.legacyHashes && this.seenAtStart.has(digest128(canonicalJson(record), 10));
  }

  /** Whether to keep a record with this cursor value; tracks the furthest value reached. */
  accept(value: CursorValue, record: unknown): boolean {
    const key = cursorKey(value);
    const fromStart = compareKeys(key, this.startKey);
    if (fromStart < 0) return false;
    // dlt's range ends open: a record at the end value belongs to the next window
    if (this.endKey !== undefined && compareKeys(key, this.endKey) >= 0) return false;
    if (fromStart === 0 && this.seenBefore(record)) return false;
    const fromLast = compareKeys(key, this.last);
    if (fromLast > 0) {
      this.last = key;
      this.atLast = new Set();
      this.pending = [];
    }
    if (fromLast >= 0) {
      this.pending.push(record);
      if (this.pending.length >= PENDING_LIMIT) this.hashPending();
    }
    return true;
  }

  state(): IncrementalState {
    this.hashPending();
    return {
      initial_value: this.initialValue,
      last_value: this.last.value,
      unique_hashes: [...this.atLast],
    };
  }

  private hashPending(): void {
    for (const record of this.pending) this.atLast.add(hashOf(record, this.primaryKey));
    this.pending = [];
  }
}

/** A record's cursor value: a number, or text (dates become ISO text); `compareCursors` orders them. */
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

/**
 * Cursor values in order: numbers as numbers, ISO timestamps as the instants they name (so
 * `2024-06-01T00:00:00Z` and dlt's `2024-06-01T00:00:00+00:00` are one value), other text as text.
 */
export function compareCursors(a: CursorValue, b: CursorValue): number {
  return compareKeys(cursorKey(a), cursorKey(b));
}

/** A cursor value with the instant it names when it is an ISO timestamp (µs since the epoch). */
interface CursorKey {
  value: CursorValue;
  instant: number | bigint | undefined;
}

function cursorKey(value: CursorValue): CursorKey {
  return { value, instant: typeof value === 'string' ? parseIsoTimestamp(value) : undefined };
}

function compareKeys(a: CursorKey, b: CursorKey): number {
  if (a.instant !== undefined && b.instant !== undefined)
    return a.instant < b.instant ? -1 : a.instant > b.instant ? 1 : 0;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** What a record without a cursor value does (dlt's on_cursor_value_missing): fails the pull, loads, or drops. */
export const cursorValueMissingSchema = z.enum(['raise', 'include', 'exclude']).default('raise');

/** Whether a cursor's configured end value (if any) comes after its initial value, as dlt requires. */
export function endsAfterInitial(cursor: {
  initialValue: CursorValue;
  endValue?: CursorValue | undefined;
}): boolean {
  return cursor.endValue === undefined || compareCursors(cursor.endValue, cursor.initialValue) > 0;
}
