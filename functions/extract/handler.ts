import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import {
  type PipelineConfig,
  pipelineNamed,
  resourceForKey,
  resourceHints,
  type SluiceConfig,
} from '../../shared/config/pipelines.js';
import type { SecretResolver } from '../../shared/config/secret-values.js';
import { databricksCapabilities } from '../../shared/destinations/databricks/databricks-capabilities.js';
import type { ReusableDestination } from '../../shared/destinations/reusable-destination.js';
import { recordStageMetrics } from '../../shared/observability/stage-metrics.js';
import { packagePrefix } from '../../shared/package/layout.js';
import { hasStage } from '../../shared/package/markers.js';
import { type DroppedObject, extractDrops } from '../../shared/pipeline/extract-drops.js';
import { extractWithState } from '../../shared/pipeline/extract-with-state.js';
import { restoreFromDestination } from '../../shared/pipeline/restore.js';
import { type PipelineState, readState } from '../../shared/pipeline/state.js';
import type { PackageQueue } from '../../shared/queues/package-queue.js';
import { planPull } from '../../shared/sources/pull.js';
import { openS3Object, s3ObjectRanges } from '../../shared/sources/s3-objects.js';
import type { FileStorage } from '../../shared/storage/file-storage.js';
import { type DropPackage, dropPackages } from './drop-packages.js';
import {
  type DirectInvocation,
  decodeS3Key,
  directInvocationSchema,
  type S3Notification,
  s3NotificationSchema,
  scheduledEventSchema,
  sqsEventSchema,
} from './events.js';

// the deployed stages load into Databricks: the state names it (and the S3 staging) as dlt does
const STATE_DESTINATION = databricksCapabilities.stateNames;

export interface ExtractDependencies {
  config: SluiceConfig;
  /** Where packages are written (the staging bucket). */
  storage: FileStorage;
  /** Reads dropped objects from the inbox bucket. */
  s3: S3Client;
  normalizeQueue: PackageQueue;
  /** Resolves the secrets a pulled source's authentication names. */
  secrets: SecretResolver;
  /**
   * The destination, asked for a pipeline's state and schemas when the bucket holds none (a new
   * staging bucket over a dataset loaded before), so pulls go on from their cursors.
   */
  destination?: Pick<ReusableDestination, 'use'>;
  logger: Logger;
  metrics: Metrics;
}

export interface ExtractReply {
  pipeline: string;
  loadIds: string[];
  items: number;
}

/**
 * The extract stage's Lambda entry. Three event shapes: S3 notifications delivered by SQS (each
 * batch becomes one package per pipeline, partial failures reported per message), EventBridge
 * schedules and direct invocations.
 */
export function createExtractHandler(deps: ExtractDependencies) {
  return async (event: unknown, context: Context): Promise<SQSBatchResponse | ExtractReply> => {
    const deadline = Date.now() + context.getRemainingTimeInMillis();
    const sqs = sqsEventSchema.safeParse(event);
    if (sqs.success) return await extractDropBatch(deps, sqs.data.Records, deadline);
    const scheduled = scheduledEventSchema.safeParse(event);
    if (scheduled.success) {
      const pipeline = pipelineNamed(deps.config, scheduled.data.detail.pipeline);
      // one package per firing: a redelivered event finds its package extracted already
      const loadId = `${Math.floor(Date.parse(scheduled.data.time) / 1000)}.000000`;
      return await extractDirect(deps, pipeline, undefined, loadId, {
        kind: 'schedule',
        detail: scheduled.data.time,
      });
    }
    const direct = directInvocationSchema.safeParse(event);
    if (direct.success) {
      const pipeline = pipelineNamed(deps.config, direct.data.pipeline);
      if (direct.data.objects !== undefined)
        return await extractObjects(deps, pipeline, direct.data, deadline);
      return await extractDirect(deps, pipeline, direct.data.items, undefined, { kind: 'direct' });
    }
    throw new Error(
      `unrecognised event: expected an SQS batch of S3 notifications, a scheduled event or {"pipeline": ...}: ${direct.error.issues[0]?.message}`,
    );
  };
}

