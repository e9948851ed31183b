import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { leakedSecrets } from './support/log-scan.js';
import { type LocalStackInfo, startLocalStack } from './warehouse/local-stack.js';

declare module 'vitest' {
  export interface ProvidedContext {
    localStack: LocalStackInfo;
  }
}

/** Starts moto and the local warehouse once per test run (Spark starts once), for every suite. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // What the run writes to temp folders (the tests', the stack's, and those of the CLI, cdk and
  // Python it starts) goes under one folder removed at the end: set here, before the test workers
  // start, TMPDIR reaches them and the processes they start.
  const runTemp = await mkdtemp(join(tmpdir(), 'sluice-test-run-'));
  // others may pass through, not list: the Postgres server runs as its own user from a folder in it
  await chmod(runTemp, 0o711);
  process.env.TMPDIR = runTemp;
  const started = Date.now();
  const { info, stop } = await startLocalStack().catch(async (error) => {
    await rm(runTemp, { recursive: true, force: true });
    throw error;
  });
  console.log(
    `local stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (Spark start-up ${info.sparkStartupSeconds}s)`,
  );
  project.provide('localStack', info);
  return async () => {
    try {
      await stop();
    } finally {
      await rm(runTemp, { recursive: true, force: true });
    }
    // no secret, token or forwarded key may reach a log line
    const w = info.warehouse;
    const leaks = leakedSecrets([w.accessToken, w.clientSecret, info.aws.secretAccessKey]);
    if (leaks.length > 0)
      throw new Error(
        `secrets found in ${leaks.length} captured log lines, e.g.: ${leaks[0]!.slice(0, 80)}...`,
      );
    console.log('secret scan: no token, client secret or forwarded key in the captured log output');
  };
}
