import { relative, sep } from 'node:path';
import {
  droppedResourceForKey,
  type PipelineConfig,
  type ResourceConfig,
  resourceHints,
} from '../config/pipelines.js';
import type { ResourceInput } from '../pipeline/extract.js';
import { dropReadOptions } from '../pipeline/extract-drops.js';
import { SourceError } from '../sources/source-error.js';

/**
 * The resources of `sluice drop`: local files taken as the inbox takes objects. A file's path from
 * the working folder is its key, so `inbox/orders/a.jsonl` loads with the resource whose drop
 * prefix is `inbox/orders/`: its table, hints, contract and reading options. With `resourceName`
 * every file loads with that resource, wherever it lies.
 */
export function dropResources(
  pipeline: PipelineConfig,
  files: readonly string[],
  resourceName?: string,
  cwd = process.cwd(),
): ResourceInput[] {
  const named = resourceName === undefined ? undefined : droppedResource(pipeline, resourceName);
  const byResource = new Map<ResourceConfig, string[]>();
  for (const file of files) {
    const resource = named ?? droppedResourceForKey(pipeline, relative(cwd, file).split(sep).join('/'));
    if (resource === undefined) {
      const prefixes = pipeline.resources.flatMap((r) => r.drop?.prefix ?? []).join(', ') || 'none';
      throw new SourceError(
        file,
        `not under a drop prefix of pipeline ${pipeline.name} (${prefixes}); name its resource with --resource`,
      );
    }
    byResource.set(resource, [...(byResource.get(resource) ?? []), file]);
  }
  return pipeline.resources.flatMap((resource) => {
    const resourceFiles = byResource.get(resource);
    if (resourceFiles === undefined) return [];
    return [{ hints: resourceHints(resource), read: dropReadOptions(resource.drop), files: resourceFiles }];
  });
}

function droppedResource(pipeline: PipelineConfig, name: string): ResourceConfig {
  const resource = pipeline.resources.find((r) => r.name === name);
  if (resource === undefined) {
    const names = pipeline.resources.map((r) => r.name).join(', ');
    throw new Error(`pipeline ${pipeline.name} has no resource named '${name}' (it has ${names})`);
  }
  if (resource.source !== undefined)
    throw new Error(
      `resource ${name} of pipeline ${pipeline.name} is pulled from its source: use sluice pull`,
    );
  return resource;
}
