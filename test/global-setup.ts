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
  const started = Date.now();
  const { info, stop } = await startLocalStack();
  console.log(
    `local stack ready in ${((Date.now() - started) / 1000).toFixed(1)}s (Spark start-up ${info.sparkStartupSeconds}s)`,
  );
  project.provide('localStack', info);
  return async () => {
    await stop();
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
