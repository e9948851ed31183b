import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretValues } from '../../shared/config/secret-values.js';
import { packagePrefix } from '../../shared/package/layout.js';
import { readPackageSchema } from '../../shared/pipeline/package-io.js';
import { readSourcesState } from '../../shared/pipeline/state.js';
import { type LocalPostgres, startPostgres } from '../support/postgres.js';
import { pullPipeline, type ResourceInputConfig } from '../support/pull-run.js';

let server: LocalPostgres;
let db: pg.Client;
beforeAll(async () => {
  server = await startPostgres();
  db = new pg.Client({ connectionString: server.url });
  await db.connect();
  await db.query(`
    CREATE SCHEMA shop;
    CREATE TYPE shop.mood AS ENUM ('sad', 'happy');
    CREATE TABLE shop.items (
      id bigint PRIMARY KEY, small smallint, qty integer, big bigint, price numeric(12,3), anynum numeric,
      ratio real, score double precision, flag boolean, name varchar(20) NOT NULL, note text, code char(3),
      uid uuid, created timestamptz, local_at timestamp, day date, at time, doc jsonb, raw json,
      tags text[], blob bytea, updated_at timestamptz NOT NULL,
      span interval, spot point, wide numeric(50,10), amounts numeric[], stamps timestamptz[], counts bigint[], moods shop.mood[]
    );
    INSERT INTO shop.items VALUES
      (1, 7, 70000, 9007199254740993, 123456789.125, 1.5, 0.25, 2.5, true, 'Ann', 'a note', 'AB',
       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-01-02 03:04:05.123456+02', '2026-01-02 03:04:05.654321',
       '2026-01-02', '13:14:15', '{"k": [1, 2]}', '{"j": true}', ARRAY['x', 'y'], '\\x00ff10', '2026-01-01 00:00:00+00',
       '1 day 02:00:00', '(1,2)', 1234567890123456789012345678901234567890.0123456789,
       '{1.10, NULL, 99999999999999999999.5}', '{"2026-01-02 03:04:05.123456+02"}', '{{1, 9007199254740993}, {NULL, 3}}', '{happy,sad}'),
      (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'Bo', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, '2026-01-02 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE shop.events (id integer PRIMARY KEY, kind text, seq integer);
    INSERT INTO shop.events SELECT n, 'kind-' || (n % 3), n FROM generate_series(1, 1050) AS n;
  `);
}, 300_000);
afterAll(async () => {
  await db?.end();
  await server?.stop();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function pgPipeline(resources: ResourceInputConfig[]) {
  const p = await pullPipeline('neon', resources, new SecretValues(undefined, { PG_URL: server.url }));
  cleanups.push(p.close);
  return p;
}

const connection = { env: 'PG_URL' };

describe('the PostgreSQL source', () => {
  it('maps every Postgres type to the loader type and keeps values exact', async () => {
    const p = await pgPipeline([
      { name: 'items', source: { kind: 'postgres', connection, table: 'shop.items' } },
    ]);
    const { loadId } = await p.run();
    const schema = await readPackageSchema(p.storage, packagePrefix('neon', loadId));
    const columns = schema.tables.items!.columns;
    const typeOf = (name: string) => {
      const { data_type, precision, scale, timezone, nullable, primary_key } = columns[name]!;
      return { data_type, precision, scale, timezone, nullable, primary_key };
    };
    expect(typeOf('id')).toMatchObject({ data_type: 'bigint', nullable: false, primary_key: true });
    expect(typeOf('name')).toMatchObject({ data_type: 'text', nullable: false });
    for (const name of ['small', 'qty', 'big']) expect(typeOf(name).data_type, name).toBe('bigint');
    expect(typeOf('price')).toMatchObject({ data_type: 'decimal', precision: 12, scale: 3 });
    expect(typeOf('anynum').data_type).toBe('decimal');
    for (const name of ['ratio', 'score']) expect(typeOf(name).data_type, name).toBe('double');
    expect(typeOf('flag').data_type).toBe('bool');
    for (const name of ['note', 'code', 'uid']) expect(typeOf(name).data_type, name).toBe('text');
    expect(typeOf('created')).toMatchObject({ data_type: 'timestamp', timezone: true });
    expect(typeOf('local_at')).toMatchObject({ data_type: 'timestamp', timezone: false });
    expect(typeOf('day').data_type).toBe('date');
    expect(typeOf('at').data_type).toBe('time');
    for (const name of ['doc', 'raw', 'tags']) expect(typeOf(name).data_type, name).toBe('json');
    expect(typeOf('blob').data_type).toBe('binary');
    // pg reads these into objects or floats; they load as Postgres writes them
    for (const name of ['span', 'spot', 'wide']) expect(typeOf(name).data_type, name).toBe('text');
    for (const name of ['amounts', 'stamps', 'counts', 'moods'])
      expect(typeOf(name).data_type, name).toBe('json');
    expect(
      Object.keys(columns).filter((name) => name.startsWith('span__') || name.startsWith('spot__')),
    ).toEqual([]);

    const [row] = await p.query(`
      SELECT big::VARCHAR AS big, price::VARCHAR AS price, uid, code, strftime(created, '%Y-%m-%dT%H:%M:%S.%f') AS created,
             strftime(local_at, '%Y-%m-%dT%H:%M:%S.%f') AS local_at, day::VARCHAR AS day, "at"::VARCHAR AS "at",
             doc::VARCHAR AS doc, tags::VARCHAR AS tags, hex(blob) AS blob, flag, ratio,
             span, spot, wide, amounts::VARCHAR AS amounts, stamps::VARCHAR AS stamps, counts::VARCHAR AS counts,
             moods::VARCHAR AS moods
        FROM neon_data.items WHERE id = 1`);
    expect(row).toEqual({
      big: '9007199254740993',
      price: '123456789.125',
      uid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      code: 'AB ',
      created: '2026-01-02T01:04:05.123456',
      local_at: '2026-01-02T03:04:05.654321',
      day: '2026-01-02',
      at: '13:14:15',
      doc: '{"k":[1,2]}',
      tags: '["x","y"]',
      blob: '00FF10',
      flag: true,
      ratio: 0.25,
      span: '1 day 02:00:00',
      spot: '(1,2)',
      wide: '1234567890123456789012345678901234567890.0123456789',
      amounts: '["1.10",null,"99999999999999999999.5"]',
      stamps: '["2026-01-02T01:04:05.123456Z"]',
      counts: '[[1,9007199254740993],[null,3]]',
      // an array of a type pg has no parser for (an enum): a list, not Postgres's array text
      moods: '["happy","sad"]',
    });
    expect(await p.query('SELECT count(*) AS n FROM neon_data.items WHERE price IS NULL')).toEqual([
      { n: '1' },
    ]);
  });

  it('types new columns from the catalog; a column already loaded keeps its type when Postgres retypes it', async () => {
    await db.query(`
      CREATE TABLE shop.retyped (id integer, v text);
      INSERT INTO shop.retyped VALUES (1, 'n/a');
    `);
    const p = await pgPipeline([
      { name: 'retyped', source: { kind: 'postgres', connection, table: 'shop.retyped' } },
    ]);
    await p.run();
    await db.query(`
      ALTER TABLE shop.retyped ALTER COLUMN v TYPE numeric(10,2) USING NULL, ADD COLUMN w numeric(8,1);
      INSERT INTO shop.retyped VALUES (2, 1.5, 2.5);
    `);

    const { loadId } = await p.run();

    const columns = (await readPackageSchema(p.storage, packagePrefix('neon', loadId))).tables.retyped!
      .columns;
    expect(columns.v).toMatchObject({ data_type: 'text' });
    expect(columns.w).toMatchObject({ data_type: 'decimal', precision: 8, scale: 1 });
    expect(
      await p.query('SELECT id, v, CAST(w AS VARCHAR) AS w FROM neon_data.retyped ORDER BY id, v'),
    ).toEqual([
      { id: '1', v: 'n/a', w: null },
      { id: '1', v: null, w: null },
      { id: '2', v: '1.50', w: '2.5' },
    ]);
  });

  it('reads a table larger than the chunk size, and a query', async () => {
    const p = await pgPipeline([
      { name: 'events', source: { kind: 'postgres', connection, table: 'shop.events', chunkSize: 100 } },
      {
        name: 'kinds',
        source: {
          kind: 'postgres',
          connection,
          query: 'SELECT kind, count(*) AS n FROM shop.events GROUP BY kind',
        },
      },
      // names every JavaScript object answers to stay columns; integer-like names keep their place
      // (pg's rows list them first), so `_2024` takes the later value of the two named so
      {
        name: 'odd',
        source: {
          kind: 'postgres',
          connection,
          query: 'SELECT 1 AS "__proto__", 2 AS "constructor", 4 AS "_2024", 3 AS "2024"',
        },
      },
    ]);
    const { items } = await p.run();
    expect(items).toBe(1050 + 3 + 1); // events, kinds and odd; the state row is not counted
    const [odd] = await p.query('SELECT * EXCLUDE (_dlt_load_id, _dlt_id) FROM neon_data.odd');
    expect(Object.entries(odd!)).toEqual([
      ['proto', '1'],
      ['constructor', '2'],
      ['_2024', '3'],
    ]);
    expect(await p.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM neon_data.events')).toEqual([
      { n: '1050', ids: '1050' },
    ]);
    expect(await p.query('SELECT kind, n FROM neon_data.kinds ORDER BY kind')).toEqual([
      { kind: 'kind-0', n: '350' },
      { kind: 'kind-1', n: '350' },
      { kind: 'kind-2', n: '350' },
    ]);
  });

  it('pulls incrementally by a cursor column and merges by the primary key from the catalog', async () => {
    await db.query(`
      CREATE TABLE shop.accounts (id integer PRIMARY KEY, balance numeric(10,2), updated_at timestamptz NOT NULL);
      INSERT INTO shop.accounts VALUES (1, 10, '2026-01-01 00:00:00+00'), (2, 20, '2026-01-02 00:00:00+00');
    `);
    const p = await pgPipeline([
      {
        name: 'accounts',
        writeDisposition: 'merge',
        source: {
          kind: 'postgres',
          connection,
          table: 'shop.accounts',
          incremental: { cursorColumn: 'updated_at', initialValue: '2025-01-01T00:00:00Z' },
        },
      },
    ]);
    expect((await p.run()).items).toBe(2);
    await db.query(`
      UPDATE shop.accounts SET balance = 25, updated_at = '2026-01-03 00:00:00+00' WHERE id = 2;
      INSERT INTO shop.accounts VALUES (3, 30, '2026-01-03 00:00:00+00');
    `);
    const second = await p.run();
    expect(second.items).toBe(2); // only the changed and the new row
    expect(
      await p.query('SELECT id, balance::VARCHAR AS balance FROM neon_data.accounts ORDER BY id'),
    ).toEqual([
      { id: '1', balance: '10.00' },
      { id: '2', balance: '25.00' },
      { id: '3', balance: '30.00' },
    ]);
    expect(await readSourcesState(p.storage, 'neon')).toMatchObject({
      neon: {
        resources: { accounts: { incremental: { updated_at: { last_value: '2026-01-03T00:00:00Z' } } } },
      },
    });
    // nothing changed: the rows at the last value are not pulled again
    expect((await p.run()).items).toBe(0);
  });

  it("backfills a window [initialValue, endValue) as dlt's end_value does, leaving the cursor as it was", async () => {
    await db.query(`
      CREATE TABLE shop.visits (id integer PRIMARY KEY, at timestamptz NOT NULL);
      INSERT INTO shop.visits SELECT n, timestamptz '2026-01-01 00:00:00+00' + (n - 1) * interval '1 day' FROM generate_series(1, 6) AS n;
    `);
    const visits = (incremental: { cursorColumn: string; initialValue: string; endValue?: string }) => [
      {
        name: 'visits',
        source: { kind: 'postgres' as const, connection, table: 'shop.visits', incremental },
      },
    ];
    const p = await pgPipeline(visits({ cursorColumn: 'at', initialValue: '2026-01-05T00:00:00Z' }));
    expect((await p.run()).items).toBe(2); // days 5 and 6
    const cursor = await readSourcesState(p.storage, 'neon');

    const backfill = visits({
      cursorColumn: 'at',
      initialValue: '2026-01-02T00:00:00Z',
      endValue: '2026-01-04T00:00:00Z',
    });
    expect((await p.run(undefined, backfill)).items).toBe(2); // days 2 and 3: the end is left out
    expect((await p.query('SELECT id FROM neon_data.visits ORDER BY id')).map((r) => Number(r.id))).toEqual([
      2, 3, 5, 6,
    ]);
    expect(await readSourcesState(p.storage, 'neon')).toEqual(cursor);
  });

  it("asks for rows whose cursor is NULL too with dlt's on_cursor_value_missing include", async () => {
    await db.query(`
      CREATE TABLE shop.tasks (id integer PRIMARY KEY, done_at timestamptz);
      INSERT INTO shop.tasks VALUES (1, '2026-01-01 00:00:00+00'), (2, NULL), (3, '2026-01-03 00:00:00+00');
    `);
    const tasks = (onCursorValueMissing?: 'include' | 'exclude') => [
      {
        name: 'tasks',
        source: {
          kind: 'postgres' as const,
          connection,
          table: 'shop.tasks',
          incremental: {
            cursorColumn: 'done_at',
            initialValue: '2026-01-01T00:00:00Z',
            onCursorValueMissing,
          },
        },
      },
    ];
    const pulled = async (onCursorValueMissing?: 'include' | 'exclude') => {
      const p = await pgPipeline(tasks(onCursorValueMissing));
      await p.run();
      return (await p.query('SELECT id FROM neon_data.tasks ORDER BY id')).map((r) => Number(r.id));
    };
    expect(await pulled('include')).toEqual([1, 2, 3]);
    // as dlt's query: a NULL is in no range, so raise and exclude leave it out
    expect(await pulled()).toEqual([1, 3]);
    expect(await pulled('exclude')).toEqual([1, 3]);
  });
});
