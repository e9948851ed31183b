import { describe, expect, it } from 'vitest';
import { loadIdTime } from '../../shared/package/load-id.js';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

async function pipeline() {
  return localPipeline(await tempDir());
}

const rowsOf = async (p: Awaited<ReturnType<typeof pipeline>>, sql: string) =>
  (await p.query(sql)).map((r) => Object.values(r));

describe('write dispositions on DuckDB', () => {
  it('merge delete-insert replaces rows by primary key, with their nested rows, and deduplicates staging', async () => {
    const p = await pipeline();
    const hints = { name: 'docs', writeDisposition: 'merge' as const, primaryKey: ['id'] };
    await p.run(hints, {
      items: [
        { id: 1, v: 'a', tags: ['x', 'y'] },
        { id: 2, v: 'b', tags: ['z'] },
      ],
    });

    await p.run(
      { ...hints, columns: { seq: { dedup_sort: 'desc' } } },
      {
        items: [
          { id: 1, v: 'old', seq: 1, tags: ['q'] },
          { id: 1, v: 'new', seq: 2, tags: ['w'] },
          { id: 3, v: 'c', seq: 1 },
        ],
      },
    );

    expect(await rowsOf(p, 'SELECT id, v FROM test_data.docs ORDER BY id')).toEqual([
      ['1', 'new'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    expect(
      await rowsOf(
        p,
        'SELECT d.id, t.value FROM test_data.docs d JOIN test_data.docs__tags t ON t._dlt_root_id = d._dlt_id ORDER BY 1, 2',
      ),
    ).toEqual([
      ['1', 'w'],
      ['2', 'z'],
    ]);
    expect(await rowsOf(p, 'SELECT count(*) FROM test_data.docs__tags')).toEqual([['2']]);
  });

  it('merge upsert updates matched rows, inserts new ones and replaces nested rows', async () => {
    const p = await pipeline();
    const hints = {
      name: 'acc',
      writeDisposition: 'merge' as const,
      mergeStrategy: 'upsert' as const,
      primaryKey: ['id'],
    };
    await p.run(hints, {
      items: [
        { id: 1, v: 'a', kids: [{ n: 1 }, { n: 2 }] },
        { id: 2, v: 'b' },
      ],
    });

    await p.run(hints, {
      items: [
        { id: 1, v: 'a2', kids: [{ n: 9 }] },
        { id: 3, v: 'c' },
      ],
    });

    expect(await rowsOf(p, 'SELECT id, v FROM test_data.acc ORDER BY id')).toEqual([
      ['1', 'a2'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    expect(await rowsOf(p, 'SELECT n, _dlt_list_idx FROM test_data.acc__kids ORDER BY n')).toEqual([
      ['9', '0'],
    ]);
  });

  it('merge upsert with a hard_delete column deletes flagged rows', async () => {
    const p = await pipeline();
    const hints = {
      name: 'acc',
      writeDisposition: 'merge' as const,
      mergeStrategy: 'upsert' as const,
      primaryKey: ['id'],
      columns: { deleted: { hard_delete: true, data_type: 'bool' as const } },
    };
    await p.run(hints, {
      items: [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
    });

    await p.run(hints, {
      items: [
        { id: 1, deleted: true },
        { id: 3, v: 'c', deleted: false },
        // a delete for a key the table does not hold inserts nothing (dlt's upsert inserts the
        // flagged root row, though it deletes its nested rows)
        { id: 4, v: 'd', deleted: true, kids: [{ n: 1 }] },
      ],
    });

    expect(await rowsOf(p, 'SELECT id FROM test_data.acc ORDER BY id')).toEqual([['2'], ['3']]);
    expect(await rowsOf(p, 'SELECT count(*) FROM test_data.acc__kids')).toEqual([['0']]);
  });

  for (const mergeStrategy of ['upsert', 'insert-only'] as const) {
    it(`merge ${mergeStrategy} refuses a load that holds a primary key twice, changing nothing`, async () => {
      const p = await pipeline();
      const hints = { name: 'acc', writeDisposition: 'merge' as const, mergeStrategy, primaryKey: ['id'] };
      await p.run(hints, { items: [{ id: 1, v: 'a', kids: [{ n: 1 }] }] });

      // which of the two rows (and whose nested rows) would win is undefined: DuckDB applied either
      const twice = p.run(hints, {
        items: [
          { id: 1, v: 'b', kids: [{ n: 2 }] },
          { id: 2, v: 'x' },
          { id: 1, v: 'c', kids: [{ n: 3 }, { n: 4 }] },
        ],
      });

      await expect(twice).rejects.toThrow(
        `table acc: 2 rows of this load have the primary key id = 1; ${mergeStrategy} takes one row per key`,
      );
      expect(await rowsOf(p, 'SELECT id, v FROM test_data.acc')).toEqual([['1', 'a']]);
      expect(await rowsOf(p, 'SELECT n FROM test_data.acc__kids')).toEqual([['1']]);
      expect(await rowsOf(p, 'SELECT count(*) FROM test_data._dlt_loads')).toEqual([['1']]);
    });
  }

  it('merge insert-only keeps existing rows and adds new keys', async () => {
    const p = await pipeline();
    const hints = {
      name: 'log',
      writeDisposition: 'merge' as const,
      mergeStrategy: 'insert-only' as const,
      primaryKey: ['id'],
    };
    await p.run(hints, { items: [{ id: 1, v: 'first' }] });

    await p.run(hints, {
      items: [
        { id: 1, v: 'second' },
        { id: 2, v: 'x' },
      ],
    });

    expect(await rowsOf(p, 'SELECT id, v FROM test_data.log ORDER BY id')).toEqual([
      ['1', 'first'],
      ['2', 'x'],
    ]);
  });

  it('merge scd2 retires changed and missing rows and inserts new versions', async () => {
    const p = await pipeline();
    const hints = { name: 'dim', writeDisposition: 'merge' as const, mergeStrategy: 'scd2' as const };
    const first = await p.run(hints, {
      items: [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
    });

    const second = await p.run(hints, {
      items: [
        { id: 1, v: 'a' },
        { id: 2, v: 'B' },
      ],
    });

    const rows = await p.query(
      'SELECT id, v, epoch_ms(_dlt_valid_from) AS f, epoch_ms(_dlt_valid_to) AS t FROM test_data.dim ORDER BY id, _dlt_valid_from',
    );
    const at = (loadId: string) => String(loadIdTime(loadId).getTime());
    expect(rows.map((r) => [r.id, r.v, r.f, r.t])).toEqual([
      ['1', 'a', at(first.loadId), null],
      ['2', 'b', at(first.loadId), at(second.loadId)],
      ['2', 'B', at(second.loadId), null],
    ]);
  });

  it("merge scd2 with dlt's options: validity column names, an active record timestamp, a fixed boundary", async () => {
    const p = await pipeline();
    const hints = {
      name: 'dim',
      writeDisposition: 'merge' as const,
      mergeStrategy: 'scd2' as const,
      scd2: {
        validityColumnNames: ['ValidFrom', 'valid_until'] as [string, string],
        activeRecordTimestamp: '9999-12-31',
        boundaryTimestamp: '2024-06-01T00:00:00Z',
      },
    };
    await p.run(hints, {
      items: [
        { id: 1, v: 'a' },
        { id: 2, v: 'b' },
      ],
    });
    await p.run(hints, {
      items: [
        { id: 1, v: 'a' },
        { id: 2, v: 'B' },
      ],
    });

    const rows = await p.query(
      "SELECT id, v, strftime(valid_from, '%Y-%m-%d') AS f, strftime(valid_until, '%Y-%m-%d') AS t FROM test_data.dim ORDER BY id, v",
    );
    expect(rows.map((r) => [r.id, r.v, r.f, r.t])).toEqual([
      ['1', 'a', '2024-06-01', '9999-12-31'],
      ['2', 'B', '2024-06-01', '9999-12-31'],
      ['2', 'b', '2024-06-01', '2024-06-01'],
    ]);
    expect(
      await rowsOf(p, "SELECT count(*) FROM information_schema.columns WHERE column_name LIKE '_dlt_valid%'"),
    ).toEqual([['0']]);
  });

  it('merge scd2 keeps one current version of a record staged twice, nested rows included', async () => {
    const p = await pipeline();
    const hints = { name: 'dim', writeDisposition: 'merge' as const, mergeStrategy: 'scd2' as const };
    const same = { id: 1, v: 'a', k: [1, 2] };
    await p.run(hints, { items: [same, same, { id: 2, v: 'b' }] });

    await p.run(hints, { items: [same, { id: 2, v: 'B' }, { id: 2, v: 'B' }] });

    expect(await rowsOf(p, 'SELECT id, v, _dlt_valid_to IS NULL FROM test_data.dim ORDER BY id, v')).toEqual([
      ['1', 'a', true],
      ['2', 'B', true],
      ['2', 'b', false],
    ]);
    expect(await rowsOf(p, 'SELECT value FROM test_data.dim__k ORDER BY value')).toEqual([['1'], ['2']]);
  });

  it.each(['truncate-and-insert', 'insert-from-staging', 'staging-optimized'] as const)(
    'replace with %s leaves only the new rows, nested tables included',
    async (strategy) => {
      const p = await pipeline();
      const hints = { name: 'snap', writeDisposition: 'replace' as const, replaceStrategy: strategy };
      await p.run(hints, {
        items: [
          { id: 1, l: [1, 2] },
          { id: 2, l: [3] },
        ],
      });

      await p.run(hints, { items: [{ id: 3 }] });

      expect(await rowsOf(p, 'SELECT id FROM test_data.snap')).toEqual([['3']]);
      expect(await rowsOf(p, 'SELECT count(*) FROM test_data.snap__l')).toEqual([['0']]);
      // the strategy was followed (only the staging ones stage), and like dlt's setting it is the
      // run's: the stored schema does not carry it, so its hash is the one dlt computes
      const staged = await rowsOf(
        p,
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'test_data_staging' AND table_name = 'snap'",
      );
      expect(staged).toEqual([[strategy === 'truncate-and-insert' ? '0' : '1']]);
      const [stored] =
        (await rowsOf(p, 'SELECT schema FROM test_data._dlt_version ORDER BY inserted_at DESC LIMIT 1'))[0] ??
        [];
      expect(JSON.parse(String(stored)).tables.snap).not.toHaveProperty('x-replace-strategy');

      // a run that brings nothing replaces the table with nothing, as dlt's does
      await p.run(hints, { items: [{ id: 4, l: [5] }] });
      const empty = await p.run(hints, { items: [] });
      expect(empty.jobs.tables.snap).toEqual({ files: [], rows: 0 });
      expect(await rowsOf(p, 'SELECT count(*) FROM test_data.snap')).toEqual([['0']]);
      expect(await rowsOf(p, 'SELECT count(*) FROM test_data.snap__l')).toEqual([['0']]);
      // an appended table is left as it was by a run without rows
      await p.run({ name: 'log' }, { items: [{ id: 1 }] });
      await p.run({ name: 'log' }, { items: [] });
      expect(await rowsOf(p, 'SELECT count(*) FROM test_data.log')).toEqual([['1']]);
    },
  );

  it('evolves a table with new columns in a later load', async () => {
    const p = await pipeline();
    await p.run({ name: 'ev' }, { items: [{ a: 1 }] });

    await p.run({ name: 'ev' }, { items: [{ a: 2, b: 'new', c: { d: true } }] });

    expect(await rowsOf(p, 'SELECT a, b, c__d FROM test_data.ev ORDER BY a')).toEqual([
      ['1', null, null],
      ['2', 'new', true],
    ]);
  });

  it('loads JSONL staging files as well as Parquet', async () => {
    const p = await pipeline();
    const { run } = await import('../../shared/pipeline/run.js');

    await run({
      storage: p.storage,
      pipeline: 'test_pipeline',
      dataset: 'test_data',
      destination: p.destination,
      format: 'jsonl',
      resources: [
        {
          hints: { name: 'j', columns: { b: { data_type: 'binary' } } },
          items: [{ a: 1, t: '2024-01-01T00:00:00Z', n: { x: 1.5 }, l: ['p'], b: '0x00ff41' }],
        },
      ],
    });

    // binaries travel as base64 in JSON: the table holds the bytes, not their base64 text
    expect(await rowsOf(p, "SELECT a, strftime(t, '%Y'), n__x, hex(b) FROM test_data.j")).toEqual([
      ['1', '2024', 1.5, '00FF41'],
    ]);
    expect(await rowsOf(p, 'SELECT value FROM test_data.j__l')).toEqual([['p']]);
  });
});
