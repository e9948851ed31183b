import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { parseJson } from '../../shared/formats/json-parse.js';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { packageKeys, packagePrefix } from '../../shared/package/layout.js';
import { extract } from '../../shared/pipeline/extract.js';
import { normalize } from '../../shared/pipeline/normalize.js';
import { restoreFromDestination } from '../../shared/pipeline/restore.js';
import { run } from '../../shared/pipeline/run.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { readSourcesState, readState } from '../../shared/pipeline/state.js';
import { parseIsoTimestamp } from '../../shared/schema/date-text.js';
import type { StoredSchema } from '../../shared/schema/types.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import { orjsonText } from '../../shared/util/python-text.js';
import { startApiServer } from '../support/api-server.js';
import { jsonTextVariant } from '../support/dlt-parity/json-text-variants.js';
import { awkwardItems, randomItems, withKey } from '../support/dlt-parity/random-items.js';
import { USERS } from '../support/fixtures.js';
import { sluicePull } from '../support/sluice-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { repoRoot, toolingPython } from '../warehouse/python-tooling.js';

const exec = promisify(execFile);

/** What a normalizer produced: tables with their columns in order, and every row. */
interface Normalized {
  tables: Record<string, { parent: string | null; columns: [string, string | null][] }>;
  rows: Record<string, Record<string, unknown>[]>;
  /** With Parquet output: each table's file schema as pyarrow reads it, [field, type, nullable]. */
  parquet?: Record<string, [string, string, boolean][]>;
}

/** Items as JSON lines, the way the extract stage writes them. */
function writeJsonl(path: string, items: readonly unknown[]): Promise<void> {
  return writeLines(
    path,
    items.map((item) => toJsonLine(item)),
  );
}

function writeLines(path: string, lines: readonly string[]): Promise<void> {
  return writeFile(path, lines.map((line) => `${line}\n`).join(''));
}

let python: string;
beforeAll(async () => {
  python = await toolingPython('requirements-bench.txt');
}, 600_000);

async function normalizedByDlt(file: string, hints: ResourceHints, format = 'jsonl'): Promise<Normalized> {
  const options = {
    format,
    table: hints.name,
    mergeStrategy: hints.mergeStrategy,
    primaryKey: hints.primaryKey?.[0],
    maxNesting: hints.maxTableNesting,
    contract: hints.schemaContract,
    columns: hints.columns,
  };
  const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_normalize.py');
  const { stdout } = await exec(python, [script, file, await tempDir(), JSON.stringify(options)], {
    maxBuffer: 1 << 26,
  });
  return parseJson(stdout) as Normalized;
}

async function normalizedByUs(file: string, hints: ResourceHints): Promise<Normalized> {
  const storage = new LocalFileStorage(await tempDir());
  const normalizeFile = async (path: string, resource: ResourceHints) => {
    const resources = [{ hints: resource, files: [path] }];
    const { loadId } = await extract({ storage, pipeline: 'parity', dataset: 'parity', resources });
    return { loadId, ...(await normalize({ storage, pipeline: 'parity', loadId, format: 'jsonl' })) };
  };
  if (hints.schemaContract !== undefined) {
    // as the dlt side does: the first half without the contract, then the second under it
    const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
    const half = Math.floor(lines.length / 2);
    const writeLines = (path: string, part: string[]) => writeFile(path, part.map((l) => `${l}\n`).join(''));
    await writeLines(`${file}.first.jsonl`, lines.slice(0, half));
    await writeLines(`${file}.second.jsonl`, lines.slice(half));
    const { schemaContract: _, ...evolving } = hints;
    await normalizeFile(`${file}.first.jsonl`, evolving);
    file = `${file}.second.jsonl`;
  }
  const { loadId, jobs } = await normalizeFile(file, hints);
  const pkg = packagePrefix('parity', loadId);
  const schema = JSON.parse(
    (await storage.get(packageKeys.schema(pkg)))!.body.toString('utf8'),
  ) as StoredSchema;
  const tables: Normalized['tables'] = {};
  for (const [name, table] of Object.entries(schema.tables)) {
    if (name.startsWith('_dlt')) continue;
    tables[name] = {
      parent: table.parent ?? null,
      columns: Object.values(table.columns).map((c) => [c.name, c.data_type ?? null]),
    };
  }
  const rows: Normalized['rows'] = {};
  for (const [table, entry] of Object.entries(jobs.tables)) {
    for (const { key } of entry.files) {
      const text = (await storage.get(key))!.body.toString('utf8');
      for (const line of text.split('\n'))
        if (line !== '') (rows[table] ??= []).push(parseJson(line) as never);
    }
  }
  return { tables, rows };
}

