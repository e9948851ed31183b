import * as arrow from 'apache-arrow';
import { integerBits, timeUnit } from '../schema/coerce.js';
import { type ColumnSchema, DEFAULT_DECIMAL, MAX_DECIMAL_PRECISION } from '../schema/types.js';

const TIMESTAMPS = {
  s: arrow.TimestampSecond,
  ms: arrow.TimestampMillisecond,
  us: arrow.TimestampMicrosecond,
  ns: arrow.TimestampNanosecond,
};
const TIMES = {
  s: arrow.TimeSecond,
  ms: arrow.TimeMillisecond,
  us: arrow.TimeMicrosecond,
  ns: arrow.TimeNanosecond,
};

/**
 * The Arrow type dlt writes for a column: timestamps as µs (UTC unless `timezone: false`; in the
 * unit a precision hint asks for),
 * decimals as decimal128(p,s), dates as date32, json as string, sized integers by precision.
 */
export function arrowType(column: ColumnSchema): arrow.DataType {
  switch (column.data_type ?? 'text') {
    case 'text':
    case 'json':
      return new arrow.Utf8();
    case 'bigint':
      return integerType(column.precision);
    case 'double':
      return new arrow.Float64();
    case 'bool':
      return new arrow.Bool();
    case 'timestamp':
      return new TIMESTAMPS[timeUnit(column.precision)](column.timezone === false ? null : 'UTC');
    case 'date':
      return new arrow.DateDay();
    case 'time':
      return new TIMES[timeUnit(column.precision)]();
    case 'decimal': {
      const [precision, scale] = [column.precision ?? DEFAULT_DECIMAL[0], column.scale ?? DEFAULT_DECIMAL[1]];
      // parquet-wasm panics on a wider decimal128, and no destination stores one
      if (precision > MAX_DECIMAL_PRECISION || scale > precision)
        throw new Error(
          `column ${column.name} is decimal(${precision},${scale}): precision goes up to ${MAX_DECIMAL_PRECISION} and scale up to the precision`,
        );
      return new arrow.Decimal(scale, precision, 128);
    }
    case 'wei':
      return new arrow.Decimal(0, 38, 128);
    case 'binary':
      return new arrow.Binary();
  }
}

function integerType(precision: number | undefined): arrow.DataType {
  switch (integerBits(precision)) {
    case 8:
      return new arrow.Int8();
    case 16:
      return new arrow.Int16();
    case 32:
      return new arrow.Int32();
    default:
      return new arrow.Int64();
  }
}
