/**
 * Runs one stage handler in its own process, as a Lambda runtime does, so a test can kill it
 * half-way. Input on stdin: {"stage", "config", "event", "timeoutMs"}; the reply goes to stdout.
 */
import { text } from 'node:stream/consumers';
import { extractHandlerFromEnv } from '../../functions/extract/wiring.js';
import { loadHandlerFromEnv } from '../../functions/load/wiring.js';
import { normalizeHandlerFromEnv } from '../../functions/normalize/wiring.js';
import { parseSluiceConfig } from '../../shared/config/pipelines.js';
import { invocationContext } from './event-source-runner.js';

const input = JSON.parse(await text(process.stdin)) as {
  stage: 'extract' | 'normalize' | 'load';
  config: unknown;
  event: never;
  timeoutMs: number;
};
const config = parseSluiceConfig(input.config);
const handler =
  input.stage === 'extract'
    ? extractHandlerFromEnv(config, process.env)
    : input.stage === 'normalize'
      ? normalizeHandlerFromEnv(config, process.env)
      : loadHandlerFromEnv(process.env);
const reply = await handler(input.event, invocationContext(input.timeoutMs, `sluice-${input.stage}`));
process.stdout.write(`${JSON.stringify(reply)}\n`);
