import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { JsonFloat } from '../util/json-values.js';
import { peekFirstLine, sniffDelimiter } from './csv-dialect.js';
import type { ReadOptions, SourceRecord } from './file-items.js';
import { SourceError } from './source-error.js';

const TSV = /\.tsv(\.gz)?$/i;

/** Rows read before the numeric columns are settled, as a dataframe reader types a chunk. */
const SAMPLE_ROWS = 1000;

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const FLOAT = /^-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?$|^-?\d+[eE][-+]?\d+$/;
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

type Row = { n: number; values: unknown[] };

/**
 * CSV with a header row; numbers and booleans are typed, empty fields are null. A column is
 * typed as a whole, not value by value: one with a decimal among its first rows is a column of
 * floats (`10` and `10.5` load as 10.0 and 10.5, not as a bigint column and a variant). A
 * malformed row fails the file, or goes to `onBadRecord` with its line when one is given.
 * Without a configured delimiter, a `.tsv` file is split on tabs and any other file on the one
 * its header line uses (`,` `;` tab or `|`).
 */
export async function* readCsvRecords(
  stream: Readable,
  path: string,
  options: ReadOptions,
): AsyncIterable<SourceRecord> {
  const { onBadRecord } = options;
  const quote = options.csv?.quote ?? '"';
  let source = stream;
  let delimiter = options.csv?.delimiter ?? (TSV.test(path) ? '\t' : undefined);
  if (delimiter === undefined) {
    const peeked = await peekFirstLine(stream);
    source = peeked.stream;
    delimiter = sniffDelimiter(peeked.line, quote);
  }
  const parser = source.pipe(
    // records as arrays, named here: csv-parse assigns a `__proto__` header to the prototype
    parseCsv({
      bom: true,
      skip_empty_lines: true,
      info: true,
      cast: csvCaster(new Set(options.csv?.nullValues)),
      relax_column_count: false,
      delimiter,
      quote,
      escape: options.csv?.escape ?? '"',
      ...(onBadRecord && {
        skip_records_with_error: true,
        raw: true,
        on_skip: (error: (Error & { lines?: number }) | undefined, raw: string | undefined) => {
          onBadRecord({ line: error?.lines, reason: `invalid CSV: ${error?.message}`, raw: raw ?? '' });
          return undefined;
        },
      }),
    }),
  );
  // pipe does not pass a failing source on: without this the parser would wait for it forever
  source.on('error', (error) => parser.destroy(error));
  let header: string[] | undefined;
  let floats: boolean[] | undefined;
  const sample: Row[] = [];
  const item = ({ n, values }: Row): SourceRecord => ({
    n,
    item: Object.fromEntries(header!.map((name, i) => [name, floats![i] ? asFloat(values[i]) : values[i]])),
  });
  // the sample settles which columns are floats, then goes out first
  const settle = function* () {
    floats = floatColumns(header!.length, sample);
    for (const row of sample.splice(0)) yield item(row);
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: unknown[];
      info: { lines: number };
    }>) {
      if (header === undefined) header = uniqueNames(record.map(headerName));
      else if (floats !== undefined) yield item({ n: info.lines, values: record });
      else if (sample.push({ n: info.lines, values: record }) === SAMPLE_ROWS) yield* settle();
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new SourceError(path, `invalid CSV: ${(error as Error).message}`, line, { cause: error });
  } finally {
    source.destroy();
  }
  if (header !== undefined && floats === undefined) yield* settle();
}

/** A header cell's name; an empty one is named by its position as pandas does (`Unnamed: 0`). */
function headerName(cell: unknown, index: number): string {
  const name = String(cell);
  return name === '' ? `Unnamed: ${index}` : name;
}

/**
 * Header names made unique in pandas' style (`a`, `a.1`, `a.2`, skipping names the header has
 * itself): a repeated name would otherwise keep only its last column's values.
 */
function uniqueNames(names: readonly string[]): string[] {
  const taken = new Set(names);
  const seen = new Set<string>();
  return names.map((name) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let i = 1;
    while (taken.has(`${name}.${i}`)) i++;
    const unique = `${name}.${i}`;
    taken.add(unique);
    return unique;
  });
}

type CsvContext = { records: number; quoting: boolean };

/** The caster of a file's fields: the configured null markers read as null, the rest typed. */
function csvCaster(nullValues: ReadonlySet<string>): (value: string, context: CsvContext) => unknown {
  if (nullValues.size === 0) return castCsvValue;
  // as DuckDB's nullstr with allow_quoted_nulls: a marker is null quoted or not
  return (value, context) =>
    context.records > 0 && nullValues.has(value) ? null : castCsvValue(value, context);
}

/**
 * Typed as text reads: integers exact (bigint past 2^53, text past int64; leading zeros keep a
 * code such as `01234` text), `1.0` a float. Quoting does not make a number text, as some
 * writers quote every field; only a quoted empty field is an empty string rather than null.
 */
function castCsvValue(value: string, context: CsvContext): unknown {
  // the first record is the header
  if (context.records === 0) return value;
  if (value === '') return context.quoting ? '' : null;
  if (INTEGER.test(value)) {
    const number = Number(value);
    if (Number.isSafeInteger(number)) return number;
    const big = BigInt(value);
    return big >= INT64.min && big <= INT64.max ? big : value;
  }
  if (FLOAT.test(value)) {
    const number = Number(value);
    return Number.isInteger(number) ? new JsonFloat(number) : number;
  }
  // the spellings a dataframe reader takes as booleans
  if (BOOLEAN.test(value)) return value.toLowerCase() === 'true';
  return value;
}

function floatColumns(width: number, sample: readonly Row[]): boolean[] {
  const floats = new Array<boolean>(width).fill(false);
  for (const { values } of sample)
    for (let i = 0; i < width; i++) {
      const v = values[i];
      if (v instanceof JsonFloat || (typeof v === 'number' && !Number.isInteger(v))) floats[i] = true;
    }
  return floats;
}

/** An integer in a column of floats is a float too. */
function asFloat(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return new JsonFloat(value);
  if (typeof value === 'bigint') return new JsonFloat(Number(value));
  return value;
}