/** One value as both sides must agree on it, whatever notation each writer chose. */
function canonical(value: unknown, type: string | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp') return String(parseIsoTimestamp(String(value)));
  if (type === 'double') return value instanceof JsonFloat ? value.value : Number(value);
  if (type === 'bigint') return String(value);
  if (type === 'json') return orjsonText(value, true);
  return value;
}

/** Every difference between dlt's output and ours, described; empty when they are the same. */
function differences(dlt: Normalized, ours: Normalized): string[] {
  const found: string[] = [];
  const names = [...new Set([...Object.keys(dlt.tables), ...Object.keys(ours.tables)])].sort();
  for (const name of names) {
    const [theirs, mine] = [dlt.tables[name], ours.tables[name]];
    if (theirs === undefined || mine === undefined) {
      found.push(`table ${name} only in ${theirs ? 'dlt' : 'ours'}`);
      continue;
    }
    if (theirs.parent !== mine.parent) found.push(`${name}: parent ${theirs.parent} vs ${mine.parent}`);
    if (JSON.stringify(theirs.columns) !== JSON.stringify(mine.columns))
      found.push(
        `${name}: columns\n  dlt  ${JSON.stringify(theirs.columns)}\n  ours ${JSON.stringify(mine.columns)}`,
      );
    const types = Object.fromEntries(theirs.columns);
    const byId = (rows: Record<string, unknown>[] = []) => new Map(rows.map((r) => [String(r._dlt_id), r]));
    const [a, b] = [byId(dlt.rows[name]), byId(ours.rows[name])];
    for (const id of new Set([...a.keys(), ...b.keys()])) {
      const [x, y] = [a.get(id), b.get(id)];
      if (x === undefined || y === undefined) {
        found.push(`${name}: row ${id} only in ${x ? 'dlt' : 'ours'}`);
        continue;
      }
      for (const column of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (column === '_dlt_load_id') continue;
        const [u, v] = [canonical(x[column], types[column]), canonical(y[column], types[column])];
        if (JSON.stringify(u) !== JSON.stringify(v))
          found.push(
            `${name}: row ${id} ${column}: dlt ${toJsonLine(x[column])} ours ${toJsonLine(y[column])}`,
          );
      }
    }
  }
  return found;
}

function compare(items: Record<string, unknown>[], hints: ResourceHints): Promise<Normalized> {
  return compareLines(
    items.map((item) => toJsonLine(item)),
    hints,
  );
}

/** compare, for items written as these lines. */
async function compareLines(lines: string[], hints: ResourceHints): Promise<Normalized> {
  const file = join(await tempDir(), `${hints.name}.jsonl`);
  await writeLines(file, lines);
  // both settled before the test ends: a dlt process left running would write into the temp
  // folder after it is removed
  const [dltRun, ourRun] = await Promise.allSettled([
    normalizedByDlt(file, hints),
    normalizedByUs(file, hints),
  ]);
  if (ourRun.status === 'rejected') throw ourRun.reason;
  if (dltRun.status === 'rejected') throw dltRun.reason;
  const [dlt, ours] = [dltRun.value, ourRun.value];
  expect(differences(dlt, ours).slice(0, 20)).toEqual([]);
  return ours;
}

