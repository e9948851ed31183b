import type { FileStorage } from '../storage/file-storage.js';
import { packageKeys, type Stage } from './layout.js';

/**
 * Marks a package as having reached a stage. The marker is created only if absent, so of two
 * deliveries of the same message exactly one sees `true` and carries the transition forward.
 */
export async function markStage(
  storage: FileStorage,
  pkg: string,
  stage: Stage,
  detail: object = {},
): Promise<boolean> {
  return storage.putIfAbsent(
    packageKeys.stage(pkg, stage),
    JSON.stringify({ at: new Date().toISOString(), ...detail }),
  );
}

export async function hasStage(storage: FileStorage, pkg: string, stage: Stage): Promise<boolean> {
  return (await storage.get(packageKeys.stage(pkg, stage))) !== undefined;
}

/**
 * Records why a package was given up (its message is on its last delivery before the dead-letter
 * queue). Best effort: the failure that led here is what the caller reports.
 */
export async function markFailed(
  storage: FileStorage,
  pkg: string,
  stage: 'normalize' | 'load',
  error: unknown,
): Promise<void> {
  const reason = error instanceof Error ? error.message : String(error);
  await markStage(storage, pkg, 'failed', { stage, error: reason }).catch(() => false);
}
