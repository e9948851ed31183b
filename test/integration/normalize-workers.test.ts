import { execFile } from 'node:child_process';
import { chmod, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import type { ResourceHints } from '../../shared/normalize/resource.js';
import { packageKeys, packagePrefix } from '../../shared/package/layout.js';
import { extract } from '../../shared/pipeline/extract.js';
import { type NormalizeResult, normalize } from '../../shared/pipeline/normalize.js';
import type { FromWorker } from '../../shared/pipeline/normalize-protocol.js';
import { NormalizeWorker } from '../../shared/pipeline/normalize-worker.js';
import { bundleNormalizeWorker } from '../../shared/pipeline/normalize-worker-entry.js';
import { readPackageSchema } from '../../shared/pipeline/package-io.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { awkwardItems, withKey } from '../support/dlt-parity/random-items.js';
import { tempDir } from '../support/temp-dir.js';
import { normalizeItems } from '../unit/normalize-helpers.js';

const LOAD_ID = '1732190400.123456';
// about 25 lines per chunk, so two workers hold many chunks at once against an older schema
const PARALLEL = { workers: 2, parallel: { minItems: 0, chunkBytes: 2048 } };

/**
 * Lines whose schema keeps changing: a column whose type clashes later (variant), columns first
 * seen deep into the file, one whose first value differs in type between neighbouring chunks,
 * nested lists, lists of scalars and lists of lists, and awkward names.
 */
function lines(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const row: Record<string, unknown> = {
      orderId: i,
      amount: i === 45 ? 'n/a' : i * 1.5,
      // two- to four-byte characters: each thread decodes its lines whole
      'Customer Name': `Zoë ${i % 7} 日本 😀`,
      items: Array.from({ length: i % 3 }, (_, k) => ({
        sku: `s${k}`,
        qty: k + 1,
        ...(i > 300 && { note: 'x' }),
      })),
    };
    if (i >= 100) row.late = i === 130 ? 'soon' : new Date(1_700_000_000_000 + i * 1000).toISOString();
    if (i % 40 === 10) row.flip = i < 90 ? 1 : 'x';
    if (i % 40 === 35) row.flip = 'y';
    if (i % 50 === 0) row.matrix = [[1, 2], [3]];
    if (i % 9 === 0) row.tags = ['a', 'b'];
    if (i >= 200) row.details = { level: { deep: i % 2 === 0 ? i : `odd ${i}` } };
    return JSON.stringify(row);
  });
}

/** A JSONL file both runs read, so errors and quarantine name the same source. */
async function jsonlFile(text: string): Promise<string> {
  const file = join(await tempDir(), 'orders.jsonl');
  await writeFile(file, text);
  return file;
}

type Normalized = { result: NormalizeResult; storage: LocalFileStorage };

async function normalizeFile(
  file: string,
  hints: ResourceHints,
  options: Partial<Parameters<typeof normalize>[0]> = {},
): Promise<Normalized> {
  return normalizeResources([{ hints, files: [file] }], options);
}

async function normalizeResources(
  resources: { hints: ResourceHints; files: string[] }[],
  options: Partial<Parameters<typeof normalize>[0]> = {},
): Promise<Normalized> {
  const dir = await tempDir();
  const storage = new LocalFileStorage(join(dir, 'storage'));
  const base = { storage, pipeline: 'p' };
  await extract({ ...base, dataset: 'd', loadId: LOAD_ID, resources });
  const result = await normalize({ ...base, loadId: LOAD_ID, format: 'parquet', ...options });
  return { result, storage };
}

/** Every table's rows, read back from its Parquet files, without nulls, in a stable order. */
async function rowsOf(storage: LocalFileStorage, result: NormalizeResult): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const [name, entry] of Object.entries(result.jobs.tables)) {
    const rows: string[] = [];
    for (const { key } of entry.files) {
      if (key.endsWith('.jsonl')) {
        const text = await readFile(storage.url(key), 'utf8');
        rows.push(...text.split('\n').filter((line) => line !== ''));
        continue;
      }
      const table = arrow.tableFromIPC(parquet.readParquet(await readFile(storage.url(key))).intoIPCStream());
      for (const row of table) {
        const values = Object.entries(row.toJSON()).filter(([, v]) => v !== null && v !== undefined);
        rows.push(
          JSON.stringify(Object.fromEntries(values), (_, v) => (typeof v === 'bigint' ? `${v}n` : v)),
        );
      }
    }
    tables[name] = rows.sort();
  }
  return tables;
}