// The same random nested items normalized by dlt 1.26.0 itself and by us must give the same
// tables, columns (names, types, order), rows and values. Root rows carry their own `_dlt_id`
// where dlt would draw a random one, so every nested key is comparable too.
describe('parity with dlt on random nested data', () => {
  it('appends: naming, flattening order, nested tables, types, variants and coercion', async () => {
    const items = randomItems(2, 300).map((item, i) => withKey(item, '_dlt_id', `root${i}`, 'last'));
    const ours = await compare(items, { name: 'parity_append' });
    // the data is rich enough to be a test: many tables, variant columns, json columns
    expect(Object.keys(ours.tables).length).toBeGreaterThan(50);
    const columns = Object.values(ours.tables).flatMap((t) => t.columns);
    expect(columns.filter(([name]) => name.includes('__v_')).length).toBeGreaterThan(3);
    expect(columns.some(([, type]) => type === 'timestamp')).toBe(true);
  }, 120_000);

  it('upserts: root keys hashed from the primary key, root ids on every nested row', async () => {
    const items = randomItems(45, 150).map((item, i) => withKey(item, 'id', `k${i}`, 'first'));
    const ours = await compare(items, {
      name: 'parity_upsert',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
    });
    expect(ours.tables.parity_upsert__list?.columns.map(([name]) => name)).toContain('_dlt_root_id');
  }, 120_000);

  it('scd2: root keys hashed from the whole source item', async () => {
    const items = randomItems(46, 150).map((item, i) => withKey(item, 'id', 2n ** 53n + BigInt(i), 'first'));
    await compare(items, { name: 'parity_scd2', writeDisposition: 'merge', mergeStrategy: 'scd2' });
  }, 120_000);

  it('schema contracts on a second package: which rows, values, columns and tables each mode lets in', async () => {
    const contracts = [
      { columns: 'discard_row' },
      { columns: 'discard_value', data_type: 'discard_row' },
      { tables: 'discard_row', data_type: 'discard_value' },
    ] as const;
    for (const [n, contract] of contracts.entries()) {
      const items = randomItems(60 + n, 300).map((item, i) => withKey(item, '_dlt_id', `root${i}`, 'last'));
      const ours = await compare(items, { name: `parity_contract_${n}`, schemaContract: contract });
      // the contract dropped some root rows, as dlt did
      if (n === 0) expect(ours.rows.parity_contract_0!.length).toBeLessThan(150);
    }
  }, 180_000);

  it("writes Parquet files with the fields, Arrow types and nullability of dlt's", async () => {
    const items = randomItems(3, 300).map((item, i) => withKey(item, '_dlt_id', `root${i}`, 'last'));
    const file = join(await tempDir(), 'parity_parquet.jsonl');
    await writeJsonl(file, items);
    const hints: ResourceHints = {
      name: 'parity_parquet',
      columns: {
        x: { data_type: 'timestamp', timezone: false },
        upper: { data_type: 'json' },
        id: { data_type: 'date' },
      },
    };
    const dlt = await normalizedByDlt(file, hints, 'parquet');

    const storage = new LocalFileStorage(await tempDir());
    const { loadId } = await extract({
      storage,
      pipeline: 'parity',
      dataset: 'parity',
      resources: [{ hints, files: [file] }],
    });
    const { jobs } = await normalize({ storage, pipeline: 'parity', loadId, format: 'parquet' });
    const ours = Object.fromEntries(
      Object.entries(jobs.tables).map(([table, entry]) => [table, storage.url(entry.files[0]!.key)]),
    );
    const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'parquet_schemas.py');
    const { stdout } = await exec(python, [script, ...Object.values(ours)], { maxBuffer: 1 << 26 });
    const schemas = JSON.parse(stdout) as Record<string, unknown>;

    expect(Object.keys(dlt.parquet!).sort()).toEqual(Object.keys(ours).sort());
    const differing = Object.keys(ours).filter(
      (table) => JSON.stringify(schemas[ours[table]!]) !== JSON.stringify(dlt.parquet![table]),
    );
    expect(differing.map((table) => [table, dlt.parquet![table], schemas[ours[table]!]])).toEqual([]);
    expect(Object.keys(ours).length).toBeGreaterThan(50);
  }, 120_000);

  it('awkward names and values: other scripts, keys of one name, look-alike text, digits of other scripts', async () => {
    const appended = awkwardItems(315, 200).map((item, i) => withKey(item, '_dlt_id', `root${i}`, 'last'));
    await compare(appended, { name: 'parity_awkward' });
    const upserted = awkwardItems(50309, 150).map((item, i) => withKey(item, 'id', `k${i}`, 'first'));
    await compare(upserted, {
      name: 'parity_awkward_upsert',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
    });
  }, 120_000);

  it('JSON written otherwise: whitespace, escaped characters in keys and text, other number notations', async () => {
    // the bytes scanner meets what other writers make: spaces, escapes, `1e0` and `1.0` for 1;
    // first, integer-like keys with escaped digits (2024, 10) after a text key, whose columns must
    // follow it as in the text
    const first = String.raw`{"name":"a","\u0032024":1,"list":[{"sku":"s","1\u0030":2}],"_dlt_id":"root"}`;
    for (const [n, items] of [randomItems(70, 200), awkwardItems(73, 200)].entries()) {
      const lines = items.map((item, i) =>
        jsonTextVariant(toJsonLine(withKey(item, '_dlt_id', `root${i}`, 'last')), 1000 * n + i),
      );
      const ours = await compareLines([first, ...lines], { name: `parity_written_${n}` });
      const columns = (table: string) => ours.tables[table]!.columns.map(([name]) => name);
      const root = columns(`parity_written_${n}`).filter((name) => name === 'name' || name === '_2024');
      expect(root).toEqual(['name', '_2024']);
      expect(columns(`parity_written_${n}__list`).slice(0, 2)).toEqual(['sku', '_10']);
    }
  }, 120_000);

  it('max nesting 1: deeper dicts and lists kept as json', async () => {
    const items = randomItems(43, 200).map((item, i) => withKey(item, '_dlt_id', `root${i}`, 'last'));
    const ours = await compare(items, { name: 'parity_nesting', maxTableNesting: 1 });
    expect(
      Object.values(ours.tables)
        .flatMap((t) => t.columns)
        .some(([, type]) => type === 'json'),
    ).toBe(true);
  }, 120_000);

  it('items nested 253 levels deep load alike; at 254 levels dlt and we both refuse them', async () => {
    // lists and objects `levels` deep, the item counted: dicts in dicts, a list in a list past
    // the nesting limit (a json column), lists of dicts
    const dicts = (levels: number) =>
      JSON.parse(`${'{"a": '.repeat(levels - 1)}{"id": 1}${'}'.repeat(levels - 1)}`);
    const lists = (levels: number) => ({
      id: 1,
      x: JSON.parse(`${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}`),
    });
    const listsOfDicts = (levels: number) => {
      let item: unknown = { id: 1 };
      for (let depth = levels; depth > 1; depth--) item = depth % 2 === 0 ? { a: item } : [item];
      return item as Record<string, unknown>;
    };
    const shapes: [string, (levels: number) => Record<string, unknown>, ResourceHints][] = [
      ['dicts', dicts, { name: 'deep_dicts' }],
      ['lists', lists, { name: 'deep_lists', maxTableNesting: 1 }],
      ['lists_of_dicts', listsOfDicts, { name: 'deep_lists_of_dicts' }],
    ];
    for (const [shape, make, hints] of shapes) {
      const item = withKey(make(253), '_dlt_id', 'root0', 'last');
      if (shape === 'lists_of_dicts') {
        // dlt cannot write these: its file names hold the 255-character table name and fail (ENAMETOOLONG)
        const file = join(await tempDir(), `${hints.name}.jsonl`);
        await writeJsonl(file, [item]);
        expect(Object.keys((await normalizedByUs(file, hints)).tables)).toHaveLength(127);
      } else {
        const ours = await compare([item], hints);
        expect(Object.keys(ours.tables).length, shape).toBeGreaterThan(0);
      }

      const tooDeep = join(await tempDir(), `${hints.name}.jsonl`);
      await writeFile(tooDeep, `${JSON.stringify(make(254))}\n`);
      await expect(normalizedByDlt(tooDeep, hints), shape).rejects.toThrow(/Recursion limit reached/);
      await expect(normalizedByUs(tooDeep, hints), shape).rejects.toThrow(
        'the item is nested too deeply: lists and objects 254 levels deep or more',
      );
    }
  }, 180_000);
});

