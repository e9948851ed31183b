import { describe, expect, it } from 'vitest';
import { packageKeys, packagePrefix } from '../../shared/package/layout.js';
import { extract } from '../../shared/pipeline/extract.js';
import { load } from '../../shared/pipeline/load.js';
import { normalize } from '../../shared/pipeline/normalize.js';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

describe('stages run twice', () => {
  it('do each piece of work once: normalize skips a normalized package, load skips a committed one', async () => {
    const p = await localPipeline(await tempDir());
    const base = { storage: p.storage, pipeline: 'test_pipeline' };
    const { loadId } = await extract({
      ...base,
      dataset: 'test_data',
      resources: [{ hints: { name: 't' }, items: [{ a: 1, l: [1, 2] }] }],
    });

    const first = await normalize({ ...base, loadId, format: 'parquet' });
    const second = await normalize({ ...base, loadId, format: 'parquet' });
    const loaded = await load({ ...base, loadId, destination: p.destination });
    // a load killed after the commit but before its marker: the retry finds the _dlt_loads row
    await p.storage.delete([packageKeys.stage(packagePrefix('test_pipeline', loadId), 'loaded')]);
    const retried = await load({ ...base, loadId, destination: p.destination });

    expect([first.skipped, second.skipped]).toEqual([false, true]);
    expect(second.jobs).toEqual(first.jobs);
    expect(loaded.status).toBe('loaded');
    expect(retried.status).toBe('already_loaded');
    expect(await p.query('SELECT count(*) AS n FROM test_data.t__l')).toEqual([{ n: '2' }]);
  });

  it('a normalize killed half-way and retried produces one set of files in jobs.json', async () => {
    const p = await localPipeline(await tempDir());
    const base = { storage: p.storage, pipeline: 'test_pipeline' };
    const { loadId } = await extract({
      ...base,
      dataset: 'test_data',
      resources: [{ hints: { name: 't' }, items: [{ a: 1 }, { a: 2 }] }],
    });
    // the first attempt wrote a stray data file and died before jobs.json and its marker
    await p.storage.put(
      `${packageKeys.normalizedPrefix(packagePrefix('test_pipeline', loadId))}t.deadbeef00.parquet`,
      'partial',
    );

    const retry = await normalize({ ...base, loadId, format: 'parquet' });
    await load({ ...base, loadId, destination: p.destination });

    expect(retry.jobs.tables.t?.files).toHaveLength(1);
    expect(await p.query('SELECT a FROM test_data.t ORDER BY a')).toEqual([{ a: '1' }, { a: '2' }]);
  });

  it('shortens long names at the destination limit like dlt', async () => {
    const p = await localPipeline(await tempDir());
    const base = { storage: p.storage, pipeline: 'test_pipeline' };
    const { loadId } = await extract({
      ...base,
      dataset: 'test_data',
      resources: [
        {
          hints: { name: 'verylongtablename' },
          items: [{ children: [{ someVeryLongFieldName: 1, deep: { innerLongName: 2 } }] }],
        },
      ],
    });

    const { jobs } = await normalize({ ...base, loadId, format: 'parquet', maxIdentifierLength: 10 });

    // dlt 1.26.0's relational normalizer with a snake_case max_length of 10 gives these names
    expect(Object.keys(jobs.tables)).toEqual(['ved6biiame', 'ved0gm3qen']);
    const schema = JSON.parse(
      (await p.storage.get('test_pipeline/schemas/test_pipeline.json'))!.body.toString(),
    );
    expect(Object.keys(schema.tables.ved0gm3qen.columns).slice(0, 2)).toEqual(['soithgowme', 'deb3oftgme']);
  });
});
