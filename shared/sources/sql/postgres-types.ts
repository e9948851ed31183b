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
  textArray: 1009,
} as const;

/**
 * The loader's type for a result column, as dlt's sql_database maps Postgres: integers bigint,
 * numeric(p,s) decimal with its precision and scale, timestamptz a timestamp with time zone and
 * timestamp one without, json/jsonb and arrays json, bytea binary, uuid and the rest text.
 */
export function columnHintsFor(oid: number, typmod: number, arrays: ArrayElements): ColumnHints {
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
      return arrays.has(oid) ? { data_type: 'json' } : { data_type: 'text' };
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

/** Where pg would lose something: unsafe int8s, numerics, dates and timestamps. */
const EXACT: Record<number, (text: string) => unknown> = {
  [OID.int8]: exactInteger,
  [OID.numeric]: asText,
  [OID.date]: asText,
  [OID.timestamp]: naiveTimestamp,
  [OID.timestamptz]: utcTimestamp,
};
// the other typed columns, which pg reads as the loader wants them
const READ_BY_PG = new Set<number>([
  OID.bool,
  OID.int2,
  OID.int4,
  OID.float4,
  OID.float8,
  OID.json,
  OID.jsonb,
  OID.bytea,
]);

// pg-types' typings name only some ids; any id may be asked for
const parserOf = pg.types.getTypeParser as (oid: number, format: 'text') => (text: string) => unknown;
type TextArray = (string | null | TextArray)[];
// text[]'s parser splits Postgres's array text into its elements' text (nested arrays too)
const textArray = parserOf(OID.textArray, 'text') as (text: string) => TextArray;
const mapArray = (values: TextArray, element: (text: string) => unknown): unknown[] =>
  values.map((value) =>
    value === null ? null : Array.isArray(value) ? mapArray(value, element) : element(value),
  );

/** Each array type's element type, as a connection reads them from the catalog. */
export type ArrayElements = ReadonlyMap<number, number>;

/**
 * How a value's text is read: exact where pg would lose something, by pg for the other typed
 * columns, and as Postgres writes it for every type loaded as text (pg reads an interval or a
 * point into an object, which would flatten into a column per part). An array's elements are read
 * by the same rule, whatever the element type (pg reads numeric[] as floats, int8[] as strings,
 * dates through the local zone, and leaves an enum's array as its text).
 */
export function typeParser(oid: number, arrays: ArrayElements): (text: string) => unknown {
  const element = arrays.get(oid);
  if (element !== undefined) {
    const read = typeParser(element, arrays);
    return (text) => mapArray(textArray(text), read);
  }
  return EXACT[oid] ?? (READ_BY_PG.has(oid) ? parserOf(oid, 'text') : asText);
}