// Two loads with overlapping primary keys into DuckDB, by dlt and by us: after both, the tables
// must hold the same rows (ours read with dlt's DuckDB client, so values print alike).
describe('parity with dlt on loads into DuckDB', () => {
  const volatile = ['_dlt_load_id', '_dlt_valid_from', '_dlt_valid_to'];
  const randomKeys = ['_dlt_id', '_dlt_parent_id', '_dlt_root_id'];

  type Disposition = 'append' | 'replace' | 'upsert' | 'delete-insert' | 'scd2';

  async function loadBoth(disposition: Disposition) {
    const dir = await tempDir();
    const withIds = (seed: number, from: number) =>
      randomItems(seed, 100).map((item, i) => withKey(item, 'id', from + i, 'first'));
    const files = [join(dir, 'first.jsonl'), join(dir, 'second.jsonl')] as const;
    await writeJsonl(files[0], withIds(80, 0));
    await writeJsonl(files[1], withIds(81, 50));

    const ours = join(dir, 'ours.duckdb');
    const destination = await DuckDbDestination.open(ours);
    const storage = new LocalFileStorage(join(dir, 'storage'));
    const hints: ResourceHints =
      disposition === 'append' || disposition === 'replace'
        ? { name: 'mg', writeDisposition: disposition, primaryKey: ['id'] }
        : { name: 'mg', writeDisposition: 'merge', mergeStrategy: disposition, primaryKey: ['id'] };
    for (const file of files)
      await run({
        storage,
        // dlt's pipeline name: the schema is named after it, and the name is part of its hash
        pipeline: 'merge_parity',
        dataset: 'mg',
        destination,
        resources: [{ hints, files: [file] }],
      });
    await destination.close();

    const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_merge.py');
    const { stdout } = await exec(python, [script, ...files, join(dir, 'dlt'), disposition, ours, 'mg'], {
      maxBuffer: 1 << 26,
    });
    return JSON.parse(stdout) as Record<'dlt' | 'ours', Record<string, Record<string, string | null>[]>> & {
      schemas: Record<'dlt' | 'ours', StoredSchema>;
    };
  }

  /** Each table's rows as sorted JSON, leaving out the columns that differ by nature. */
  function contents(tables: Record<string, Record<string, string | null>[]>, ignore: string[]) {
    return Object.fromEntries(
      Object.entries(tables).map(([name, rows]) => [
        name,
        rows
          .map((row) =>
            JSON.stringify(
              Object.entries(row)
                .filter(([column, value]) => value !== null && !ignore.includes(column))
                .sort(),
            ),
          )
          .sort(),
      ]),
    );
  }

  const rootRows: Record<Disposition, number> = {
    append: 200,
    replace: 100,
    upsert: 150,
    'delete-insert': 150,
    scd2: 200,
  };
  for (const disposition of Object.keys(rootRows) as Disposition[]) {
    it(`${disposition}: the same rows in every table after two loads`, async () => {
      const { dlt, ours, schemas } = await loadBoth(disposition);
      // random root keys (all but upsert's and scd2's, which are hashes) are left out of the comparison
      const hashedKeys = disposition === 'upsert' || disposition === 'scd2';
      const ignore = hashedKeys ? volatile : [...volatile, ...randomKeys];
      expect(contents(ours, ignore)).toEqual(contents(dlt, ignore));
      // merged keys were merged, a replaced table replaced
      expect(ours.mg!.length).toBe(rootRows[disposition]);
      // the schema stored with the loads is dlt's, to its hash (only the count of versions before
      // it may differ): dlt restores a pipeline from it and takes it as unchanged
      const content = ({ version: _, previous_hashes: __, ...schema }: StoredSchema) => schema;
      expect(content(schemas.ours)).toEqual(content(schemas.dlt));
    }, 120_000);
  }
});

