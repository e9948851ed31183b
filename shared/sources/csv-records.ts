import type { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { JsonFloat } from '../util/json-values.js';
import { recordsOf } from '../util/key-order.js';
import { peekFirstLine, sniffDelimiter } from './csv-dialect.js';
import type { ReadOptions, SourceRecord } from './file-items.js';
import { SourceError } from './source-error.js';

const TSV = /\.tsv(\.gz)?$/i;

/** Rows read before the columns' types are settled, as a dataframe reader types a chunk. */
const SAMPLE_ROWS = 1000;

const INTEGER = /^-?(?:0|[1-9]\d*)$/;
const FLOAT = /^-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?$|^-?\d+[eE][-+]?\d+$/;
const BOOLEAN = /^(?:true|True|TRUE|false|False|FALSE)$/;
const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };

/** A field as read: its text, or null (an unquoted empty field, a configured null marker). */
type Field = string | null;
type Row = { n: number; values: Field[] };

/**
 * How a column's fields are typed, settled by the first rows as a dataframe reader types a
 * column: `text` when one of them is text (every field then stays as written: `1.50`, `1e3` and
 * `TRUE` beside `n/a` are not re-rendered as 1.5, 1000.0 and True), `float` when one holds a
 * decimal (`10` beside `10.5` is 10.0), else each field is typed by itself.
 */
type ColumnKind = 'typed' | 'float' | 'text';

/**
 * CSV with a header row; numbers and booleans are typed, empty fields are null. A column is
 * typed as a whole, not value by value (see ColumnKind). A malformed row fails the file, or goes
 * to `onBadRecord` with its line when one is given.
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
  const dialect = { delimiter, quote, escape: options.csv?.escape ?? '"' };
  const nullValues = new Set(options.csv?.nullValues);
  const parser = source.pipe(
    // records as arrays, named here: csv-parse assigns a `__proto__` header to the prototype.
    // No `cast`: csv-parse builds a context object per field for it, which made reading 7x slower;
    // the raw record tells a quoted empty field from an unquoted one instead.
    parseCsv({
      bom: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      // a short row's missing fields are null, as pandas (dlt's CSV reader) reads them; a long row
      // is an error there too
      relax_column_count_less: true,
      delimiter,
      quote,
      escape: dialect.escape,
      ...(onBadRecord && {
        skip_records_with_error: true,
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
  let kinds: ColumnKind[] | undefined;
  const sample: Row[] = [];
  let record: ReturnType<typeof recordsOf> | undefined;
  const item = ({ n, values }: Row): SourceRecord => {
    record ??= recordsOf(header!);
    return { n, item: record((i) => typed(values[i] ?? null, kinds![i]!)) };
  };
  // the sample settles how each column is typed, then goes out first
  const settle = function* () {
    kinds = columnKinds(header!.length, sample);
    for (const row of sample.splice(0)) yield item(row);
  };
  try {
    for await (const { record, info, raw } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
      raw: string;
    }>) {
      if (header === undefined) {
        header = uniqueNames(record.map(headerName));
        continue;
      }
      const row = { n: info.lines, values: withNulls(record, raw, dialect, nullValues) };
      if (kinds !== undefined) yield item(row);
      else if (sample.push(row) === SAMPLE_ROWS) yield* settle();
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new SourceError(path, `invalid CSV: ${(error as Error).message}`, line, { cause: error });
  } finally {
    source.destroy();
  }
  if (header !== undefined && kinds === undefined) yield* settle();
}

interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
}

/**
 * A record's fields with nulls: an unquoted empty field and the configured null markers read as
 * null (a marker quoted or not, as DuckDB's nullstr with allow_quoted_nulls); only a quoted empty
 * field is an empty string. The raw record is read only when a field is empty.
 */
function withNulls(
  record: string[],
  raw: string,
  dialect: CsvDialect,
  nullValues: ReadonlySet<string>,
): Field[] {
  const values: Field[] = record;
  let quoted: boolean[] | undefined;
  for (let i = 0; i < record.length; i++) {
    const value = record[i]!;
    if (value === '') {
      quoted ??= quotedFields(raw, dialect);
      if (quoted[i] !== true) values[i] = null;
    } else if (nullValues.size > 0 && nullValues.has(value)) values[i] = null;
  }
  return values;
}

/** Which fields of a raw record (one csv-parse has read without error) open with a quote. */
function quotedFields(raw: string, dialect: CsvDialect): boolean[] {
  const { delimiter, quote, escape: escapeChar } = dialect;
  const quoted: boolean[] = [];
  let at = 0;
  for (;;) {
    const opens = raw[at] === quote;
    quoted.push(opens);
    if (opens) {
      // to the closing quote, over escaped quotes (`""` when the escape is the quote itself)
      for (at++; at < raw.length; at++) {
        const char = raw[at];
        if (char === escapeChar && (raw[at + 1] === quote || raw[at + 1] === escapeChar)) at++;
        else if (char === quote) break;
      }
    }
    const next = raw.indexOf(delimiter, at);
    if (next === -1) return quoted;
    at = next + 1;
  }
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

function typed(field: Field, kind: ColumnKind): unknown {
  if (field === null || kind === 'text') return field;
  const value = typedField(field);
  return kind === 'float' ? asFloat(value) : value;
}

/**
 * A field typed as text reads: integers exact (bigint past 2^53, text past int64; leading zeros
 * keep a code such as `01234` text), `1.0` a float. Quoting does not make a number text, as some
 * writers quote every field.
 */
function typedField(value: string): unknown {
  if (value === '') return value;
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

function columnKinds(width: number, sample: readonly Row[]): ColumnKind[] {
  const kinds = new Array<ColumnKind>(width).fill('typed');
  for (const { values } of sample)
    for (let i = 0; i < width; i++) {
      const field = values[i] ?? null;
      // an empty string beside numbers is not what makes a column text
      if (field === null || field === '' || kinds[i] === 'text') continue;
      const value = typedField(field);
      if (typeof value === 'string') kinds[i] = 'text';
      else if (value instanceof JsonFloat || (typeof value === 'number' && !Number.isInteger(value)))
        kinds[i] = 'float';
    }
  return kinds;
}

/** An integer in a column of floats is a float too. */
function asFloat(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value)) return new JsonFloat(value);
  if (typeof value === 'bigint') return new JsonFloat(Number(value));
  return value;
}
