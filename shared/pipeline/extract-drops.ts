import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { type PipelineConfig, type ResourceConfig, resourceHints } from '../config/pipelines.js';
import type { StateDestination } from '../destinations/destination.js';
import { packagePrefix, pipelineKeys } from '../package/layout.js';
import { hasStage } from '../package/markers.js';
import type { ByteRanges } from '../sources/byte-ranges.js';
import type { FileStorage } from '../storage/file-storage.js';
import { type ResourceInput, reserveLoadId } from './extract.js';
import { extractWithState } from './extract-with-state.js';

/** An object created in the inbox, as its event names it. */
export interface DroppedObject {
  bucket: string;
  key: string;
  etag: string;
  versionId?: string;
  resource: string;
}

export interface ExtractDropsOptions {
  storage: FileStorage;
  pipeline: PipelineConfig;
  objects: DroppedObject[];
  open(object: DroppedObject): Promise<Readable>;
  /** Random access to an object (ranged GETs), which Parquet drops are read by; else they are spooled. */
  ranges?(object: DroppedObject): Promise<ByteRanges>;
  /** When this attempt is certainly over (the Lambda's timeout); its claims may be taken over after. */
  deadline: number;
  /** Identifies this invocation: its own claims from a failed try may be taken again at once. */
  attempt?: string;
  now?: () => number;
  /** The destination the package loads into, named in the state as dlt names it. */
  destination?: StateDestination;
}

export interface ExtractDropsResult {
  /** Packages to hand to normalize: the new one, and earlier ones that hold some of these objects. */
  loadIds: string[];
  /** The package this call extracted, if any object was new. */
  loadId?: string;
  items: number;
}

/** Another attempt holds a claim and may still finish; the caller retries later. */
export class ClaimBusyError extends Error {
  override name = 'ClaimBusyError';
}

const claimSchema = z.object({ loadId: z.string(), deadline: z.number(), attempt: z.string().optional() });

/**
 * Extracts dropped objects into one package, each object exactly once. An object is claimed for
 * a package (keyed by bucket, key and ETag) before it is read; an object already claimed by an
 * extracted package is not read again, that package is handed on again instead (its message may
 * have been lost with the attempt that made it). A claim of an attempt that died before marking
 * its package extracted is taken over once that attempt's deadline has passed, or at once by the
 * same attempt (which retries a failed batch one message at a time).
 */
export async function extractDrops(options: ExtractDropsOptions): Promise<ExtractDropsResult> {
  const { storage, pipeline } = options;
  const now = options.now ?? Date.now;
  const loadId = await reserveLoadId(storage, pipeline.name, now);
  const claim = JSON.stringify({ loadId, deadline: options.deadline, attempt: options.attempt });
  const claimed: DroppedObject[] = [];
  const earlier = new Set<string>();
  const seen = new Set<string>();
  for (const object of options.objects) {
    const key = pipelineKeys.dropClaim(pipeline.name, claimId(object));
    if (seen.has(key)) continue;
    seen.add(key);
    if (await storage.putIfAbsent(key, claim)) {
      claimed.push(object);
      continue;
    }
    const stored = await storage.get(key);
    const holder = claimSchema.parse(JSON.parse(stored!.body.toString('utf8')));
    if (await hasStage(storage, packagePrefix(pipeline.name, holder.loadId), 'extracted')) {
      earlier.add(holder.loadId);
    } else if (
      (now() <= holder.deadline && (options.attempt === undefined || holder.attempt !== options.attempt)) ||
      !(await storage.putIfMatch(key, claim, stored!.etag))
    ) {
      throw new ClaimBusyError(
        `s3://${object.bucket}/${object.key} is being extracted by another attempt (package ${holder.loadId}); retry later`,
      );
    } else {
      claimed.push(object);
    }
  }
  if (claimed.length === 0) return { loadIds: [...earlier], items: 0 };
  const result = await extractWithState({
    storage,
    pipeline: pipeline.name,
    dataset: pipeline.dataset,
    loadId,
    resources: resourcesOf(pipeline, claimed, options),
    trigger: { kind: 's3', detail: `${claimed.length} object(s) from s3://${claimed[0]!.bucket}` },
    ...(options.destination && { destination: options.destination }),
  });
  return { loadIds: [...earlier, loadId], loadId, items: result.items };
}

function claimId(object: DroppedObject): string {
  return createHash('sha256').update(`${object.bucket}\n${object.key}\n${object.etag}`).digest('hex');
}

/** How the files dropped for a resource are read: its JSON path, CSV dialect and text encoding. */
export function dropReadOptions(drop: ResourceConfig['drop']): ResourceInput['read'] {
  return {
    ...(drop?.jsonPath && { jsonPath: drop.jsonPath }),
    ...(drop?.csv && { csv: drop.csv }),
    ...(drop?.encoding && { encoding: drop.encoding }),
  };
}

function resourcesOf(
  pipeline: PipelineConfig,
  objects: DroppedObject[],
  { open, ranges }: Pick<ExtractDropsOptions, 'open' | 'ranges'>,
): ResourceInput[] {
  return pipeline.resources
    .map((config) => {
      const { drop } = config;
      const mine = objects.filter((object) => object.resource === config.name);
      return {
        hints: resourceHints(config),
        read: dropReadOptions(drop),
        objects: mine.map((object) => ({
          name: `s3://${object.bucket}/${object.key}`,
          open: () => open(object),
          ...(ranges && { ranges: () => ranges(object) }),
        })),
      };
    })
    .filter((resource) => resource.objects.length > 0);
}
