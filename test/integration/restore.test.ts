import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { restoreFromDestination } from '../../shared/pipeline/restore.js';
import { run } from '../../shared/pipeline/run.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { readState } from '../../shared/pipeline/state.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { USERS } from '../support/fixtures.js';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

const pipeline = 'test_pipeline';
const dataset = 'test_data';
const cursorAt = (last: string) => ({
  api: { resources: { users: { incremental: { at: { last_value: last } } } } },
});

/** A pipeline loading into DuckDB, and a second working folder pointed at the same database. */
async function twoFolders() {
  const dir = await tempDir();
  const p = await localPipeline(dir, pipeline, dataset);
  const elsewhere = new LocalFileStorage(join(dir, 'elsewhere'));
  const restore = (storage = elsewhere, inDataset = dataset) =>
    restoreFromDestination({ storage, pipeline, dataset: inDataset, destination: p.destination });
  const load = (storage: LocalFileStorage, last: string, items: unknown[] = USERS) =>
    run({
      storage,
      pipeline,
      dataset,
      destination: p.destination,
      resources: [{ hints: { name: 'users' }, items }],
      sources: () => cursorAt(last),
    });
  return { p, elsewhere, restore, load };
}

describe('restoring a pipeline from its dataset', () => {
  it('gives a new working folder the state, cursors and schema the dataset holds, and loads on from them', async () => {
    const { p, elsewhere, restore, load } = await twoFolders();
    await load(p.storage, '2024-05-01');
    const schema = await loadPipelineSchema(p.storage, pipeline, pipeline);

    expect(await restore()).toEqual({
      stateVersion: 1,
      schemas: [{ name: pipeline, version: schema.version }],
    });
    expect(await loadPipelineSchema(elsewhere, pipeline, pipeline)).toEqual(schema);
    expect((await readState(elsewhere, pipeline)).state).toEqual(
      (await readState(p.storage, pipeline)).state,
    );
    // taken once: the same state again is nothing to take
    expect(await restore()).toEqual({ schemas: [] });

    // loading on from there: the schema is unchanged, so no new `_dlt_version` row; the state goes on
    await load(elsewhere, '2024-06-01');
    const versions = await p.query(`SELECT count(*) AS n FROM ${dataset}._dlt_version`);
    expect(versions[0]!.n).toBe('1');
    const states = await p.query(`SELECT version FROM ${dataset}._dlt_pipeline_state ORDER BY version`);
    expect(states.map((s) => s.version)).toEqual(['1', '2']);
  });

  it('takes a newer state from the dataset with its schemas, and keeps a state as new as the dataset’s', async () => {
    const { p, elsewhere, restore, load } = await twoFolders();
    await load(p.storage, '2024-05-01');
    await restore();
    // the first folder loads on: new columns, a new cursor, state version 2
    await load(p.storage, '2024-06-01', [{ id: 9, name: 'Dora', vip: true }]);

    const newer = await loadPipelineSchema(p.storage, pipeline, pipeline);
    expect(await restore()).toEqual({
      stateVersion: 2,
      schemas: [{ name: pipeline, version: newer.version }],
    });
    expect((await readState(elsewhere, pipeline)).state?.sources).toEqual(cursorAt('2024-06-01'));
    expect(
      Object.keys((await loadPipelineSchema(elsewhere, pipeline, pipeline)).tables.users!.columns),
    ).toContain('vip');

    // this folder then runs ahead; the dataset's state is now its own and nothing is taken back
    await load(elsewhere, '2024-07-01');
    expect(await restore()).toEqual({ schemas: [] });
    expect((await readState(elsewhere, pipeline)).state?.sources).toEqual(cursorAt('2024-07-01'));
  });

  it('fetches a schema the state names that this folder lacks, and only that', async () => {
    const { p, restore, load } = await twoFolders();
    await load(p.storage, '2024-05-01');
    const schemaFile = join(pipeline, 'schemas', `${pipeline}.json`);
    const kept = await loadPipelineSchema(p.storage, pipeline, pipeline);
    await p.storage.delete([schemaFile]);

    expect(await restore(p.storage)).toEqual({ schemas: [{ name: pipeline, version: kept.version }] });
    expect(await loadPipelineSchema(p.storage, pipeline, pipeline)).toEqual(kept);
    // present now: nothing more to fetch
    expect(await restore(p.storage)).toEqual({ schemas: [] });
  });

  it('ignores the state of a package never committed to `_dlt_loads`, and a dataset that does not exist', async () => {
    const { p, elsewhere, restore, load } = await twoFolders();
    expect(await restore()).toEqual({ schemas: [] });
    expect(await restore(elsewhere, 'no_such_dataset')).toEqual({ schemas: [] });
    expect((await readState(elsewhere, pipeline)).state).toBeUndefined();

    await load(p.storage, '2024-05-01');
    // a later state row whose package has no `_dlt_loads` row: a load that did not finish
    const unfinished = await load(p.storage, '2024-06-01');
    await p.destination.client.execute(
      `DELETE FROM ${dataset}._dlt_loads WHERE load_id = '${unfinished.loadId}'`,
    );
    expect(await restore()).toMatchObject({ stateVersion: 1 });
    expect((await readState(elsewhere, pipeline)).state?.sources).toEqual(cursorAt('2024-05-01'));
  });

  it('starts over where the dataset does not exist: state and schemas dropped, types inferred anew', async () => {
    const dir = await tempDir();
    const storage = new LocalFileStorage(join(dir, 'storage'));
    const loadInto = async (file: string, items: unknown[]) => {
      const destination = await DuckDbDestination.open(join(dir, file));
      onTestFinished(() => destination.close());
      const restored = await restoreFromDestination({ storage, pipeline, dataset, destination });
      await run({
        storage,
        pipeline,
        dataset,
        destination,
        resources: [{ hints: { name: 'codes' }, items }],
        sources: () => cursorAt('2024-05-01'),
      });
      return { restored, destination };
    };
    await loadInto('first.duckdb', [{ id: 1, code: 7 }]);
    // a new database (the old file deleted, or another one named): nothing of the pipeline there
    const { restored, destination } = await loadInto('second.duckdb', [{ id: 2, code: 'A7' }]);
    expect(restored).toEqual({ startedOver: true, schemas: [] });
    const columns = await destination.client.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${dataset}' AND table_name = 'codes' AND column_name NOT LIKE '_dlt%' ORDER BY ordinal_position`,
    );
    // the code column is text from the start, not a bigint with a text variant beside it
    expect(columns.map((c) => `${c.column_name}:${c.data_type}`)).toEqual(['id:BIGINT', 'code:VARCHAR']);
    const states = await destination.client.query(`SELECT version FROM ${dataset}._dlt_pipeline_state`);
    expect(states.map((s) => s.version)).toEqual(['1']);
  });

  it('names the table when a stored state cannot be read', async () => {
    const { p, restore, load } = await twoFolders();
    await load(p.storage, '2024-05-01');
    await p.destination.client.execute(`UPDATE ${dataset}._dlt_pipeline_state SET state = 'not base64 zlib'`);
    await expect(restore()).rejects.toThrow(
      /cannot read the pipeline state in test_data\._dlt_pipeline_state \(pipeline test_pipeline\)/,
    );
  });
});