// A dlt user can point dlt at a dataset Sluice loaded and carry on: dlt rebuilds the pipeline
// from the dataset alone (its schema from `_dlt_version`, its state from `_dlt_pipeline_state`).
describe('dlt taking over a pipeline Sluice loaded', () => {
  it("restores Sluice's schema unchanged (same version and hash) and its state, then loads on", async () => {
    const dir = await tempDir();
    const db = join(dir, 'shop.duckdb');
    const storage = new LocalFileStorage(join(dir, 'storage'));
    // a pulled source's incremental cursor, kept in the state as dlt keeps it
    const cursors = {
      shop_api: {
        resources: { users: { incremental: { updated_at: { last_value: '2024-05-01T00:00:00Z' } } } },
      },
    };
    const destination = await DuckDbDestination.open(db);
    const ours = await run({
      storage,
      pipeline: 'shop',
      dataset: 'shop_data',
      destination,
      resources: [{ hints: { name: 'users' }, items: USERS }],
      sources: () => cursors,
    });
    await destination.close();
    const stored = await loadPipelineSchema(storage, 'shop', 'shop');

    const more = [{ id: 3, name: 'Cleo', pets: [{ id: 4, name: 'Rex', type: 'dog' }], vip: true }];
    const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_restore.py');
    const { stdout } = await exec(python, [
      script,
      db,
      'shop',
      'shop_data',
      join(dir, 'dlt'),
      'users',
      JSON.stringify(more),
    ]);
    const restored = JSON.parse(stdout);

    expect(restored.schema).toEqual({
      name: 'shop',
      version: stored.version,
      version_hash: stored.version_hash,
    });
    expect(restored.tables).toEqual([
      '_dlt_loads',
      '_dlt_pipeline_state',
      '_dlt_version',
      'users',
      'users__pets',
    ]);
    expect(restored.state).toEqual({ dataset_name: 'shop_data', sources: cursors });
    // the state names the destination as dlt does: dlt's load leaves its version and hash as they were
    const { state: ourState } = await readState(storage, 'shop');
    expect(restored.state_after_load).toEqual({
      version: ourState!._state_version,
      version_hash: ourState!._version_hash,
    });
    const check = await DuckDbDestination.open(db);
    try {
      const users = await check.client.query('SELECT name, vip FROM shop_data.users ORDER BY id');
      expect(users.map((u) => [u.name, u.vip])).toEqual([
        ['Alice', null],
        ['Bob', null],
        ['Cleo', true],
      ]);
      const pets = await check.client.query('SELECT count(*) AS n FROM shop_data.users__pets');
      expect(pets[0]!.n).toBe('4');
      const loads = await check.client.query('SELECT load_id FROM shop_data._dlt_loads ORDER BY load_id');
      expect(loads.map((l) => l.load_id)).toEqual([ours.loadId, ...restored.loads]);
    } finally {
      await check.close();
    }
  }, 120_000);
});

