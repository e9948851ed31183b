import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordStageMetrics } from '../../shared/observability/stage-metrics.js';

afterEach(() => vi.restoreAllMocks());

describe('stage metrics', () => {
  it('are CloudWatch EMF lines with the dimension sets the dashboard searches', () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({ namespace: 'Sluice', serviceName: 'sluice-normalize' });
    recordStageMetrics(metrics, 'normalize', 'shop', {
      items: 3,
      seconds: 1.5,
      jobs: {
        format: 'parquet',
        schemaVersionHash: 'h',
        tables: { orders: { rows: 3, files: [{ key: 'k', rows: 3, bytes: 1200 }] } },
      },
    });
    vi.restoreAllMocks();
    const emf = lines
      .flatMap((l) => l.split('\n'))
      .filter((l) => l.includes('_aws'))
      .map((l) => JSON.parse(l));
    const dimensionSets = emf.map((e) => e._aws.CloudWatchMetrics[0].Dimensions[0].sort().join(','));
    // the dashboard's SEARCH schemas: {Sluice,pipeline,service,stage} and {...,table}
    expect(new Set(dimensionSets)).toEqual(
      new Set(['pipeline,service,stage', 'pipeline,service,stage,table']),
    );
    const byName = Object.fromEntries(
      emf.flatMap((e) =>
        e._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string }) => [m.Name, e[m.Name]]),
      ),
    );
    expect(byName).toMatchObject({ Packages: 1, Items: 3, Seconds: 1.5, Rows: 3, Files: 1, Bytes: 1200 });
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Sluice');
  });
});
