import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { ReusableDestination } from '../../shared/destinations/reusable-destination.js';
import { recordStageMetrics } from '../../shared/observability/stage-metrics.js';
import { packagePrefix } from '../../shared/package/layout.js';
import { markFailed } from '../../shared/package/markers.js';
import { parsePackageMessage } from '../../shared/package/package-message.js';
import { load } from '../../shared/pipeline/load.js';
import type { FileStorage } from '../../shared/storage/file-storage.js';

export interface LoadDependencies {
  storage: FileStorage;
  /** The destination connection, kept across warm invocations. */
  destination: ReusableDestination;
  maxReceiveCount: number;
  logger: Logger;
  metrics: Metrics;
}

/**
 * The load stage's Lambda entry on the FIFO load queue: packages of one dataset load in order;
 * after a failure the rest of that dataset's messages wait, other datasets go on.
 */
export function createLoadHandler(deps: LoadDependencies) {
  const processor = new SqsFifoPartialProcessorAsync();
  const loadOne = async (record: SQSRecord): Promise<void> => {
    const message = parsePackageMessage(record.body);
    // a child logger per package: records of one batch must not share keys
    const log = deps.logger.createChild({
      persistentKeys: { pipeline: message.pipeline, loadId: message.loadId },
    });
    const started = performance.now();
    try {
      const outcome = await deps.destination.use((destination) =>
        load({ storage: deps.storage, pipeline: message.pipeline, loadId: message.loadId, destination }),
      );
      log.info(outcome.status === 'loaded' ? 'loaded' : 'package was loaded already', {
        status: outcome.status,
        tables: outcome.tables,
      });
      if (outcome.status === 'loaded' && outcome.jobs !== undefined) {
        recordStageMetrics(deps.metrics, 'load', message.pipeline, {
          seconds: (performance.now() - started) / 1000,
          jobs: outcome.jobs,
        });
      }
    } catch (error) {
      log.error('load failed', { error, receiveCount: record.attributes.ApproximateReceiveCount });
      if (Number(record.attributes.ApproximateReceiveCount) >= deps.maxReceiveCount)
        await markFailed(deps.storage, packagePrefix(message.pipeline, message.loadId), 'load', error);
      throw error;
    }
  };
  return async (event: SQSEvent, context: Context) => {
    return processPartialResponse(event, loadOne, processor, { context, skipGroupOnError: true });
  };
}
