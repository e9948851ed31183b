import { defineConfig } from 'vitest/config';
import { captureLog } from './test/support/log-scan.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/support/worker-setup.ts'],
    // every console line is kept for the secret scan at teardown and goes on to the output, but
    // the handlers' CloudWatch metric lines (EMF), which would bury a failure in the CI log
    onConsoleLog: (log) => {
      captureLog(log);
      return log.startsWith('{"_aws":') ? false : undefined;
    },
  },
});
