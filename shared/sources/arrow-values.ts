import * as arrow from 'apache-arrow';
import { scaledToText } from '../formats/decimal.js';
import { timestampText, timeText } from '../formats/jsonl-values.js';
import { type ColumnHints, MAX_DECIMAL_PRECISION } from '../schema/types.js';
import { recordsOf } from '../util/key-order.js';

/**
 * Reads one Arrow column as the loader's JSON-like values: exact integers, ISO timestamps and
 * times with every microsecond, dates, decimal text; lists and structs as arrays and objects of
 * the same.
 */
export function columnReader(vector: arrow.Vector): (index: number) => unknown {
  const type = vector.type;
  if (arrow.DataType.isTimestamp(type) || arrow.DataType.isTime(type)) {
    // Arrow's getters give timestamps and times in milliseconds, dropping microseconds
    const raw = rawIntegers(vector);
    const toMicros = microsFrom(type.unit);
    return arrow.DataType.isTimestamp(type)
      ? (i) => {
          const value = raw(i);
          return value === null ? null : timestampText(toMicros(value), Boolean(type.timezone));
        }
      : (i) => {
          const value = raw(i);
          return value === null ? null : timeText(Number(toMicros(value)));
        };
  }
  // nested values through the same readers, so a timestamp inside a list or struct keeps its type
  if (arrow.DataType.isStruct(type)) {
    const fields = type.children;
    const readers = fields.map((_, k) => columnReader(vector.getChildAt(k)!));
    const record = recordsOf(fields.map((field) => field.name));
    return (i) => (vector.isValid(i) ? record((k) => readers[k]!(i)) : null);
  }
  if (arrow.DataType.isList(type) || arrow.DataType.isFixedSizeList(type)) {
    return (i) => {
      const list = vector.get(i) as arrow.Vector | null;
      if (list === null) return null;
      const read = columnReader(list);
      return Array.from({ length: list.length }, (_, k) => read(k));
    };
  }
  if (arrow.DataType.isMap(type)) return mapReader(vector);
  return (i) => arrowValue(type, vector.get(i));
}

/**
 * A map as a list of [key, value] pairs, as pyarrow reads it (dlt's Parquet reader hands dlt
 * such tuples, which it normalizes as lists of lists), so a map's keys never become columns.
 */
function mapReader(vector: arrow.Vector): (index: number) => unknown {
  const chunks = vector.data.map((data) => {
    const entries = arrow.makeVector(data.children[0]!);
    return { data, key: columnReader(entries.getChildAt(0)!), value: columnReader(entries.getChildAt(1)!) };
  });
  const locate = chunkLocator(vector);
  return (index) => {
    const [c, local] = locate(index);
    const { data, key, value } = chunks[c]!;
    if (!data.getValid(local)) return null;
    const offsets = data.valueOffsets;
    const pairs: unknown[][] = [];
    for (let k = offsets[local]!; k < offsets[local + 1]!; k++) pairs.push([key(k), value(k)]);
    return pairs;
  };
}

/** The chunk of a column that holds a row, and the row's index in it. */
function chunkLocator(vector: arrow.Vector): (index: number) => [chunk: number, local: number] {
  const starts: number[] = [];
  let start = 0;
  for (const chunk of vector.data) {
    starts.push(start);
    start += chunk.length;
  }
  return (index) => {
    let c = starts.length - 1;
    while (starts[c]! > index) c--;
    return [c, index - starts[c]!];
  };
}

/** The stored integers of a column (Int32Array or BigInt64Array chunks), null where invalid. */
function rawIntegers(vector: arrow.Vector): (index: number) => bigint | null {
  const locate = chunkLocator(vector);
  return (index) => {
    const [c, local] = locate(index);
    const chunk = vector.data[c]!;
    if (!chunk.getValid(local)) return null;
    return BigInt((chunk.values as Int32Array | BigInt64Array)[local]!);
  };
}

function microsFrom(unit: arrow.TimeUnit): (value: bigint) => bigint {
  switch (unit) {
    case arrow.TimeUnit.SECOND:
      return (v) => v * 1_000_000n;
    case arrow.TimeUnit.MILLISECOND:
      return (v) => v * 1000n;
    case arrow.TimeUnit.MICROSECOND:
      return (v) => v;
    default:
      // nanoseconds: the loader's types hold microseconds; floor, so times before 1970 stay in their second
      return (v) => (v - (((v % 1000n) + 1000n) % 1000n)) / 1000n;
  }
}

/** Arrow values as the loader's JSON-like values (exact integers, dates, decimal text). */
function arrowValue(type: arrow.DataType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (arrow.DataType.isDate(type)) return new Date(Number(value)).toISOString().slice(0, 10);
  if (arrow.DataType.isDecimal(type)) {
    const words = value as Uint32Array;
    let unscaled = 0n;
    for (let i = words.length - 1; i >= 0; i--) unscaled = (unscaled << 32n) | BigInt(words[i]!);
    return scaledToText(BigInt.asIntN(words.length * 32, unscaled), type.scale);
  }
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof arrow.Vector) return value.toJSON();
  if (typeof value === 'object' && 'toJSON' in (value as object))
    return (value as { toJSON(): unknown }).toJSON();
  return value;
}

/**
 * The column types an Arrow schema declares that JSON lines cannot carry: decimals with their
 * precision and scale, dates, times and binaries (dlt reads such Parquet values as Python
 * Decimal, date, time and bytes, and types the columns so). Every top-level column is listed, in
 * order, so hinted columns do not move ahead of the others; the rest are typed from their values.
 */
export function declaredColumns(schema: arrow.Schema): [string, ColumnHints][] {
  return schema.fields.map((field) => [field.name, declaredType(field.type)]);
}

function declaredType(type: arrow.DataType): ColumnHints {
  if (arrow.DataType.isDecimal(type) && type.precision <= MAX_DECIMAL_PRECISION)
    return { data_type: 'decimal', precision: type.precision, scale: type.scale };
  if (arrow.DataType.isDate(type)) return { data_type: 'date' };
  if (arrow.DataType.isTime(type)) return { data_type: 'time' };
  if (
    arrow.DataType.isBinary(type) ||
    arrow.DataType.isLargeBinary(type) ||
    arrow.DataType.isFixedSizeBinary(type)
  )
    return { data_type: 'binary' };
  return {};
}
