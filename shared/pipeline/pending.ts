import { pipelineKeys, STAGES, type Stage } from '../package/layout.js';
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
