import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import {
  captureLog,
  captureProcessOutput,
  leakedSecrets,
  leaksIn,
  processOutput,
} from '../support/log-scan.js';

describe('the secret scan of captured logs', () => {
  it('flags known secrets and unredacted forwarded keys, and passes redacted SQL', () => {
    captureLog(
      "COPY INTO t FROM 's3://b/p/' WITH (CREDENTIAL (AWS_ACCESS_KEY = '***', AWS_SECRET_KEY = '***', AWS_SESSION_TOKEN = '***'))",
    );
    expect(leakedSecrets(['dapi-not-logged-anywhere'])).toEqual([]);
    // the scan is shared by the whole run in the main process; in a worker it sees this file's lines only
    captureLog("AWS_SECRET_KEY = 'plain'");
    captureLog('token dapi0123456789abcdef in a message');
    expect(leakedSecrets(['dapi0123456789abcdef'])).toHaveLength(2);
  });

  it("sees the handlers' Powertools log lines, which bypass the console vitest watches", () => {
    captureProcessOutput();
    new Logger({ serviceName: 'scan-test' }).error('load failed', { token: 'dapi-fake-log-scan-42' });
    expect(leaksIn(processOutput(), ['dapi-fake-log-scan-42'])).toHaveLength(1);
    expect(leaksIn(processOutput(), ['dapi-never-written-anywhere'])).toEqual([]);
  });
});
