import type { TestProject } from 'vitest/node';
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
  return stop;
}