describe('normalize in worker threads', () => {
  // upsert gives every row a key from its content, so both runs must produce identical rows
  const hints: ResourceHints = {
    name: 'orders',
    writeDisposition: 'merge',
    mergeStrategy: 'upsert',
    primaryKey: ['orderId'],
  };

  it('produces the schema and rows of a single-thread run, re-normalizing chunks whose schema clashed', async () => {
    const file = await jsonlFile(`${lines(600).join('\n')}\n`);
    const single = await normalizeFile(file, hints);
    const parallel = await normalizeFile(file, hints, PARALLEL);

    expect(single.result.workers).toBeUndefined();
    expect(parallel.result.workers).toMatchObject({ count: 2 });
    expect(parallel.result.workers?.chunks).toBeGreaterThan(20);
    // `flip` is first a number in one chunk and first a string in a neighbouring one
    expect(parallel.result.workers?.reruns).toBeGreaterThan(0);
    expect(parallel.result.items).toBe(600);

    const pkg = packagePrefix('p', LOAD_ID);
    const schemas = await Promise.all(
      [single.storage, parallel.storage].map((s) => readPackageSchema(s, pkg)),
    );
    expect(schemas[1]?.tables).toEqual(schemas[0]?.tables);
    // column order too: it decides the order of the destination's columns
    const columnOrder = (i: number) =>
      Object.values(schemas[i]?.tables ?? {}).map((t) => [t.name, Object.keys(t.columns)]);
    expect(columnOrder(1)).toEqual(columnOrder(0));
    expect(Object.keys(schemas[0]?.tables.orders?.columns ?? {})).toEqual(
      expect.arrayContaining([
        'amount__v_text',
        'late__v_text',
        'flip__v_text',
        'details__level__deep__v_text',
      ]),
    );

    const [rowsSingle, rowsParallel] = await Promise.all([
      rowsOf(single.storage, single.result),
      rowsOf(parallel.storage, parallel.result),
    ]);
    expect(Object.keys(rowsParallel).sort()).toEqual(Object.keys(rowsSingle).sort());
    for (const table of Object.keys(rowsSingle))
      expect(rowsParallel[table], table).toEqual(rowsSingle[table]);
    expect(rowsParallel.orders).toHaveLength(600);
    expect(
      rowsParallel.orders?.filter((row) => row.includes('"customer_name":"Zoë 3 日本 😀"')),
    ).toHaveLength(86);
  });

  it('writes the lines before the first schema change at once and holds the rest for the verdict', async () => {
    const dir = await tempDir();
    const posted: FromWorker[] = [];
    const worker = new NormalizeWorker(
      {
        storage: { kind: 'local', root: dir },
        prefix: 'n/',
        format: 'jsonl',
        limits: { bufferRows: 1 },
        writing: { timeAsText: false },
        loadId: LOAD_ID,
      },
      (message) => posted.push(message),
    );
    const { schema } = normalizeItems([{ id: 1, name: 'a' }], { name: 'orders' });
    await worker.handle({ type: 'schema', version: 0, stored: schema.toStored() });
    const file = { key: 'x', resource: 'orders', source: 'orders.jsonl', unit: 'line' as const, items: 5 };
    const chunk = (id: number, text: string, quarantining = true) =>
      worker.handle({
        type: 'chunk',
        id,
        version: 0,
        source: { file, table: 'orders', quarantining },
        firstLine: 10,
        data: Buffer.from(text),
      });

    await chunk(0, '{"id": 2}\nnot json\n{"id": 3, "name": "c"}\n{"id": 4, "late": true}\n{"id": 5}\n');

    // three lines (two items, one set aside) changed nothing and are in the files already
    expect(posted[0]).toMatchObject({
      type: 'normalized',
      written: { lines: 3, items: 2, tables: ['orders'], quarantined: [{ line: 11, raw: 'not json' }] },
      items: 2,
      tables: ['orders'],
      changes: [{ name: 'orders', columns: [{ after: { name: 'late', data_type: 'bool' } }] }],
    });
    // a chunk that fails against an old schema still reports the lines it wrote before the error
    await chunk(1, '{"id": 6}\n{"id": 7, "broken": \n', false);
    expect(posted[1]).toMatchObject({ type: 'rejected', written: { lines: 1, items: 1 } });

    // rows held for a verdict are dropped on a rerun and written on a commit; the rows written
    // at once stand either way
    await worker.handle({ type: 'verdict', id: 0, commit: false });
    await chunk(2, '{"id": 8, "late": false}\n');
    await worker.handle({ type: 'verdict', id: 2, commit: true });
    await worker.handle({ type: 'close' });
    const [closed] = posted.slice(3);
    if (closed?.type !== 'closed') throw new Error(`expected the closed message, got ${closed?.type}`);
    const ids = [];
    for (const { key } of closed.files)
      for (const line of (await readFile(join(dir, key), 'utf8')).trim().split('\n'))
        ids.push((JSON.parse(line) as { id: number }).id);
    expect(ids.sort((a, b) => a - b)).toEqual([2, 3, 6, 8]);
  });

  it('reports a bad line with the same file and line number as a single-thread run', async () => {
    const all = lines(400);
    all[287] = '{"orderId": 287, "broken": ';
    const file = await jsonlFile(`${all.join('\n')}\n`);
    const failure = (options: Partial<Parameters<typeof normalize>[0]>) =>
      normalizeFile(file, hints, options).then(
        () => 'no error',
        (error: Error) => error.message,
      );

    const [single, parallel] = await Promise.all([failure({}), failure(PARALLEL)]);
    expect(single).toMatch(/orders\.jsonl:288: invalid JSON/);
    expect(parallel).toBe(single);
  });

  it('sets malformed lines of a quarantining resource aside in file order', async () => {
    const all = lines(300);
    for (const i of [3, 140, 299]) all[i] = `not json ${i}`;
    const file = await jsonlFile(all.join('\r\n'));
    const quarantining = { ...hints, onBadRecord: 'quarantine' as const };
    const parallel = await normalizeFile(file, quarantining, PARALLEL);
    const single = await normalizeFile(file, quarantining);

    expect(parallel.result.items).toBe(297);
    const quarantined = async ({ storage, result }: typeof single) => {
      const [entry] = result.jobs.quarantine ?? [];
      const body = entry === undefined ? '' : (await storage.get(entry.key))?.body.toString('utf8');
      return (body ?? '')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { line: number; raw: string });
    };
    const records = await quarantined(parallel);
    expect(records.map((r) => [r.line, r.raw])).toEqual([
      [4, 'not json 3'],
      [141, 'not json 140'],
      [300, 'not json 299'],
    ]);
    expect(records).toEqual(await quarantined(single));
    expect(await rowsOf(parallel.storage, parallel.result)).toEqual(
      await rowsOf(single.storage, single.result),
    );
  });

  it('gives single-thread results on awkward items: integer-like keys, keys of one name, other scripts', async () => {
    const items = awkwardItems(1301, 250).map((item, i) => withKey(item, 'orderId', i, 'first'));
    const file = await jsonlFile(items.map((item) => `${toJsonLine(item)}\n`).join(''));
    const single = await normalizeFile(file, hints);
    const parallel = await normalizeFile(file, hints, PARALLEL);
    expect(parallel.result.workers?.reruns).toBeGreaterThan(5);

    const pkg = packagePrefix('p', LOAD_ID);
    const schemas = await Promise.all(
      [single.storage, parallel.storage].map((s) => readPackageSchema(s, pkg)),
    );
    const columnOrder = (i: number) =>
      Object.values(schemas[i]?.tables ?? {}).map((t) => [t.name, Object.entries(t.columns)]);
    expect(columnOrder(1)).toEqual(columnOrder(0));
    const [rowsSingle, rowsParallel] = await Promise.all([
      rowsOf(single.storage, single.result),
      rowsOf(parallel.storage, parallel.result),
    ]);
    expect(rowsParallel).toEqual(rowsSingle);
    expect(Object.keys(rowsSingle).length).toBeGreaterThan(20);
  });

  it('gives single-thread results for JSONL output and for several files and resources', async () => {
    const orders = await jsonlFile(`${lines(300).join('\n')}\n`);
    const more = await jsonlFile(lines(250).reverse().join('\n'));
    const resources = [
      { hints, files: [orders, more] },
      { hints: { ...hints, name: 'events' }, files: [more] },
    ];
    for (const format of ['jsonl', 'parquet'] as const) {
      const single = await normalizeResources(resources, { format });
      const parallel = await normalizeResources(resources, { ...PARALLEL, format });
      expect(parallel.result.workers?.chunks).toBeGreaterThan(10);
      expect(parallel.result.items).toBe(800);
      expect(Object.keys(parallel.result.jobs.tables).sort()).toEqual(
        Object.keys(single.result.jobs.tables).sort(),
      );
      expect(parallel.result.jobs.tables.events?.rows).toBe(250);
      expect(await rowsOf(parallel.storage, parallel.result)).toEqual(
        await rowsOf(single.storage, single.result),
      );
    }
  });

  it('fails, without hanging or marking the package, when a worker cannot write its files', async () => {
    const dir = await tempDir();
    const storage = new LocalFileStorage(join(dir, 'storage'));
    const file = await jsonlFile(`${lines(300).join('\n')}\n`);
    await extract({
      storage,
      pipeline: 'p',
      dataset: 'd',
      loadId: LOAD_ID,
      resources: [{ hints, files: [file] }],
    });
    const pkg = packagePrefix('p', LOAD_ID);
    // a file where the data files' folder should be: every write under it fails
    await storage.put(packageKeys.normalizedPrefix(pkg).slice(0, -1), 'in the way');

    const failure = await normalize({
      storage,
      pipeline: 'p',
      loadId: LOAD_ID,
      format: 'parquet',
      ...PARALLEL,
    }).then(
      () => undefined,
      (error: Error) => error,
    );

    // the worker's error, as one line (its stack stays the error's stack)
    expect(failure?.message).toMatch(/^EEXIST: file already exists, mkdir '.*normalized'$/);
    expect(failure?.stack).toMatch(/LocalFileStorage\.putStream/);
    expect(await storage.get(packageKeys.stage(pkg, 'normalized'))).toBeUndefined();
  });

  it('keeps packages under a schema contract other than evolve in one thread', async () => {
    const frozen = { ...hints, schemaContract: { columns: 'discard_value' as const } };
    const { result } = await normalizeFile(await jsonlFile(`${lines(100).join('\n')}\n`), frozen, PARALLEL);
    expect(result.workers).toBeUndefined();
    expect(result.items).toBe(100);
  });

  it('writes every file it lists, and only under the package', async () => {
    const { result, storage } = await normalizeFile(
      await jsonlFile(`${lines(300).join('\n')}\n`),
      hints,
      PARALLEL,
    );
    const prefix = packageKeys.normalizedPrefix(packagePrefix('p', LOAD_ID));
    const listed = Object.values(result.jobs.tables).flatMap((t) => t.files.map((f) => f.key));
    const stored = (await storage.list(prefix)).map((o) => o.key).filter((key) => key.endsWith('.parquet'));
    expect(listed.sort()).toEqual(stored.sort());
    expect(Object.values(result.jobs.tables).reduce((n, t) => n + t.rows, 0)).toBeGreaterThan(300);
  });

  it('runs from the CLI with --workers, and refuses a count below 1', async () => {
    const exec = promisify(execFile);
    const cli = join(import.meta.dirname, '../../bin/sluice.js');
    const dir = await tempDir();
    // 350,000 short lines: at the threshold of a run from the TypeScript sources, over several 2 MB chunks
    const file = await jsonlFile(
      Array.from({ length: 350_000 }, (_, i) => JSON.stringify({ id: i, tags: [i] })).join('\n'),
    );
    const run = (workers: string) =>
      exec(process.execPath, [cli, 'run', file, '--pipeline', 'w', '--workdir', dir, '--workers', workers]);

    const { stdout } = await run('2');
    // one file per worker and table in the summary (table, rows, files, bytes)
    expect(stdout).toMatch(/^\s*orders\s+350000\s+2\s/m);
    expect(stdout).toMatch(/^\s*orders__tags\s+350000\s+2\s/m);
    const refused = await run('0').catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect(String((refused as { stderr: string }).stderr)).toMatch(/--workers.*a whole number, 1 or more/);
  });
});