// The other way: a dlt user moves a pipeline to Sluice. Sluice, started in a new working folder,
// rebuilds the pipeline from the dataset as dlt's sync_destination does.
describe('Sluice taking over a pipeline dlt loaded', () => {
  it("restores dlt's schema unchanged and its state with the typed cursor, then merges on", async () => {
    const dir = await tempDir();
    const db = join(dir, 'shop.duckdb');
    // created here first: this DuckDB cannot open a file a newer Python DuckDB created
    await (await DuckDbDestination.open(db)).close();
    const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_origin.py');
    const { stdout } = await exec(python, [script, db, 'shop', 'shop_data', join(dir, 'dlt')]);
    const origin = JSON.parse(stdout) as {
      schema: { name: string; version: number; version_hash: string };
      state: { version: number; sources: Record<string, unknown> };
    };

    const storage = new LocalFileStorage(join(dir, 'storage'));
    const destination = await DuckDbDestination.open(db);
    try {
      const restored = await restoreFromDestination({
        storage,
        pipeline: 'shop',
        dataset: 'shop_data',
        destination,
      });
      expect(restored).toEqual({
        stateVersion: origin.state.version,
        schemas: [{ name: 'shop', version: origin.schema.version }],
      });
      const schema = await loadPipelineSchema(storage, 'shop', 'shop');
      expect([schema.version, schema.version_hash]).toEqual([
        origin.schema.version,
        origin.schema.version_hash,
      ]);
      // dlt's datetime cursor, stored as typed JSON, comes back as its ISO text
      expect(await readSourcesState(storage, 'shop')).toEqual(origin.state.sources);
      expect(JSON.stringify(origin.state.sources)).toContain('"last_value":"2024-06-01T00:00:00+00:00"');

      await run({
        storage,
        pipeline: 'shop',
        dataset: 'shop_data',
        destination,
        resources: [
          {
            hints: { name: 'users', writeDisposition: 'merge', primaryKey: ['id'] },
            items: [{ id: 2, name: 'Bobby', updated_at: '2024-07-01T00:00:00Z', pets: [{ name: 'Rex' }] }],
          },
        ],
      });
      const users = await destination.client.query(
        'SELECT u.name, list(p.name ORDER BY p._dlt_list_idx)::VARCHAR AS pets FROM shop_data.users u LEFT JOIN shop_data.users__pets p ON p._dlt_parent_id = u._dlt_id GROUP BY u.id, u.name ORDER BY u.id',
      );
      expect(users.map((u) => [u.name, u.pets])).toEqual([
        ['Alice', '[Fluffy]'],
        ['Bobby', '[Rex]'],
      ]);
      // the state goes on from dlt's version instead of starting over
      const states = await destination.client.query(
        "SELECT max(version) AS version FROM shop_data._dlt_pipeline_state WHERE pipeline_name = 'shop'",
      );
      expect(Number(states[0]!.version)).toBe(origin.state.version + 1);
    } finally {
      await destination.close();
    }
  }, 120_000);
});

