import type { PipelineConfig } from '../../shared/config/pipelines.js';
import type { DroppedObject } from '../../shared/pipeline/extract-drops.js';

/** A pipeline's drops of one batch that go into one package, with the message each came in. */
export interface DropPackage {
  pipeline: PipelineConfig;
  objects: DroppedObject[];
  /** The message of each object, by position. */
  messages: string[];
}

/**
 * Cuts a pipeline's drops into packages of at most `maxBytes` (the objects' sizes in the bucket,
 * as their events give them), in the order they came; an object larger than that is a package of
 * its own. A package must normalize within the function's time, so a batch of large drops is
 * not one package however many arrive together.
 */
export function dropPackages(
  drops: DropPackage & { sizes: readonly number[] },
  maxBytes: number,
): DropPackage[] {
  const packages: DropPackage[] = [];
  let current: DropPackage | undefined;
  let bytes = 0;
  drops.objects.forEach((object, i) => {
    const size = drops.sizes[i] ?? 0;
    if (current === undefined || (bytes + size > maxBytes && current.objects.length > 0)) {
      current = { pipeline: drops.pipeline, objects: [], messages: [] };
      packages.push(current);
      bytes = 0;
    }
    current.objects.push(object);
    current.messages.push(drops.messages[i]!);
    bytes += size;
  });
  return packages;
}
