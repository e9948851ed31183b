import { packagePrefix, pipelineKeys, STAGES, type Stage } from '../package/layout.js';
import { markStage } from '../package/markers.js';
import type { FileStorage } from '../storage/file-storage.js';

const STAGE_KEY = /\/packages\/([^/]+)\/_stage\/([^/]+)$/;

/**
 * The pipeline's packages that an earlier run extracted completely but neither loaded nor gave up
 * on (a run killed half-way), oldest first. A package whose extract was cut short has no
 * `extracted` marker and is not one of them: its items may be incomplete.
 */
export async function pendingPackages(storage: FileStorage, pipeline: string): Promise<string[]> {
  const stages = new Map<string, Set<Stage>>();
  for (const { key } of await storage.list(pipelineKeys.packages(pipeline))) {
    const match = STAGE_KEY.exec(key);
    const stage = STAGES.find((s) => s === match?.[2]);
    if (match === null || stage === undefined) continue;
    const reached = stages.get(match[1]!) ?? new Set<Stage>();
    stages.set(match[1]!, reached.add(stage));
  }
  return [...stages]
    .filter(([, reached]) => reached.has('extracted') && !reached.has('loaded') && !reached.has('failed'))
    .map(([loadId]) => loadId)
    .sort();
}

/**
 * dlt's drop-pending-packages: the pending packages are given up (marked failed, with the reason,
 * and kept for the record), so no later run loads them. Returns their load ids.
 */
export async function dropPendingPackages(storage: FileStorage, pipeline: string): Promise<string[]> {
  const pending = await pendingPackages(storage, pipeline);
  for (const loadId of pending)
    await markStage(storage, packagePrefix(pipeline, loadId), 'failed', {
      error: 'dropped as pending (sluice drop-pending-packages)',
    });
  return pending;
}
