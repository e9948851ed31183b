import { describe, expect, it } from 'vitest';
import { parseSluiceConfig, resourceForKey } from '../../shared/config/pipelines.js';
import shipped from '../../sluice.config.js';

const pipeline = (resources: object[], extra: object = {}) => ({
  pipelines: [{ name: 'shop', dataset: 'shop', resources, ...extra }],
});

describe('the pipeline configuration', () => {
  it('accepts the shipped configuration', () => {
    expect(parseSluiceConfig(shipped).pipelines.map((p) => p.name)).toEqual(['shop']);
  });

  it('names the offending field by its path', () => {
    expect(() =>
      parseSluiceConfig(
        pipeline([{ name: 'orders', writeDisposition: 'upsert', drop: { prefix: 'inbox/o/' } }]),
      ),
    ).toThrow(/pipelines\[0\]\.resources\[0\]\.writeDisposition: /);
    expect(() => parseSluiceConfig(pipeline([{ name: 'orders', drop: { prefix: 'inbox/o' } }]))).toThrow(
      /pipelines\[0\]\.resources\[0\]\.drop\.prefix: a key prefix ends in \//,
    );
    expect(() =>
      parseSluiceConfig({ pipelines: [{ name: 'Shop', dataset: 'shop', resources: [] }] }),
    ).toThrow(/pipelines\[0\]\.name: use lower-case.*pipelines\[0\]\.resources: /);
    expect(() =>
      parseSluiceConfig(pipeline([{ name: 'o', drop: { prefix: 'inbox/o/', encoding: 'klingon' } }])),
    ).toThrow(/resources\[0\]\.drop\.encoding: an encoding such as latin1/);
    expect(() =>
      parseSluiceConfig(
        pipeline([{ name: 'o', columns: { amount: { data_type: 'decimal', precision: 50, scale: 2 } } }]),
      ),
    ).toThrow(/resources\[0\]\.columns\.amount\.precision: a decimal's precision goes up to 38/);
    expect(() =>
      parseSluiceConfig({ pipelines: [{ name: 'shop', dataset: 'shop__eu', resources: [] }] }),
    ).toThrow(/pipelines\[0\]\.dataset: use a name dlt keeps as it is/);
    const cursorNowhere = {
      kind: 'rest_api',
      baseUrl: 'https://api.example.com',
      path: 'items',
      paginator: { type: 'cursor', cursorPath: 'next' },
    };
    expect(() => parseSluiceConfig(pipeline([{ name: 'o', source: cursorNowhere }]))).toThrow(
      /resources\[0\]\.source\.paginator: set cursorParam or cursorBodyPath, one of them/,
    );
    const cursorUnsent = {
      ...cursorNowhere,
      paginator: undefined,
      incremental: { cursorPath: 'at', initialValue: 0 },
    };
    expect(() => parseSluiceConfig(pipeline([{ name: 'o', source: cursorUnsent }]))).toThrow(
      /resources\[0\]\.source\.incremental: an incremental cursor goes somewhere/,
    );
    // a placeholder in the path or a header sends the cursor too
    for (const placed of [
      { path: 'items/since/{incremental.start_value}' },
      { headers: { since: '{incremental.last_value}' } },
    ])
      expect(() =>
        parseSluiceConfig(pipeline([{ name: 'o', source: { ...cursorUnsent, ...placed } }])),
      ).not.toThrow();
    const backfill = (window: object) => ({
      ...cursorUnsent,
      incremental: { cursorPath: 'at', param: 'since', ...window },
    });
    expect(() =>
      parseSluiceConfig(
        pipeline([{ name: 'o', source: backfill({ initialValue: '2026-02-01', endValue: '2026-01-01' }) }]),
      ),
    ).toThrow(/resources\[0\]\.source\.incremental\.endValue: endValue must come after initialValue/);
    expect(() =>
      parseSluiceConfig(pipeline([{ name: 'o', source: backfill({ initialValue: 5, endParam: 'until' }) }])),
    ).toThrow(/resources\[0\]\.source\.incremental\.endParam: endParam sends endValue: set endValue too/);
    const endless = {
      ...cursorUnsent,
      params: { to: '{incremental.end_value}' },
      incremental: { cursorPath: 'at', param: 'since', initialValue: 0 },
    };
    expect(() => parseSluiceConfig(pipeline([{ name: 'o', source: endless }]))).toThrow(
      /resources\[0\]\.source\.incremental: \{incremental\.end_value\} needs incremental\.endValue/,
    );
    const table = { kind: 'postgres', connection: { env: 'PG_URL' }, table: 'orders' };
    expect(() =>
      parseSluiceConfig(
        pipeline([
          {
            name: 'o',
            source: { ...table, incremental: { cursorColumn: 'id', initialValue: 9, endValue: 9 } },
          },
        ]),
      ),
    ).toThrow(/resources\[0\]\.source\.incremental\.endValue: endValue must come after initialValue/);
    expect(() => parseSluiceConfig({ pipelines: [], extra: 1 })).toThrow(
      /\(config\): Unrecognized key.*extra/,
    );
  });

  it('refuses overlapping drop prefixes, twice-declared names and schedules without a pull', () => {
    expect(() =>
      parseSluiceConfig(
        pipeline([
          { name: 'a', drop: { prefix: 'inbox/a/' } },
          { name: 'b', drop: { prefix: 'inbox/a/b/' } },
        ]),
      ),
    ).toThrow(/pipelines\[0\]\.resources\[1\]\.drop\.prefix: 'inbox\/a\/b\/' overlaps 'inbox\/a\/'/);
    expect(() => parseSluiceConfig(pipeline([{ name: 'a' }, { name: 'a' }]))).toThrow(
      /resources\[1\]\.name: 'a' is declared twice/,
    );
    expect(() =>
      parseSluiceConfig(
        pipeline([{ name: 'a', drop: { prefix: 'inbox/a/' } }], {
          schedules: [{ expression: 'rate(1 hour)' }],
        }),
      ),
    ).toThrow(/pipelines\[0\]\.schedules: the pipeline has no resource with a source to pull/);
    expect(() =>
      parseSluiceConfig(pipeline([{ name: 'a' }], { schedules: [{ expression: 'every hour' }] })),
    ).toThrow(/schedules\[0\]\.expression: use rate/);
  });

  it('maps a dropped key to its pipeline and resource', () => {
    const config = parseSluiceConfig(shipped);
    expect(resourceForKey(config, 'inbox/orders/2026/11/a.jsonl')?.resource.name).toBe('orders');
    expect(resourceForKey(config, 'inbox/unknown/a.jsonl')).toBeUndefined();
  });
});
