import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * The project's Python tooling environment with the warehouse and moto requirements, installed
 * on first use by tooling/python-env.sh. Fails with a clear message when Java or Python is missing.
 */
export async function warehousePython(): Promise<string> {
  await exec('java', ['-version']).catch(() => {
    throw new Error(
      'the local Databricks warehouse needs Java 17 (for Spark) on PATH; install a JDK 17 and retry',
    );
  });
  await exec('python3', ['--version']).catch(() => {
    throw new Error(
      'the local test stack needs Python 3.10+ as python3 on PATH (for Spark, Delta Lake and moto)',
    );
  });
  return toolingPython('requirements-warehouse.txt');
}

/** The project's Python tooling environment with one of tooling/'s requirements files installed. */
export async function toolingPython(requirements: string): Promise<string> {
  const { stdout } = await exec(
    'bash',
    [join(repoRoot, 'tooling', 'python-env.sh'), join(repoRoot, 'tooling', requirements)],
    { maxBuffer: 1 << 24 },
  );
  return stdout.trim().split('\n').pop()!;
}
