import type { Coerced } from '../schema/coerce.js';
import type { ColumnSchema } from '../schema/types.js';

const MICROS_PER_DAY = 86_400_000_000;

/** The JSON text of one coerced value in a JSONL file, typed by its column. */
export function jsonValue(column: ColumnSchema, value: Coerced): string {
  switch (column.data_type) {
    case 'json':
      return value as string;
    case 'decimal':
    case 'wei':
      return String(value);
    case 'bigint':
      return String(value);
    case 'double':
      if (!Number.isFinite(value)) return 'null';
      // String(-0) is "0": the sign of a negative zero would be lost
      return Object.is(value, -0) ? '-0.0' : String(value);
    case 'timestamp':
      return JSON.stringify(timestampText(value as number | bigint, column.timezone !== false));
    case 'date':
      return JSON.stringify(new Date((value as number) * 86_400_000).toISOString().slice(0, 10));
    case 'time':
      return JSON.stringify(timeText(value as number));
    case 'binary':
      return JSON.stringify(Buffer.from(value as Uint8Array).toString('base64'));
    default:
      return JSON.stringify(value);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** ISO text of µs since the epoch, with all six fraction digits. */
export function timestampText(micros: number | bigint, utc: boolean): string {
  let fraction: number;
  let ms: number;
  if (typeof micros === 'bigint' && micros <= MAX_SAFE && micros >= -MAX_SAFE) micros = Number(micros);
  if (typeof micros === 'number') {
    // a safe integer: the arithmetic is exact without BigInt, which took most of the time here
    fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
    ms = (micros - fraction) / 1000;
  } else {
    const exactFraction = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
    fraction = Number(exactFraction);
    ms = Number((micros - exactFraction) / 1000n);
  }
  const text = `${new Date(ms).toISOString().slice(0, 19)}.${String(fraction).padStart(6, '0')}`;
  return utc ? `${text}Z` : text;
}

/**
 * `HH:MM:SS.ffffff` of µs since midnight, or `HH:MM:SS` on the second, as Python's isoformat
 * writes a time (dlt's JSONL): the text a Databricks STRING column holds for it either way.
 */
export function timeText(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const clock = new Date((micros % MICROS_PER_DAY) / 1000).toISOString().slice(11, 19);
  const fraction = micros - seconds * 1_000_000;
  return fraction === 0 ? clock : `${clock}.${String(fraction).padStart(6, '0')}`;
}
