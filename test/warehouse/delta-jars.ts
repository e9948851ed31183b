import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './python-tooling.js';

const exec = promisify(execFile);

/** The Delta Lake jars the pinned delta-spark needs, as Maven coordinates. */
export const DELTA_ARTIFACTS = [
  'io.delta:delta-spark_2.13:4.0.1',
  'io.delta:delta-storage:4.0.1',
  'org.antlr:antlr4-runtime:4.13.1',
];

/**
 * Fetches the Delta jars with Maven into the tooling folder, for when Spark's own package
 * resolver (Ivy) cannot: Spark then gets them as local jars.
 */
export async function fetchDeltaJarsWithMaven(): Promise<string[]> {
  const dir = join(repoRoot, '.tooling', 'delta-jars');
  await mkdir(dir, { recursive: true });
  for (const artifact of DELTA_ARTIFACTS) {
    await exec('mvn', ['-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${dir}`], {
      maxBuffer: 1 << 24,
    }).catch((error: Error) => {
      throw new Error(`could not fetch ${artifact} with Maven (is mvn installed?): ${error.message}`);
    });
  }
  return (await readdir(dir)).filter((f) => f.endsWith('.jar')).map((f) => join(dir, f));
}