describe('Sluice taking over a REST API pipeline dlt pulled', () => {
  it("goes on from the cursor dlt's rest_api source kept, skipping the record dlt loaded at it", async () => {
    const ticks = [
      { id: 1, at: '2024-06-01T00:00:00Z' },
      { id: 2, at: '2024-06-02T00:00:00Z' },
    ];
    const server = await startApiServer({
      '/ticks': (r) => ({ body: ticks.filter((t) => t.at >= (r.query.get('since') ?? '')) }),
    });
    try {
      const dir = await tempDir();
      const db = join(dir, 'feed.duckdb');
      await (await DuckDbDestination.open(db)).close();
      const script = join(repoRoot, 'test', 'support', 'dlt-parity', 'dlt_rest_origin.py');
      await exec(python, [script, server.url, db, 'feed', 'feed_data', join(dir, 'dlt')]);

      ticks.push({ id: 3, at: '2024-06-03T00:00:00Z' });
      const config = join(dir, 'pipelines.mjs');
      const ticksResource = {
        name: 'ticks',
        primaryKey: ['id'],
        source: {
          kind: 'rest_api',
          baseUrl: server.url,
          path: 'ticks',
          incremental: { cursorPath: 'at', param: 'since', initialValue: '2024-01-01T00:00:00Z' },
        },
      };
      await writeFile(
        config,
        `export default ${JSON.stringify({ pipelines: [{ name: 'feed', dataset: 'feed_data', resources: [ticksResource] }] })};\n`,
      );
      const { stdout } = await sluicePull('feed', config, db, join(dir, 'sluice'));
      // dlt named the schema after its source; Sluice goes on with it
      expect(stdout).toMatch(
        /restored from dataset feed_data: state version \d+, schema rest_api version \d+/,
      );
      // dlt's first request, then Sluice's from dlt's last value
      expect(server.requests.map((r) => r.query.get('since'))).toEqual([
        '2024-01-01T00:00:00Z',
        '2024-06-02T00:00:00Z',
      ]);
      const check = await DuckDbDestination.open(db);
      try {
        const rows = await check.client.query('SELECT id FROM feed_data.ticks ORDER BY id');
        expect(rows.map((r) => Number(r.id))).toEqual([1, 2, 3]);
        const loads = await check.client.query('SELECT DISTINCT schema_name FROM feed_data._dlt_loads');
        expect(loads.map((l) => l.schema_name)).toEqual(['rest_api']);
      } finally {
        await check.close();
      }
    } finally {
      await server.close();
    }
  }, 120_000);
});
