import { describe, expect, it } from 'vitest';
import { parseManifest } from '../../shared/package/manifest.js';

/** A manifest of one resource with these declared source columns. */
function manifestText(sourceColumns: unknown): string {
  return JSON.stringify({
    pipeline: 'p',
    dataset: 'd',
    schemaName: 'p',
    loadId: '1732190400.123456',
    createdAt: '2024-11-21T12:00:00.000Z',
    trigger: { kind: 'direct' },
    resources: [{ name: 'years', sourceColumns }],
    files: [],
  });
}

describe('manifest', () => {
  it("keeps a source's declared columns in order as [name, hints] pairs, and reads the object packages held before", () => {
    const pairs = [
      ['a', {}],
      ['2024', { data_type: 'date' }],
    ];
    expect(parseManifest(manifestText(pairs), 'k').resources[0]!.sourceColumns).toEqual(pairs);
    // an object lists "2024" first: the order it had is lost, its columns are still read
    expect(
      parseManifest(manifestText({ a: {}, 2024: { data_type: 'date' } }), 'k').resources[0]!.sourceColumns,
    ).toEqual([
      ['2024', { data_type: 'date' }],
      ['a', {}],
    ]);
    expect(() => parseManifest(manifestText([['a', { data_type: 'number' }]]), 'old/manifest.json')).toThrow(
      /invalid manifest old\/manifest.json: resources.0.sourceColumns/,
    );
  });
});
