import * as arrow from 'apache-arrow';
import { DLT_COLUMNS } from '../schema/types.js';
import type { BatchColumn } from './column-batch.js';

/** How a Parquet file's columns are encoded beyond PLAIN, chosen by name from its first values. */
export interface ColumnEncodings {
  /** Columns given a dictionary. */
  dictionary: string[];
  /** Integer columns (integers, timestamps, dates, times) given DELTA_BINARY_PACKED. */
  delta: string[];
}

const ROW_KEY_COLUMNS = new Set<string>([DLT_COLUMNS.id, DLT_COLUMNS.parentId, DLT_COLUMNS.rootId]);

// A column gets a dictionary when the first batch repeats its values at least this many times on
// average. parquet-wasm's dictionary encoding is the costliest part of writing a file (it about
// doubles the encoding time), and for columns of mostly distinct values (ids, emails, amounts)
// it is built only to be dropped when the dictionary page fills up.
const DICTIONARY_MIN_REPEATS = 10;
const SAMPLE_ROWS = 10_000;

// DELTA_BINARY_PACKED packs each block of 128 differences at its own bit width.
const DELTA_BLOCK = 128;

const INTEGER_TYPES = new Set([arrow.Type.Int, arrow.Type.Timestamp, arrow.Type.Date, arrow.Type.Time]);

/**
 * Chooses each column's encoding from the first `rows` values. Repeating values get a dictionary.
 * Integers are delta-encoded (ids, positions, timestamps: small differences pack into few bits,
 * and it encodes faster than PLAIN, let alone a dictionary) unless they repeat and their
 * dictionary's indexes would be narrower than their differences (status codes, say).
 */
export function chooseEncodings(
  fields: readonly arrow.Field[],
  values: readonly BatchColumn[],
  rows: number,
): ColumnEncodings {
  const size = Math.min(rows, SAMPLE_ROWS);
  const chosen: ColumnEncodings = { dictionary: [], delta: [] };
  fields.forEach(({ name, type }, i) => {
    if (ROW_KEY_COLUMNS.has(name)) return;
    const column = values[i]!;
    const distinct = new Set<unknown>();
    for (let row = 0; row < size; row++) distinct.add(column.valueAt(row));
    const repeats = distinct.size * DICTIONARY_MIN_REPEATS <= size;
    if (!INTEGER_TYPES.has(type.typeId)) {
      if (repeats) chosen.dictionary.push(name);
      return;
    }
    const indexBits = Math.ceil(Math.log2(Math.max(distinct.size, 2)));
    if (repeats && indexBits < deltaBits(column, size)) chosen.dictionary.push(name);
    else chosen.delta.push(name);
  });
  return chosen;
}

/** The bits a value DELTA_BINARY_PACKED would take on average over the first `size` rows' values. */
function deltaBits(column: BatchColumn, size: number): number {
  let blocks = 0;
  let bits = 0;
  let previous: number | undefined;
  let low = Infinity;
  let high = -Infinity;
  let inBlock = 0;
  const closeBlock = () => {
    bits += Math.ceil(Math.log2(high - low + 1));
    blocks++;
    low = Infinity;
    high = -Infinity;
    inBlock = 0;
  };
  for (let row = 0; row < size; row++) {
    const value = column.valueAt(row);
    // nulls are not encoded; a bigint's estimate needs no exactness
    if (value === undefined || value === null) continue;
    const current = Number(value);
    if (previous !== undefined) {
      const difference = current - previous;
      low = Math.min(low, difference);
      high = Math.max(high, difference);
      if (++inBlock === DELTA_BLOCK) closeBlock();
    }
    previous = current;
  }
  if (inBlock > 0) closeBlock();
  return blocks === 0 ? 0 : bits / blocks;
}
