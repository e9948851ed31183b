import * as arrow from 'apache-arrow';
import type { Coerced } from '../schema/coerce.js';
import type { ColumnSchema } from '../schema/types.js';
import { arrowType } from './arrow-types.js';
import { decimalToWords } from './decimal.js';
import { timeText } from './jsonl-values.js';

/**
 * Builds one Arrow column from a batch of coerced values (undefined/null = null). The buffers
 * are filled directly rather than through Arrow's builders, which are several times slower.
 */
export function buildColumn(
  column: ColumnSchema,
  values: ReadonlyArray<Coerced | undefined>,
  type: arrow.DataType = arrowType(column),
): arrow.Data {
  const length = values.length;
  const { bitmap, nullCount } = validity(values);
  const base = { type, length, nullCount, nullBitmap: nullCount > 0 ? bitmap : null };
  switch (type.typeId) {
    case arrow.Type.Utf8:
    case arrow.Type.Binary: {
      // a time column written as text: µs since midnight as `12:30:45.123456`
      const texts =
        column.data_type === 'time'
          ? values.map((v) => (v === undefined || v === null ? v : timeText(Number(v))))
          : values;
      const { offsets, data } =
        type.typeId === arrow.Type.Utf8
          ? utf8Strings(texts as ReadonlyArray<string | undefined>, column.name)
          : binaries(values);
      return makeData({ ...base, type, valueOffsets: offsets, data });
    }
    case arrow.Type.Float:
      return makeData({ ...base, type, data: fill(new Float64Array(length), values, Number) });
    case arrow.Type.Bool:
      return makeData({ ...base, type, data: booleanBits(values) });
    case arrow.Type.Int:
      return makeData({ ...base, type, data: integers(type as arrow.Int, values) });
    case arrow.Type.Timestamp:
    case arrow.Type.Time: {
      // values are µs; a coarser unit floors them (a datetime's seconds and its µs part, as
      // pyarrow takes them), time32 units are 32 bits wide
      const unit = (type as arrow.Timestamp | arrow.Time).unit;
      const scaled = unit === arrow.TimeUnit.MICROSECOND ? values : values.map((v) => inUnit(v, unit));
      const time32 = type.typeId === arrow.Type.Time && (type as arrow.Time).bitWidth === 32;
      return makeData({
        ...base,
        type,
        data: time32 ? fill(new Int32Array(length), scaled, Number) : int64s(scaled),
      });
    }
    case arrow.Type.Date:
      return makeData({ ...base, type, data: fill(new Int32Array(length), values, Number) });
    case arrow.Type.Decimal: {
      const decimal = type as arrow.Decimal;
      const data = new Uint32Array(length * 4);
      values.forEach((v, i) => {
        if (v !== undefined && v !== null)
          data.set(decimalToWords(String(v), decimal.scale, decimal.precision, column.name), i * 4);
      });
      return makeData({ ...base, type: decimal, data });
    }
    default:
      throw new Error(`no Arrow column builder for ${type}`);
  }
}

/**
 * Builds one Arrow column from numbers kept unboxed (see NumberColumn), null where `validity`
 * says: doubles as they are, integers, µs timestamps and dates converted in one pass; any other
 * type (another time unit, say) through buildColumn.
 */
export function buildNumberColumn(
  column: ColumnSchema,
  numbers: Float64Array,
  validity: Uint8Array,
  nullCount: number,
  type: arrow.DataType = arrowType(column),
): arrow.Data {
  const length = numbers.length;
  const base = { type, length, nullCount, nullBitmap: nullCount > 0 ? validity : null };
  switch (type.typeId) {
    case arrow.Type.Float:
      if ((type as arrow.Float).precision === arrow.Precision.DOUBLE)
        return makeData({ ...base, data: numbers });
      break;
    case arrow.Type.Int:
      return makeData({ ...base, data: integers(type as arrow.Int, numbers) });
    case arrow.Type.Timestamp:
      if ((type as arrow.Timestamp).unit === arrow.TimeUnit.MICROSECOND)
        return makeData({ ...base, data: int64s(numbers) });
      break;
    case arrow.Type.Date:
      return makeData({ ...base, data: Int32Array.from(numbers) });
  }
  const values = Array.from(numbers, (n, i) => ((validity[i >> 3]! >> (i & 7)) & 1 ? n : undefined));
  return buildColumn(column, values, type);
}

/** µs in another time unit: floored to seconds or ms, times 1,000 for ns. */
function inUnit(value: Coerced | undefined, unit: arrow.TimeUnit): Coerced | undefined {
  if (value === undefined || value === null) return value;
  const micros = BigInt(value as number | bigint);
  if (unit === arrow.TimeUnit.NANOSECOND) return micros * 1000n;
  const per = unit === arrow.TimeUnit.SECOND ? 1_000_000n : 1000n;
  const quotient = micros / per;
  return micros % per < 0n ? quotient - 1n : quotient;
}

