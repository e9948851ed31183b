import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh temporary folder, removed when the test that asked for it ends. */
export async function tempDir(prefix = 'sluice-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    onTestFinished(() => rm(dir, { recursive: true, force: true }));
  } catch {
    // asked for outside a test (a beforeAll), where vitest runs no hook registered so late: the
    // folder goes with the run's temp folder at teardown (global-setup.ts)
  }
  return dir;
}
