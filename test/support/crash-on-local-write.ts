/**
 * Preloaded into a `sluice` process to kill it (SIGKILL, no clean-up runs) just before
 * (SLUICE_CRASH_BEFORE_PUT) or just after (SLUICE_CRASH_AFTER_PUT) it writes a local storage key
 * matching the pattern: how a test stops a local run half-way for certain.
 */
import { LocalFileStorage } from '../../shared/storage/local-storage.js';

const before = process.env.SLUICE_CRASH_BEFORE_PUT
  ? new RegExp(process.env.SLUICE_CRASH_BEFORE_PUT)
  : undefined;
const after = process.env.SLUICE_CRASH_AFTER_PUT ? new RegExp(process.env.SLUICE_CRASH_AFTER_PUT) : undefined;

for (const method of ['put', 'putIfAbsent', 'putStream'] as const) {
  const write = LocalFileStorage.prototype[method] as (key: string, ...rest: unknown[]) => Promise<unknown>;
  Object.defineProperty(LocalFileStorage.prototype, method, {
    value: async function (this: LocalFileStorage, key: string, ...rest: unknown[]) {
      if (before?.test(key)) process.kill(process.pid, 'SIGKILL');
      const result = await write.call(this, key, ...rest);
      if (after?.test(key)) process.kill(process.pid, 'SIGKILL');
      return result;
    },
  });
}