/** Groups a batch's drops by pipeline; a pipeline whose package fails fails only its own messages. */
async function extractDropBatch(
  deps: ExtractDependencies,
  records: { messageId: string; body: string }[],
  deadline: number,
): Promise<SQSBatchResponse> {
  const failed = new Set<string>();
  const groups = new Map<string, DropPackage & { sizes: number[] }>();
  for (const record of records) {
    let notification: S3Notification;
    try {
      notification = s3NotificationSchema.parse(JSON.parse(record.body));
    } catch (error) {
      deps.logger.error('message is not an S3 event notification', { messageId: record.messageId, error });
      failed.add(record.messageId);
      continue;
    }
    if (!('Records' in notification)) continue;
    for (const entry of notification.Records) {
      if (!entry.eventName.startsWith('ObjectCreated:')) continue;
      const key = decodeS3Key(entry.s3.object.key);
      const match = resourceForKey(deps.config, key);
      if (match === undefined) {
        deps.logger.warn('dropped object matches no resource; ignored', {
          bucket: entry.s3.bucket.name,
          key,
        });
        continue;
      }
      const group = groups.get(match.pipeline.name) ?? {
        pipeline: match.pipeline,
        objects: [],
        messages: [],
        sizes: [],
      };
      groups.set(match.pipeline.name, group);
      group.objects.push({
        bucket: entry.s3.bucket.name,
        key,
        etag: entry.s3.object.eTag ?? '',
        ...(entry.s3.object.versionId && { versionId: entry.s3.object.versionId }),
        resource: match.resource.name,
      });
      group.messages.push(record.messageId);
      group.sizes.push(entry.s3.object.size ?? 0);
    }
  }
  const attempt = randomUUID();
  const maxBytes = deps.config.packageMaxMiB * 1024 * 1024;
  const packages = [...groups.values()].flatMap((group) => dropPackages(group, maxBytes));
  for (const { pipeline, objects, messages } of packages) {
    try {
      await extractObjectList(deps, pipeline, objects, deadline, attempt);
    } catch (error) {
      deps.logger.error('extract failed', { pipeline: pipeline.name, objects: objects.length, error });
      // one bad object must not fail the whole batch: each message then goes into its own package
      const byMessage = [...new Set(messages)];
      if (byMessage.length === 1) {
        failed.add(byMessage[0]!);
        continue;
      }
      for (const id of byMessage) {
        const own = objects.filter((_, i) => messages[i] === id);
        try {
          await extractObjectList(deps, pipeline, own, deadline, attempt);
        } catch (single) {
          deps.logger.error('extract failed', { pipeline: pipeline.name, messageId: id, error: single });
          failed.add(id);
        }
      }
    }
  }
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

async function extractObjects(
  deps: ExtractDependencies,
  pipeline: PipelineConfig,
  invocation: DirectInvocation,
  deadline: number,
): Promise<ExtractReply> {
  const objects: DroppedObject[] = [];
  for (const { bucket, key } of invocation.objects ?? []) {
    const match = resourceForKey(deps.config, key);
    if (match === undefined || match.pipeline !== pipeline)
      throw new Error(`s3://${bucket}/${key} is under no drop prefix of pipeline ${pipeline.name}`);
    const head = await deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    objects.push({ bucket, key, etag: (head.ETag ?? '').replaceAll('"', ''), resource: match.resource.name });
  }
  return extractObjectList(deps, pipeline, objects, deadline);
}

async function extractObjectList(
  deps: ExtractDependencies,
  pipeline: PipelineConfig,
  objects: DroppedObject[],
  deadline: number,
  attempt?: string,
): Promise<ExtractReply> {
  const started = performance.now();
  await stateOrRestored(deps, pipeline);
  const result = await extractDrops({
    storage: deps.storage,
    pipeline,
    objects,
    deadline,
    ...(attempt && { attempt }),
    destination: STATE_DESTINATION,
    open: (object) => openS3Object(deps.s3, object),
    ranges: (object) => s3ObjectRanges(deps.s3, object),
  });
  await announce(deps, pipeline, result.loadIds);
  if (result.loadId !== undefined) {
    deps.logger.info('extracted dropped objects', {
      pipeline: pipeline.name,
      loadId: result.loadId,
      items: result.items,
    });
    recordStageMetrics(deps.metrics, 'extract', pipeline.name, {
      items: result.items,
      seconds: (performance.now() - started) / 1000,
    });
  }
  return { pipeline: pipeline.name, loadIds: result.loadIds, items: result.items };
}

/** Items handed in, or (without items) a pull of the pipeline's sources, into one package. */
async function extractDirect(
  deps: ExtractDependencies,
  pipeline: PipelineConfig,
  items: Record<string, unknown[]> | undefined,
  loadId: string | undefined,
  trigger: { kind: 'schedule' | 'direct'; detail?: string },
): Promise<ExtractReply> {
  const started = performance.now();
  // a redelivered schedule finds its package extracted: no need to reach the sources again
  const extracted =
    loadId !== undefined && (await hasStage(deps.storage, packagePrefix(pipeline.name, loadId), 'extracted'));
  const state = extracted ? undefined : await stateOrRestored(deps, pipeline);
  const pull =
    items === undefined && !extracted
      ? await planPull(pipeline, state?.sources ?? {}, deps.secrets)
      : undefined;
  const resources =
    pull?.resources ??
    Object.entries(items ?? {}).map(([name, list]) => {
      const config = pipeline.resources.find((r) => r.name === name);
      if (config === undefined) throw new Error(`pipeline ${pipeline.name} has no resource named '${name}'`);
      return { hints: resourceHints(config), items: list };
    });
  if (resources.length === 0 && !extracted)
    throw new Error(
      `pipeline ${pipeline.name} has no source to pull; hand items in or drop files under its prefixes`,
    );
  const result = await extractWithState({
    storage: deps.storage,
    pipeline: pipeline.name,
    dataset: pipeline.dataset,
    resources,
    trigger,
    destination: STATE_DESTINATION,
    ...(pull && { sources: pull.sources }),
    ...(loadId && { loadId }),
  });
  await announce(deps, pipeline, [result.loadId]);
  deps.logger.info(result.skipped ? 'package was extracted already; handed on again' : 'extracted', {
    pipeline: pipeline.name,
    loadId: result.loadId,
    items: result.items,
  });
  if (!result.skipped) {
    recordStageMetrics(deps.metrics, 'extract', pipeline.name, {
      items: result.items,
      seconds: (performance.now() - started) / 1000,
    });
  }
  return { pipeline: pipeline.name, loadIds: [result.loadId], items: result.items };
}

async function announce(
  deps: ExtractDependencies,
  pipeline: PipelineConfig,
  loadIds: string[],
): Promise<void> {
  for (const loadId of loadIds)
    await deps.normalizeQueue.send({ pipeline: pipeline.name, dataset: pipeline.dataset, loadId });
}

/**
 * The pipeline's state in the bucket. A pipeline without one takes its state and schemas from its
 * dataset first, as dlt does on a new machine; only then: the bucket's state is the pipeline's,
 * and a new pipeline asks once per extract until its first load.
 */
async function stateOrRestored(
  deps: ExtractDependencies,
  pipeline: PipelineConfig,
): Promise<PipelineState | undefined> {
  const { state } = await readState(deps.storage, pipeline.name);
  if (state !== undefined || deps.destination === undefined) return state;
  const restored = await deps.destination.use((destination) =>
    restoreFromDestination({
      storage: deps.storage,
      pipeline: pipeline.name,
      dataset: pipeline.dataset,
      destination,
    }),
  );
  if (restored.stateVersion !== undefined || restored.schemas.length > 0)
    deps.logger.info('restored the pipeline from its dataset', { pipeline: pipeline.name, ...restored });
  return restored.stateVersion === undefined
    ? undefined
    : (await readState(deps.storage, pipeline.name)).state;
}
