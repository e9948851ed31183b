import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Jobs } from '../package/jobs.js';

export type StageName = 'extract' | 'normalize' | 'load';

/**
 * Emits a stage's figures in CloudWatch EMF: per pipeline (packages, items, seconds) and per
 * table (rows, files, bytes), the dimensions the stack's dashboard graphs.
 */
export function recordStageMetrics(
  metrics: Metrics,
  stage: StageName,
  pipeline: string,
  figures: { items?: number; seconds: number; jobs?: Jobs },
): void {
  const perPipeline = metrics.singleMetric();
  perPipeline.addDimensions({ stage, pipeline });
  perPipeline.addMetric('Packages', MetricUnit.Count, 1);
  perPipeline.addMetric('Seconds', MetricUnit.Seconds, figures.seconds);
  if (figures.items !== undefined) perPipeline.addMetric('Items', MetricUnit.Count, figures.items);
  for (const [table, entry] of Object.entries(figures.jobs?.tables ?? {})) {
    const perTable = metrics.singleMetric();
    perTable.addDimensions({ stage, pipeline, table });
    perTable.addMetric('Rows', MetricUnit.Count, entry.rows);
    perTable.addMetric('Files', MetricUnit.Count, entry.files.length);
    perTable.addMetric(
      'Bytes',
      MetricUnit.Bytes,
      entry.files.reduce((n, f) => n + f.bytes, 0),
    );
  }
}
