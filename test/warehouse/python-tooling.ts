import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * The project's Python tooling environment with the warehouse and moto requirements, installed
 * on first use by tooling/python-env.sh. Fails with a clear message when Java or Python is missing.
 * dlt (for the parity tests) goes in at the same time, before moto and Spark start from this
 * environment, so no install changes packages under a running server.
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
  return toolingPython('requirements-warehouse.txt', 'requirements-bench.txt');
}

/** The project's Python tooling environment with tooling/'s requirements files installed. */
export async function toolingPython(...requirements: string[]): Promise<string> {
  return pythonIn('.venv', requirements);
}

/**
 * dlt with its Databricks destination, in an environment of its own (its s3fs pins a botocore
 * older than moto's boto3 needs), installed on first use.
 */
export async function dltDatabricksPython(): Promise<string> {
  return pythonIn('.venv-dlt-databricks', ['requirements-dlt-databricks.txt']);
}

async function pythonIn(venv: string, requirements: string[]): Promise<string> {
  const files = requirements.map((file) => join(repoRoot, 'tooling', file));
  const { stdout } = await exec('bash', [join(repoRoot, 'tooling', 'python-env.sh'), ...files], {
    maxBuffer: 1 << 24,
    env: { ...process.env, SLUICE_VENV: venv },
  });
  return stdout.trim().split('\n').pop()!;
}