describe('the worker entry from the TypeScript sources', () => {
  it('is bundled once into a private folder beside the Parquet .wasm, repaired when cut short, and not written into a folder open to others', async () => {
    // a temp folder of its own: runs elsewhere in the suite use the shared one meanwhile
    const root = await tempDir();
    const first = fileURLToPath(await bundleNormalizeWorker(root));
    const folder = dirname(first);
    expect(dirname(folder)).toBe(root);
    expect(fileURLToPath(await bundleNormalizeWorker(root))).toBe(first);
    expect(((await stat(folder)).mode & 0o777).toString(8)).toBe('700');
    // the link parquet-wasm's glue code reads from beside the bundle
    expect((await readFile(join(folder, 'parquet_wasm_bg.wasm'))).subarray(0, 4)).toEqual(
      Buffer.from([0, 0x61, 0x73, 0x6d]),
    );

    // a temp folder cleaner took the file: the folder is written again
    const whole = await readFile(first);
    await writeFile(first, '');
    expect(fileURLToPath(await bundleNormalizeWorker(root))).toBe(first);
    expect((await readFile(first)).equals(whole)).toBe(true);

    await chmod(folder, 0o755);
    try {
      const own = fileURLToPath(await bundleNormalizeWorker(root));
      expect(dirname(own)).not.toBe(folder);
      expect((await readFile(own)).equals(await readFile(first))).toBe(true);
      await rm(dirname(own), { recursive: true });
    } finally {
      await chmod(folder, 0o700);
    }
  });
});
