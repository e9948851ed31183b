import { describe, expect, it } from 'vitest';
import { dropPackages } from '../../functions/extract/drop-packages.js';
import { parseSluiceConfig } from '../../shared/config/pipelines.js';

describe('drops cut into packages', () => {
  it('fills each package up to the limit in order; a larger object goes alone', () => {
    const [pipeline] = parseSluiceConfig({
      pipelines: [{ name: 'p', dataset: 'd', resources: [{ name: 'r', drop: { prefix: 'in/' } }] }],
    }).pipelines;
    const sizes = [200, 10, 10, 90, 500, 5];
    const objects = sizes.map((_, i) => ({ bucket: 'b', key: `in/${i}`, etag: `e${i}`, resource: 'r' }));
    const messages = sizes.map((_, i) => `m${i % 4}`);
    const packages = dropPackages({ pipeline: pipeline!, objects, messages, sizes }, 100);
    expect(packages.map((p) => p.objects.map((o) => o.key))).toEqual([
      ['in/0'],
      ['in/1', 'in/2'],
      ['in/3'],
      ['in/4'],
      ['in/5'],
    ]);
    // each object keeps the message it came in
    expect(packages.flatMap((p) => p.messages)).toEqual(messages);
  });
});
