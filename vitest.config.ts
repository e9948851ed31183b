import { defineConfig } from 'vitest/config';
import { captureLog } from './test/support/log-scan.js';

// The machine's Node 20 runs the tests (the Lambdas run Node 24): the AWS SDK's notice about its
// future Node versions would otherwise be printed by each of a dozen test processes. Set here, in
// the main process, it reaches the global setup, the test workers and the processes they start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two test files at a time: on 2 cores vitest would run one (cores - 1), and the suite's
    // time goes mostly to waiting on Spark, moto and dlt's Python, which a second file overlaps
    // (measured: about 10 minutes instead of 15). Files share the local stack, each under names
    // of its own; a test that injects warehouse faults names the statement they are for.
    maxWorkers: 2,
    // the slowest Spark-bound test took 51 s with another file running beside it (45 s alone);
    // the limit is there to end a hang, not to time anything
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/worker-setup.ts'],
    // the failed tests named once more at the very end, where a log shown in part still has them
    reporters: ['default', './test/support/failure-list-reporter.ts'],
    // every console line goes on to the output and is kept for the secret scan at teardown
    onConsoleLog: (log) => {
      captureLog(log);
      return undefined;
    },
  },
});
