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
  emit(metrics, { stage, pipeline }, [
    ['Packages', MetricUnit.Count, 1],
    ['Seconds', MetricUnit.Seconds, figures.seconds],
    ...(figures.items === undefined ? [] : [['Items', MetricUnit.Count, figures.items] as const]),
  ]);
  for (const [table, entry] of Object.entries(figures.jobs?.tables ?? {})) {
    emit(metrics, { stage, pipeline, table }, [
      ['Rows', MetricUnit.Count, entry.rows],
      ['Files', MetricUnit.Count, entry.files.length],
      ['Bytes', MetricUnit.Bytes, entry.files.reduce((n, f) => n + f.bytes, 0)],
    ]);
  }
}

type Figure = readonly [string, (typeof MetricUnit)[keyof typeof MetricUnit], number];

/** One EMF record per dimension set: its metrics share exactly these dimensions. */
function emit(metrics: Metrics, dimensions: Record<string, string>, figures: readonly Figure[]): void {
  metrics.addDimensions(dimensions);
  for (const [name, unit, value] of figures) metrics.addMetric(name, unit, value);
  metrics.publishStoredMetrics();
}
