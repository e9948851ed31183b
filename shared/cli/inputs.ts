import { stat } from 'node:fs/promises';
import { basename, relative, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { detectFormat } from '../sources/file-formats.js';
import { SourceError } from '../sources/source-error.js';

/**
 * Expands the CLI's inputs (files, folders, globs) into files, sorted. A folder contributes
 * every file under it of a known format (`DATA.CSV` as exported on Windows as much as
 * `data.csv`), and names the others to `onSkipped`; a named file must exist and have a known format.
 */
export async function expandInputs(
  inputs: readonly string[],
  onSkipped?: (folder: string, files: string[]) => void,
): Promise<string[]> {
  const files = new Set<string>();
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (info?.isDirectory()) {
      const skipped: string[] = [];
      for (const file of await glob('**/*', { cwd: input, absolute: true }))
        if (hasKnownFormat(file)) files.add(file);
        else skipped.push(relative(input, file));
      if (skipped.length > 0) onSkipped?.(input, skipped.sort());
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

function hasKnownFormat(file: string): boolean {
  try {
    detectFormat(file);
    return true;
  } catch {
    return false;
  }
}
