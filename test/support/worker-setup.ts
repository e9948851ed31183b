import { afterAll, expect, inject } from 'vitest';
import { captureProcessOutput, leaksIn, processOutput } from './log-scan.js';
import { routeLocalWorkspace } from './workspace-dns.js';

const stack = inject('localStack');

// Test workers are separate processes: each routes the local workspace name to the warehouse.
routeLocalWorkspace(stack.warehouse.host);

// no secret, token or forwarded key may reach what the handlers log (see captureProcessOutput)
captureProcessOutput();
afterAll(() => {
  const secrets = [stack.warehouse.accessToken, stack.warehouse.clientSecret, stack.aws.secretAccessKey];
  const leaks = leaksIn(processOutput(), secrets);
  const shown = (line: string) => secrets.reduce((text, secret) => text.replaceAll(secret, '<secret>'), line);
  expect(leaks.map((line) => shown(line).slice(0, 200))).toEqual([]);
});
