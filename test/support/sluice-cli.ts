import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const bin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** Runs the `sluice` command as a user does (`npx sluice ...`), resolving with its output. */
export function sluice(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [bin, ...args]);
}

/** `sluice pull` of a configured pipeline into a DuckDB file, keeping its packages in `workdir`. */
export function sluicePull(
  pipeline: string,
  config: string,
  duckdbFile: string,
  workdir: string,
): Promise<{ stdout: string; stderr: string }> {
  return sluice(
    'pull',
    '--pipeline',
    pipeline,
    '--config',
    config,
    '--duckdb-file',
    duckdbFile,
    '--workdir',
    workdir,
  );
}
