import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { run } from '../../shared/pipeline/run.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { readSourcesState } from '../../shared/pipeline/state.js';
import { USERS } from '../support/fixtures.js';
import { localPipeline } from '../support/local-run.js';
import { sluice } from '../support/sluice-cli.js';
import { tempDir } from '../support/temp-dir.js';

const users = USERS;

async function pipeline() {
  return localPipeline(await tempDir());
}

describe('local run into DuckDB', () => {
  it('loads dlt users/pets and appends a second load with a new load id', async () => {
    const p = await pipeline();

    const first = await p.run({ name: 'users' }, { items: users });
    const second = await p.run({ name: 'users' }, { items: users });

    expect(first.outcome.status).toBe('loaded');
    expect(second.loadId > first.loadId).toBe(true);
    const columns = await p.query(
      "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'test_data' AND table_name LIKE 'users%' ORDER BY table_name, ordinal_position",
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}:${c.data_type}`)).toEqual([
      'users.id:BIGINT',
      'users.name:VARCHAR',
      'users._dlt_load_id:VARCHAR',
      'users._dlt_id:VARCHAR',
      'users__pets.id:BIGINT',
      'users__pets.name:VARCHAR',
      'users__pets.type:VARCHAR',
      'users__pets._dlt_parent_id:VARCHAR',
      'users__pets._dlt_list_idx:BIGINT',
      'users__pets._dlt_id:VARCHAR',
    ]);
    const joined = await p.query(
      'SELECT u.name, p.name AS pet, u._dlt_load_id FROM test_data.users u JOIN test_data.users__pets p ON p._dlt_parent_id = u._dlt_id ORDER BY 3, 1, p._dlt_list_idx',
    );
    expect(joined.map((r) => [r.name, r.pet, r._dlt_load_id])).toEqual([
      ['Alice', 'Fluffy', first.loadId],
      ['Alice', 'Spot', first.loadId],
      ['Bob', 'Fido', first.loadId],
      ['Alice', 'Fluffy', second.loadId],
      ['Alice', 'Spot', second.loadId],
      ['Bob', 'Fido', second.loadId],
    ]);
    const loads = await p.query(
      'SELECT load_id, schema_name, status FROM test_data._dlt_loads ORDER BY load_id',
    );
    expect(loads).toEqual([
      { load_id: first.loadId, schema_name: 'test_pipeline', status: '0' },
      { load_id: second.loadId, schema_name: 'test_pipeline', status: '0' },
    ]);
    expect((await p.query('SELECT count(*) AS n FROM test_data._dlt_version'))[0]!.n).toBe('1');
    // the state row is written with the first package only: the second run did not change the state
    const state = await p.query(
      'SELECT version, engine_version, pipeline_name, state, created_at, version_hash, _dlt_load_id, _dlt_id FROM test_data._dlt_pipeline_state',
    );
    expect(state).toHaveLength(1);
    expect(state[0]).toMatchObject({
      version: '1',
      engine_version: '4',
      pipeline_name: 'test_pipeline',
      _dlt_load_id: first.loadId,
    });
    const decoded = JSON.parse(inflateSync(Buffer.from(String(state[0]!.state), 'base64')).toString());
    expect(decoded).toMatchObject({
      pipeline_name: 'test_pipeline',
      dataset_name: 'test_data',
      _state_version: 1,
    });
  });

  it('loads a package id only once when run again', async () => {
    const p = await pipeline();
    const first = await p.run({ name: 'users' }, { items: users });

    const again = await p.run({ name: 'users' }, { items: users }, first.loadId);

    expect(again.outcome.status).toBe('already_loaded');
    expect((await p.query('SELECT count(*) AS n FROM test_data.users'))[0]!.n).toBe('2');
  });

  it('loads text of any script unchanged where its bytes span two inflated pieces of an extracted file', async () => {
    const p = await pipeline();
    // 2,000 items of three- and four-byte characters make about 1.5 MB of extracted lines: normalize
    // inflates them 256 KiB at a time, and most cuts fall inside a character
    const items = Array.from({ length: 2000 }, (_, i) => ({
      id: i,
      text: `${'日本語テキスト'.repeat(30)}😀${i}`,
    }));
    await p.run({ name: 'notes' }, { items });
    const rows = await p.query('SELECT id, text FROM test_data.notes ORDER BY id');
    expect(rows.map((row) => ({ id: Number(row.id), text: row.text }))).toEqual(items);
  });

  it('loads tables nested so deep that their names pass the 255 bytes a file name may hold', async () => {
    const p = await pipeline();
    // twelve levels of lists under long keys: the deepest table's name is over 450 characters
    let item: Record<string, unknown> = { x: 12 };
    for (let level = 11; level >= 0; level--)
      item = { x: level, [`level_${level}_holding_the_next_one_as_a_list`]: [item] };
    await p.run({ name: 'deep' }, { items: [item] });
    const tables = await p.query(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'test_data' AND table_name LIKE 'deep%' ORDER BY length(table_name)",
    );
    expect(tables).toHaveLength(13);
    const deepest = String(tables.at(-1)!.name);
    expect(deepest.length).toBeGreaterThan(450);
    expect(await p.query(`SELECT x FROM test_data."${deepest}"`)).toEqual([{ x: '12' }]);
  });

  it('keeps keys and tables named like built-in object members as plain data', async () => {
    // `constructor` is a snake_case name that every JavaScript object also answers to
    const p = await pipeline();
    const items: unknown[] = [
      { id: 1, constructor: 'first', toString: 2, valueOf: true },
      { id: 2, toString: 3 },
      { id: 3, constructor: 'third' },
    ];

    const info = await p.run({ name: 'constructor' }, { items });

    expect(info.outcome.status).toBe('loaded');
    const columns = await p.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'test_data' AND table_name = 'constructor' ORDER BY ordinal_position",
    );
    expect(columns.map((c) => `${c.column_name}:${c.data_type}`)).toEqual([
      'id:BIGINT',
      'constructor:VARCHAR',
      'to_string:BIGINT',
      'value_of:BOOLEAN',
      '_dlt_load_id:VARCHAR',
      '_dlt_id:VARCHAR',
    ]);
    const rows = await p.query(
      'SELECT id, "constructor", to_string, value_of FROM test_data."constructor" ORDER BY id',
    );
    expect(rows).toEqual([
      { id: '1', constructor: 'first', to_string: '2', value_of: true },
      { id: '2', constructor: null, to_string: '3', value_of: null },
      { id: '3', constructor: 'third', to_string: null, value_of: null },
    ]);
  });

  it('upserts on a primary key named like a built-in object member', async () => {
    const p = await pipeline();
    const hints = {
      name: 'members',
      writeDisposition: 'merge' as const,
      mergeStrategy: 'upsert' as const,
      primaryKey: ['constructor'],
    };

    await p.run(hints, {
      items: [
        { constructor: 'a', v: 1, tags: ['x'] },
        { constructor: 'b', v: 2 },
      ],
    });
    await p.run(hints, { items: [{ constructor: 'a', v: 3, tags: ['y', 'z'] }] });

    const rows = await p.query('SELECT "constructor", v FROM test_data.members ORDER BY 1');
    expect(rows).toEqual([
      { constructor: 'a', v: '3' },
      { constructor: 'b', v: '2' },
    ]);
    const tags = await p.query(
      'SELECT m."constructor", t.value FROM test_data.members m JOIN test_data.members__tags t ON t._dlt_root_id = m._dlt_id ORDER BY 1, t._dlt_list_idx',
    );
    expect(tags).toEqual([
      { constructor: 'a', value: 'y' },
      { constructor: 'a', value: 'z' },
    ]);
  });

  it('loads a dataset named like its database file (`shop` in shop.duckdb), where `shop.t` is ambiguous', async () => {
    // DuckDB names a file's catalog after it; the template configuration names both `shop`
    const p = await localPipeline(await tempDir(), 'shop', 'test');
    const merge: ResourceHints = { name: 'orders', writeDisposition: 'merge', primaryKey: ['id'] };
    await p.run(merge, { items: [{ id: 1, v: 'a', lines: [1, 2] }] });
    await p.run(merge, { items: [{ id: 1, v: 'b', extra: true, lines: [3] }] });
    await p.run({ name: 'snapshot', writeDisposition: 'replace' }, { items: [{ n: 1 }] });
    expect(await p.query('SELECT id, v, extra FROM test.test.orders')).toEqual([
      { id: '1', v: 'b', extra: true },
    ]);
    expect(await p.query('SELECT value FROM test.test.orders__lines')).toEqual([{ value: '3' }]);
    expect(await p.query('SELECT count(*) AS n FROM test.test._dlt_loads')).toEqual([{ n: '3' }]);
  });

  it('names the dataset and schema of a CLI pipeline as dlt does (Sales-2024 is sales_2024, My-Shop my_shop)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'orders.jsonl'), '{"id": 1}\n');
    const workdir = join(dir, 'w');
    const { stderr } = await sluice(
      'run',
      join(dir, 'orders.jsonl'),
      '--pipeline',
      'My-Shop',
      '--dataset',
      'Sales-2024',
      '--workdir',
      workdir,
    );
    expect(stderr).toContain('dataset Sales-2024 is named sales_2024 at the destination, as dlt names it');
    const query = (sql: string) => sluice('query', '--pipeline', 'My-Shop', '--workdir', workdir, sql);
    expect((await query('SELECT id FROM sales_2024.orders')).stdout).toMatch(/│ 1 {2}│/);
    // the default dataset of a pipeline named with a hyphen
    await sluice('run', join(dir, 'orders.jsonl'), '--pipeline', 'My-Shop', '--workdir', workdir);
    expect((await query('SELECT count(*) AS n FROM my_shop_dataset.orders')).stdout).toMatch(/│ 1 │/);
    // and its schema as dlt names a pipeline's: snake_case
    expect((await query('SELECT DISTINCT schema_name FROM sales_2024._dlt_loads')).stdout).toMatch(
      /│ my_shop +│/,
    );
  });

  it('sets malformed records aside with --on-bad-record quarantine and loads the rest', async () => {
    const dir = await tempDir();
    // the last line's item is read from its bytes (its shape known by then) before the second
    // value on the line refuses it: none of it may stay behind
    await writeFile(join(dir, 'events.jsonl'), '{"id": 1}\n{"id": \n{"id": 3}\n{"id": 4} {"id": 5}\n');
    const workdir = join(dir, 'w');
    const run = (...flags: string[]) =>
      sluice('run', join(dir, 'events.jsonl'), '--pipeline', 'q', '--workdir', workdir, ...flags);
    await expect(run()).rejects.toThrow(/events\.jsonl:2: invalid JSON/);
    const { stdout } = await run('--on-bad-record', 'quarantine');
    expect(stdout).toMatch(/quarantined: 2 malformed records in .*quarantine\/normalize\.0\.jsonl/);
    const query = await sluice(
      'query',
      '--pipeline',
      'q',
      '--workdir',
      workdir,
      'SELECT count(*) AS n, count(_dlt_id) AS keyed FROM q_dataset.events',
    );
    expect(query.stdout).toMatch(/│ 2 │ 2 +│/);
  });

  it("refreshes as dlt's drop_sources: the pipeline's tables, schema and source state start over", async () => {
    const p = await localPipeline(await tempDir());
    const base = {
      storage: p.storage,
      pipeline: 'test_pipeline',
      dataset: 'test_data',
      destination: p.destination,
    };
    await run({
      ...base,
      resources: [{ hints: { name: 'events' }, items: [{ id: 'a1', tags: ['x', 'y'] }] }],
      sources: () => ({ api: { cursor: '2026-01-01' } }),
    });
    await p.run({ name: 'other' }, { items: [{ n: 1 }] });
    const tables = async () =>
      (
        await p.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = 'test_data' ORDER BY 1",
        )
      ).map((r) => r.table_name);
    expect(await tables()).toEqual([
      '_dlt_loads',
      '_dlt_pipeline_state',
      '_dlt_version',
      'events',
      'events__tags',
      'other',
    ]);

    // a refresh that fails before it loads changes nothing
    const broken = join(await tempDir(), 'events.jsonl');
    await writeFile(broken, '{"id": 1}\n{oops\n');
    await expect(
      run({ ...base, resources: [{ hints: { name: 'events' }, files: [broken] }], refresh: true }),
    ).rejects.toThrow(/events\.jsonl:2: invalid JSON/);
    expect(await tables()).toContain('events__tags');
    expect(await readSourcesState(p.storage, 'test_pipeline')).toEqual({ api: { cursor: '2026-01-01' } });

    const refreshed = await run({
      ...base,
      resources: [{ hints: { name: 'events' }, items: [{ id: 1 }, { id: 2 }] }],
      refresh: true,
    });

    expect(refreshed.outcome.status).toBe('loaded');
    expect(await tables()).toEqual(['_dlt_loads', '_dlt_pipeline_state', '_dlt_version', 'events']);
    // `id` was text; inferred anew it is a number, with no variant column
    expect(
      await p.query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'test_data' AND table_name = 'events' ORDER BY ordinal_position",
      ),
    ).toEqual([
      { column_name: 'id', data_type: 'BIGINT' },
      { column_name: '_dlt_load_id', data_type: 'VARCHAR' },
      { column_name: '_dlt_id', data_type: 'VARCHAR' },
    ]);
    expect(await p.query('SELECT id FROM test_data.events ORDER BY id')).toEqual([{ id: '1' }, { id: '2' }]);
    const schema = await loadPipelineSchema(p.storage, 'test_pipeline', 'test_pipeline');
    expect(Object.keys(schema.tables).filter((t) => !t.startsWith('_dlt'))).toEqual(['events']);
    expect(await readSourcesState(p.storage, 'test_pipeline')).toEqual({});
    expect(await p.query('SELECT count(*) AS n FROM test_data._dlt_loads')).toEqual([{ n: '3' }]);
  });
});
