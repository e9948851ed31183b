import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const bin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** Runs the `sluice` command as a user does (`npx sluice ...`), resolving with its output. */
export function sluice(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, [bin, ...args]);
}
