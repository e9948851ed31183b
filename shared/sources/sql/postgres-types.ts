import pg from 'pg';
import { type ColumnHints, MAX_DECIMAL_PRECISION } from '../../schema/types.js';

/** PostgreSQL type OIDs (pg_type) of the types the loader maps. */
const OID = {
  bool: 16,
  bytea: 17,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
  point: 600,
  circle: 718,
  interval: 1186,
  textArray: 1009,
  int8Array: 1016,
  pointArray: 1017,
  timestampArray: 1115,
  dateArray: 1182,
  timestamptzArray: 1185,
  intervalArray: 1187,
  numericArray: 1231,
} as const;

/**
 * The loader's type for a result column, as dlt's sql_database maps Postgres: integers bigint,
 * numeric(p,s) decimal with its precision and scale, timestamptz a timestamp with time zone and
 * timestamp one without, json/jsonb and arrays json, bytea binary, uuid and the rest text.
 */
export function columnHintsFor(oid: number, typmod: number, arrayTypes: ReadonlySet<number>): ColumnHints {
  switch (oid) {
    case OID.bool:
      return { data_type: 'bool' };
    case OID.int2:
    case OID.int4:
    case OID.int8:
      return { data_type: 'bigint' };
    case OID.float4:
    case OID.float8:
      return { data_type: 'double' };
    case OID.numeric: {
      // typmod is ((precision << 16) | scale) + 4, or -1 for a numeric without them
      if (typmod < 0) return { data_type: 'decimal' };
      const packed = typmod - 4;
      const precision = (packed >> 16) & 0xffff;
      // wider than any destination's decimal: its exact text
      if (precision > MAX_DECIMAL_PRECISION) return { data_type: 'text' };
      return { data_type: 'decimal', precision, scale: packed & 0xffff };
    }
    case OID.timestamptz:
      return { data_type: 'timestamp', timezone: true };
    case OID.timestamp:
      return { data_type: 'timestamp', timezone: false };
    case OID.date:
      return { data_type: 'date' };
    case OID.time:
    case OID.timetz:
      return { data_type: 'time' };
    case OID.json:
    case OID.jsonb:
      return { data_type: 'json' };
    case OID.bytea:
      return { data_type: 'binary' };
    default:
      return arrayTypes.has(oid) ? { data_type: 'json' } : { data_type: 'text' };
  }
}

const asText = (text: string) => text;
// a naive timestamp is wall-clock time: keep its text, never shift it through the local zone
const naiveTimestamp = (text: string) => text.replace(' ', 'T');
// the session runs in UTC, so every timestamptz ends in +00; text keeps the microseconds
const utcTimestamp = (text: string) => text.replace(' ', 'T').replace(/\+00$/, 'Z');
const exactInteger = (text: string) => {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
};
type TextArray = (string | null | TextArray)[];
// pg-types' typings name only some ids; any id may be asked for
const parserOf = pg.types.getTypeParser as (oid: number, format?: 'text') => unknown;
// text[]'s parser splits Postgres's array text into strings (nested arrays too)
const textArray = parserOf(OID.textArray) as (text: string) => TextArray;

/** Whether pg has no parser for a type, so its values come as Postgres's text. */
export function unparsedByPg(oid: number): boolean {
  return parserOf(oid, 'text') === parserOf(0, 'text');
}
const mapArray = (values: TextArray, element: (text: string) => unknown): unknown[] =>
  values.map((value) =>
    value === null ? null : Array.isArray(value) ? mapArray(value, element) : element(value),
  );
const arrayOf = (element: (text: string) => unknown) => (text: string) => mapArray(textArray(text), element);

/** An array of a type pg has no parser for, its elements as Postgres writes them. */
export const textArrayParser = arrayOf(asText);

/**
 * Parsers that keep values exact: int8 as bigint when unsafe, numerics, dates and timestamps as
 * their text, alone or in arrays (pg reads numeric[] as floats, int8[] as strings and dates
 * through the local zone). Types loaded as text keep Postgres's text: pg reads an interval or a
 * point into an object, which would flatten into a column per part.
 */
export const exactParsers: Record<number, (text: string) => unknown> = {
  [OID.int8]: exactInteger,
  [OID.numeric]: asText,
  [OID.date]: asText,
  [OID.timestamp]: naiveTimestamp,
  [OID.timestamptz]: utcTimestamp,
  [OID.point]: asText,
  [OID.circle]: asText,
  [OID.interval]: asText,
  [OID.int8Array]: arrayOf(exactInteger),
  [OID.numericArray]: arrayOf(asText),
  [OID.dateArray]: arrayOf(asText),
  [OID.timestampArray]: arrayOf(naiveTimestamp),
  [OID.timestamptzArray]: arrayOf(utcTimestamp),
  [OID.intervalArray]: arrayOf(asText),
  [OID.pointArray]: arrayOf(asText),
};
