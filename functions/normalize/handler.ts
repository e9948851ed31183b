import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { pipelineNamed, type SluiceConfig } from '../../shared/config/pipelines.js';
import type { DestinationCapabilities } from '../../shared/destinations/destination.js';
import { recordStageMetrics } from '../../shared/observability/stage-metrics.js';
import { packagePrefix } from '../../shared/package/layout.js';
import { markFailed } from '../../shared/package/markers.js';
import { parsePackageMessage } from '../../shared/package/package-message.js';
import { normalize } from '../../shared/pipeline/normalize.js';
import type { PackageQueue } from '../../shared/queues/package-queue.js';
import type { FileStorage } from '../../shared/storage/file-storage.js';
import type { StorageSpec } from '../../shared/storage/storage-spec.js';

export interface NormalizeDependencies {
  config: SluiceConfig;
  storage: FileStorage;
  /** Worker threads for large packages (the function's vCPUs), and how they open `storage`. */
  workers?: { count: number; storage: StorageSpec };
  /** The destination the files are written for: its identifier limit and what it refuses. */
  capabilities: DestinationCapabilities;
  loadQueue: PackageQueue;
  /** The queue's maxReceiveCount: on the last delivery a failing package is marked failed. */
  maxReceiveCount: number;
  logger: Logger;
  metrics: Metrics;
}

/** The normalize stage's Lambda entry: each SQS message names a package; failures are per message. */
export function createNormalizeHandler(deps: NormalizeDependencies) {
  const processor = new BatchProcessor(EventType.SQS);
  const normalizeOne = async (record: SQSRecord): Promise<void> => {
    const message = parsePackageMessage(record.body);
    const pipeline = pipelineNamed(deps.config, message.pipeline);
    // a child logger per package: records of one batch must not share keys
    const log = deps.logger.createChild({
      persistentKeys: { pipeline: message.pipeline, loadId: message.loadId },
    });
    const started = performance.now();
    try {
      const result = await normalize({
        storage: deps.storage,
        pipeline: pipeline.name,
        loadId: message.loadId,
        format: pipeline.format,
        maxIdentifierLength: deps.capabilities.maxIdentifierLength,
        checkColumn: deps.capabilities.refusesColumn,
        timeAsText: deps.capabilities.timeAsTextInParquet ?? false,
        ...(deps.workers && { workers: deps.workers.count, workerStorage: deps.workers.storage }),
      });
      await deps.loadQueue.send(message);
      log.info(result.skipped ? 'package was normalized already; handed on again' : 'normalized', {
        items: result.items,
        tables: Object.keys(result.jobs.tables).length,
      });
      if (!result.skipped) {
        recordStageMetrics(deps.metrics, 'normalize', pipeline.name, {
          items: result.items,
          seconds: (performance.now() - started) / 1000,
          jobs: result.jobs,
        });
      }
    } catch (error) {
      log.error('normalize failed', { error, receiveCount: record.attributes.ApproximateReceiveCount });
      if (Number(record.attributes.ApproximateReceiveCount) >= deps.maxReceiveCount)
        await markFailed(deps.storage, packagePrefix(pipeline.name, message.loadId), 'normalize', error);
      throw error;
    }
  };
  return async (event: SQSEvent, context: Context) => {
    // one package at a time: memory stays that of one package's writers
    return processPartialResponse(event, normalizeOne, processor, {
      context,
      processInParallel: false,
    });
  };
}