// makeData's overloads are keyed by type; the props built here are checked by Arrow at runtime.
function makeData(props: Record<string, unknown>): arrow.Data {
  return arrow.makeData(props as unknown as Parameters<typeof arrow.makeData>[0]);
}

function validity(values: ReadonlyArray<unknown>): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || v === null) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { bitmap, nullCount };
}

function fill<T extends Float64Array | Int32Array>(
  target: T,
  values: ArrayLike<unknown>,
  convert: (v: never) => number,
): T {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== undefined && v !== null) target[i] = convert(v as never);
  }
  return target;
}

const TWO_TO_32 = 2 ** 32;

/**
 * 64-bit integers from numbers (safe integers, or truncated) and bigints. A number is written as
 * its two 32-bit halves (little-endian, as Arrow's buffers are) instead of through a BigInt made
 * for each value.
 */
function int64s(values: ArrayLike<unknown>): BigInt64Array {
  const target = new BigInt64Array(values.length);
  const halves = new Int32Array(target.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v === 'number') {
      if ((v | 0) === v) {
        // most values fit 32 bits: the high half is the sign
        halves[2 * i] = v;
        halves[2 * i + 1] = v < 0 ? -1 : 0;
      } else {
        // `| 0` keeps the low 32 bits (ToInt32 is modulo 2^32, exact below 2^53; no fmod)
        const integer = Math.trunc(v);
        halves[2 * i] = integer | 0;
        halves[2 * i + 1] = Math.floor(integer / TWO_TO_32);
      }
    } else if (typeof v === 'bigint') target[i] = v;
  }
  return target;
}

function integers(type: arrow.Int, values: ArrayLike<unknown>): arrow.Int['TArray'] {
  const length = values.length;
  switch (type.bitWidth) {
    case 8:
      return Int8Array.from(fill(new Int32Array(length), values, Number));
    case 16:
      return Int16Array.from(fill(new Int32Array(length), values, Number));
    case 32:
      return fill(new Int32Array(length), values, Number);
    default:
      return int64s(values);
  }
}

function booleanBits(values: ReadonlyArray<unknown>): Uint8Array {
  const bits = new Uint8Array((values.length + 7) >> 3);
  for (let i = 0; i < values.length; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

/**
 * A string column's offsets and UTF-8 bytes, encoded in one call for the whole batch (`join`
 * writes absent values as ''). When the bytes are as many as the characters, every string was
 * ASCII and the character offsets are the byte offsets; otherwise each string is measured. A
 * batch past JOINED_CHARS is encoded value by value: one string of it all could pass V8's longest
 * (about 512M characters).
 */
function utf8Strings(
  values: ReadonlyArray<string | undefined | null>,
  column: string,
): {
  offsets: Int32Array;
  data: Uint8Array;
} {
  const offsets = new Int32Array(values.length + 1);
  let position = 0;
  for (let i = 0; i < values.length; i++) {
    position += values[i]?.length ?? 0;
    offsets[i + 1] = position;
  }
  if (position > JOINED_CHARS) {
    const data = Buffer.allocUnsafe(byteOffsets(values, offsets, column));
    for (let i = 0; i < values.length; i++) data.write(values[i] ?? '', offsets[i]!, 'utf8');
    return { offsets, data };
  }
  const data = Buffer.from(values.join(''), 'utf8');
  if (data.length !== position) byteOffsets(values, offsets, column);
  return { offsets, data };
}

const JOINED_CHARS = 64_000_000;

/** Fills `offsets` with each value's end in UTF-8 bytes; returns the bytes in all. */
function byteOffsets(
  values: ReadonlyArray<string | undefined | null>,
  offsets: Int32Array,
  column: string,
): number {
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    size += Buffer.byteLength(values[i] ?? '');
    // Arrow's Utf8 offsets are 32-bit
    if (size > 0x7fffffff) throw new Error(`column ${column}: a batch holds more than 2 GiB of text`);
    offsets[i + 1] = size;
  }
  return size;
}

function binaries(values: ReadonlyArray<unknown>): { offsets: Int32Array; data: Uint8Array } {
  const offsets = new Int32Array(values.length + 1);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    size += (values[i] as Uint8Array | undefined | null)?.length ?? 0;
    offsets[i + 1] = size;
  }
  const data = new Uint8Array(size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as Uint8Array | undefined | null;
    if (v !== undefined && v !== null) data.set(v, offsets[i]!);
  }
  return { offsets, data };
}
