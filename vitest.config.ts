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
    // every console line goes on to the output and is kept for the secret scan at teardown
    onConsoleLog: (log) => {
      captureLog(log);
      return undefined;
    },
  },
});
