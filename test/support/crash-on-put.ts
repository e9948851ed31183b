/**
 * Preloaded into a handler process to kill it (SIGKILL, no clean-up runs) at an exact point:
 * just before (SLUICE_CRASH_BEFORE_PUT) or just after (SLUICE_CRASH_AFTER_PUT) it writes an S3
 * object whose key matches the pattern. This is how a test stops a stage half-way for certain.
 */
import { S3Client } from '@aws-sdk/client-s3';

const before = process.env.SLUICE_CRASH_BEFORE_PUT
  ? new RegExp(process.env.SLUICE_CRASH_BEFORE_PUT)
  : undefined;
const after = process.env.SLUICE_CRASH_AFTER_PUT ? new RegExp(process.env.SLUICE_CRASH_AFTER_PUT) : undefined;
const WRITES = new Set(['PutObjectCommand', 'CompleteMultipartUploadCommand']);

const send = S3Client.prototype.send;
S3Client.prototype.send = async function (
  this: S3Client,
  command: { input: { Key?: string } },
  ...rest: never[]
) {
  const key = WRITES.has(command.constructor.name) ? command.input.Key : undefined;
  if (key !== undefined && before?.test(key)) process.kill(process.pid, 'SIGKILL');
  const result = await (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  if (key !== undefined && after?.test(key)) process.kill(process.pid, 'SIGKILL');
  return result;
} as typeof send;
