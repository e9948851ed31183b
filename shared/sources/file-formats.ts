import { own } from '../util/own.js';
import { SourceError } from './source-error.js';

export const SOURCE_FORMATS = ['jsonl', 'json', 'csv', 'parquet'] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

const EXTENSIONS: Record<string, SourceFormat> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  json: 'json',
  csv: 'csv',
  // tab-separated: read as CSV split on tabs
  tsv: 'csv',
  parquet: 'parquet',
};

/** The extensions of the formats, for finding input files in a folder. */
export const SOURCE_EXTENSIONS = Object.keys(EXTENSIONS);

/** The format and compression of a file from its name (`data.jsonl.gz`, `x.parquet`). */
export function detectFormat(name: string): { format: SourceFormat; gzip: boolean } {
  const parts = name.toLowerCase().split('/').pop()!.split('.');
  const gzip = parts.at(-1) === 'gz';
  const extension = gzip ? parts.at(-2) : parts.at(-1);
  const format = parts.length > 1 && extension !== undefined ? own(EXTENSIONS, extension) : undefined;
  if (format === undefined) {
    throw new SourceError(
      name,
      `unknown file format (expected one of .jsonl, .ndjson, .json, .csv, .tsv, .parquet, optionally .gz)`,
    );
  }
  if (format === 'parquet' && gzip)
    throw new SourceError(name, 'gzipped Parquet is not supported; Parquet compresses internally');
  return { format, gzip };
}
