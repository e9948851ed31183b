import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { detectFormat, SOURCE_EXTENSIONS } from '../sources/file-formats.js';
import { SourceError } from '../sources/source-error.js';

// every format, gzipped or not (but Parquet, which compresses inside)
const SUPPORTED = `**/*.{${SOURCE_EXTENSIONS.flatMap((e) => (e === 'parquet' ? [e] : [e, `${e}.gz`])).join(',')}}`;

/**
 * Expands the CLI's inputs (files, folders, globs) into files, sorted. A folder contributes
 * every supported file under it; a named file must exist and have a known format.
 */
export async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      // `DATA.CSV` as exported on Windows is as much an input as `data.csv`
      for (const file of await glob(SUPPORTED, { cwd: input, absolute: true, caseSensitiveMatch: false }))
        files.add(file);
    } else if (info?.isFile()) {
      detectFormat(input);
      files.add(resolve(input));
    } else {
      const matched = await glob(input, { absolute: true });
      if (matched.length === 0) throw new SourceError(input, 'no such file, folder or matching glob');
      for (const file of matched) files.add(file);
    }
  }
  if (files.size === 0) throw new SourceError(inputs.join(' '), 'no input files found');
  return [...files].sort();
}

/** The table a file loads into when no --table is given: its name without extensions. */
export function tableNameOf(file: string): string {
  return basename(file)
    .replace(/\.gz$/i, '')
    .replace(/\.[^.]+$/, '');
}
