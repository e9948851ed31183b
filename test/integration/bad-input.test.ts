import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

async function setup() {
  const dir = await tempDir();
  const p = await localPipeline(dir);
  const file = async (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };
  return { dir, p, file };
}

describe('bad input', () => {
  it('a malformed JSON line fails the package naming file and line, and loads nothing of it', async () => {
    const { p, file } = await setup();
    await p.run({ name: 't' }, { items: [{ a: 1 }] });
    const bad = await file('bad.jsonl', '{"a": 2}\n\n{"a": 3,,}\n{"a": 4}\n');

    const run = p.run({ name: 't' }, { files: [bad] });

    await expect(run).rejects.toThrow(`${bad}:3: invalid JSON`);
    expect(await p.query('SELECT a FROM test_data.t')).toEqual([{ a: '1' }]);
    expect(await p.query('SELECT count(*) AS n FROM test_data._dlt_loads')).toEqual([{ n: '1' }]);
  });

  it('broken JSON in a .json file is refused with the line and column it breaks at, gzipped too', async () => {
    const { p, file } = await setup();
    const array = await file('bad.json', '[\n {"a": 1},\n {"a": 2,},\n {"a": 3}\n]\n');
    const documents = await file('bad2.json', '{"a": 1}\n{"a": 2 "b": 3}\n');
    const gzipped = await file('bad3.json.gz', gzipSync('[\n {"a": 1},\n {"a": 2,},\n {"a": 3}\n]\n'));

    await expect(p.run({ name: 't' }, { files: [array] })).rejects.toThrow(
      `${array}:3: invalid JSON: unexpected token '}' (column 10)`,
    );
    await expect(p.run({ name: 't' }, { files: [documents] })).rejects.toThrow(
      `${documents}:2: invalid JSON: expected ',' (column 9)`,
    );
    await expect(p.run({ name: 't' }, { files: [gzipped] })).rejects.toThrow(`${gzipped}:3: invalid JSON`);
    // well-formed, but the path names no array
    const notArray = await file('items.json', '{"data": {"items": 5}}');
    await expect(
      p.run({ name: 't' }, { files: [notArray], read: { jsonPath: 'data.items' } }),
    ).rejects.toThrow(
      new RegExp(`${notArray.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: data\\.items is not an array$`),
    );
    // broken inside the array at the path: the line too
    const brokenAtPath = await file('at-path.json', '{"data": {"items": [{"id": 1},\n{"id": }]}}');
    await expect(
      p.run({ name: 't' }, { files: [brokenAtPath], read: { jsonPath: 'data.items' } }),
    ).rejects.toThrow(`${brokenAtPath}:2: invalid JSON`);
  });

  it('text with half a surrogate pair is refused with its line and key; whole pairs load', async () => {
    const { p, file } = await setup();
    const bad = await file('half.jsonl', '{"a": "\\ud83d\\ude00"}\n{"a": "x", "b": [{"c": "x\\ud800y"}]}\n');
    await expect(p.run({ name: 't' }, { files: [bad] })).rejects.toThrow(
      `${bad}:2: text at b.0.c holds half a UTF-16 surrogate pair`,
    );
    const good = await file('pair.jsonl', '{"a": "\\ud83d\\ude00"}\n');
    await p.run({ name: 't' }, { files: [good] });
    expect(await p.query('SELECT a FROM test_data.t')).toEqual([{ a: '😀' }]);
  });

  it('a key of nesting separators only, which names no column, is refused with its line and table', async () => {
    const { p, file } = await setup();
    const bad = await file('sep.jsonl', '{"a": 1}\n{"a": 2, "b": {" __ ": 3}}\n');
    await expect(p.run({ name: 't' }, { files: [bad] })).rejects.toThrow(
      `${bad}:2: key " __ " of table t gives no column name: it holds only the nesting separator __`,
    );
    // a blank key is dlt's `_empty`, and `_` alone its `x`
    const blank = await file('blank.jsonl', '{"": 1, "_": 2}\n');
    await p.run({ name: 't' }, { files: [blank] });
    expect(await p.query('SELECT _empty, x FROM test_data.t')).toEqual([{ _empty: '1', x: '2' }]);
  });

  it('an item nested 254 levels deep is refused with its file and line or record, as dlt refuses it', async () => {
    const { p, file } = await setup();
    // lists and objects `levels` deep, the item itself counted: 254 is where dlt's extract refuses
    // items (its writer, orjson, refuses 255 levels, and writes items in a list)
    const lists = (levels: number) => `{"id": 2, "x": ${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;
    const dicts = (levels: number) => `${'{"a": '.repeat(levels - 1)}{"id": 2}${'}'.repeat(levels - 1)}`;
    const tooDeep = 'the item is nested too deeply: lists and objects 254 levels deep or more';

    for (const [shape, levels] of [
      [lists, 254],
      [dicts, 254],
      [lists, 20_000],
    ] as const) {
      const jsonl = await file('deep.jsonl', `{"id": 1}\n${shape(levels)}\n`);
      const json = await file('deep.json', `[{"id": 1}, ${shape(levels)}]`);
      await expect(p.run({ name: 't' }, { files: [jsonl] })).rejects.toThrow(`${jsonl}:2: ${tooDeep}`);
      await expect(p.run({ name: 't' }, { files: [json] })).rejects.toThrow(`${json}: record 2: ${tooDeep}`);
      await expect(p.run({ name: 't' }, { items: [JSON.parse(shape(levels))] })).rejects.toThrow(tooDeep);
    }
    // a surrogate escape sends the line through a recursive search for half pairs before the
    // measure; where that runs out of stack, the refusal is the same
    const escaped = await file('escaped.jsonl', `{"s": "\\ud83d\\ude00", "x": ${lists(20_000)}}\n`);
    await expect(p.run({ name: 't' }, { files: [escaped] })).rejects.toThrow(`${escaped}:1: ${tooDeep}`);
    // past the nesting limit a list is a json column's text: measured from the item, not the column
    const listedDeep = await file('json-column.jsonl', `${lists(254)}\n`);
    await expect(p.run({ name: 't', maxTableNesting: 0 }, { files: [listedDeep] })).rejects.toThrow(
      `${listedDeep}:1: ${tooDeep}`,
    );
    expect(
      await p.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = '_dlt_loads'"),
    ).toEqual([{ n: '0' }]);

    // one level less loads, as in dlt
    await p.run({ name: 't', maxTableNesting: 0 }, { files: [await file('ok.jsonl', `${lists(253)}\n`)] });
    await p.run({ name: 'd' }, { files: [await file('ok.json', `[${dicts(253)}]`)] });
    expect(await p.query('SELECT length(CAST(x AS VARCHAR)) AS n FROM test_data.t')).toEqual([
      { n: String(2 * 252) },
    ]);
    expect(await p.query('SELECT count(*) AS n FROM test_data.d')).toEqual([{ n: '1' }]);
  });

  it('a .gz file that is not gzip is refused by name', async () => {
    const { p, file } = await setup();
    const bad = await file('plain.jsonl.gz', '{"a": 1}\n');
    await expect(p.run({ name: 't' }, { files: [bad] })).rejects.toThrow(
      `${bad}: file name ends in .gz but the content is not gzip`,
    );
  });

  it('a truncated gzip stream is refused by name, in every text format', async () => {
    const { p, file } = await setup();
    const cut = (text: string) => {
      const whole = gzipSync(Buffer.from(text));
      return whole.subarray(0, whole.length - 20);
    };
    const bad = [
      await file('cut.jsonl.gz', cut('{"a": 1}\n'.repeat(1000))),
      // CSV and JSON readers pipe the stream into a parser, which must hear of the failure too
      await file('cut.csv.gz', cut(`a\n${'1\n'.repeat(1000)}`)),
      await file('cut.json.gz', cut(`[${'{"a": 1},'.repeat(1000)}{"a": 1}]`)),
    ];
    for (const path of bad)
      await expect(p.run({ name: 't' }, { files: [path] })).rejects.toThrow(
        `${path}: content is not valid gzip: unexpected end of file`,
      );
  });

  it('text that is not UTF-8 is refused with its line, in every text format', async () => {
    const { p, file } = await setup();
    // `café` in Latin-1, after lines with multi-byte characters
    const latin1 = (before: string, after: string) =>
      Buffer.concat([Buffer.from(before), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(after)]);
    const cases: [string, number][] = [
      [await file('l.jsonl', latin1('{"a": "ü"}\n{"a": "€"}\n{"a": "', '"}\n')), 3],
      [await file('l.csv', latin1('a\nü\n', '\n')), 3],
      [await file('l.json.gz', gzipSync(latin1('[{"a": "😀"},\n{"a": "', '"}]'))), 2],
    ];
    for (const [path, line] of cases)
      await expect(p.run({ name: 't' }, { files: [path] })).rejects.toThrow(
        `${path}:${line}: not valid UTF-8 text`,
      );
  });

  it('an unknown format and an empty file are refused by name', async () => {
    const { p, file } = await setup();
    const xml = await file('data.xml', '<a/>');
    const empty = await file('empty.jsonl', '');
    await expect(p.run({ name: 't' }, { files: [xml] })).rejects.toThrow(`${xml}: unknown file format`);
    const odd = await file('data.constructor', '{}');
    await expect(p.run({ name: 't' }, { files: [odd] })).rejects.toThrow(`${odd}: unknown file format`);
    await expect(p.run({ name: 't' }, { files: [empty] })).rejects.toThrow(`${empty}: file is empty`);
    // nothing inside the gzip is empty too, in every format
    for (const name of ['empty.json.gz', 'empty.jsonl.gz', 'empty.csv.gz']) {
      const inflatesToNothing = await file(name, gzipSync(Buffer.alloc(0)));
      await expect(p.run({ name: 't' }, { files: [inflatesToNothing] })).rejects.toThrow(
        `${inflatesToNothing}: file is empty`,
      );
    }
  });

  it('a value that breaks a frozen contract names the file, line, table and column', async () => {
    const { p, file } = await setup();
    await p.run({ name: 't' }, { items: [{ a: 1 }] });
    const bad = await file('more.jsonl', '{"a": 2}\n{"a": 3, "b": "x"}\n');

    const run = p.run({ name: 't', schemaContract: 'freeze' }, { files: [bad] });

    await expect(run).rejects.toThrow(`${bad}:2: frozen schema contract: data adds column b of table t`);
    expect(await p.query('SELECT count(*) AS n FROM test_data.t')).toEqual([{ n: '1' }]);
  });

  it('items for a nested table, or a list whose nested table is a table of its own, name the clash', async () => {
    const { p, file } = await setup();
    await p.run({ name: 'orders' }, { items: [{ id: 1, items: [{ sku: 'a' }] }] });
    const nestedName = await file('orders__items.jsonl', '{"sku": "b"}\n');

    await expect(p.run({ name: 'orders__items' }, { files: [nestedName] })).rejects.toThrow(
      `${nestedName}:1: table orders__items is nested in orders`,
    );
    expect(await p.query('SELECT sku FROM test_data.orders__items')).toEqual([{ sku: 'a' }]);

    await p.run({ name: 'x__lines' }, { items: [{ sku: 'c' }] });
    const listed = await file('x.jsonl', '{"id": 2}\n{"id": 3, "lines": [{"sku": "d"}]}\n');
    await expect(p.run({ name: 'x' }, { files: [listed] })).rejects.toThrow(
      `${listed}:2: the list lines of table x would go to nested table x__lines, which is a table of its own`,
    );
    expect(await p.query('SELECT sku FROM test_data.x__lines')).toEqual([{ sku: 'c' }]);
    expect(await p.query('SELECT count(*) AS n FROM test_data._dlt_loads')).toEqual([{ n: '2' }]);
  });

  it('a stored schema broken by hand names its file and field, and the run loads nothing', async () => {
    const { p } = await setup();
    await p.run({ name: 't' }, { items: [{ a: 1 }] });
    const key = 'test_pipeline/schemas/test_pipeline.json';
    const stored = JSON.parse((await p.storage.get(key))!.body.toString('utf8'));
    stored.tables.t.columns.a.data_type = 'integer';
    await p.storage.put(key, JSON.stringify(stored));

    const run = p.run({ name: 't' }, { items: [{ a: 2 }] });

    await expect(run).rejects.toThrow(
      /^invalid schema test_pipeline\/schemas\/test_pipeline\.json: tables\.t\.columns\.a\.data_type: /,
    );
    expect(await p.query('SELECT count(*) AS n FROM test_data.t')).toEqual([{ n: '1' }]);
  });

  it('a CSV with a broken row names the file and line', async () => {
    const { p, file } = await setup();
    const bad = await file('rows.csv', 'a,b\n1,2\n3,"x\n');
    await expect(p.run({ name: 't' }, { files: [bad] })).rejects.toThrow(`${bad}`);
  });

  it('a load that fails half-way leaves no _dlt_loads row and none of the package rows', async () => {
    const { p } = await setup();
    await p.run({ name: 't' }, { items: [{ a: 1 }] });
    await p.query('ALTER TABLE test_data.t ADD CONSTRAINT small CHECK (a < 10)').catch(() => undefined);
    await p.query('CREATE TABLE test_data.guard (x BIGINT)');
    await p.query('DROP TABLE test_data.t');
    await p.query(
      'CREATE TABLE test_data.t (a BIGINT CHECK (a < 10), _dlt_load_id VARCHAR NOT NULL, _dlt_id VARCHAR NOT NULL)',
    );

    const run = p.run({ name: 't' }, { items: [{ a: 5, kids: [1, 2] }, { a: 50 }] });

    await expect(run).rejects.toThrow(/CHECK constraint/i);
    expect(await p.query('SELECT count(*) AS n FROM test_data._dlt_loads')).toEqual([{ n: '1' }]);
    expect(await p.query('SELECT count(*) AS n FROM test_data.t')).toEqual([{ n: '0' }]);
    const kids = await p.query(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 't__kids'",
    );
    expect(kids).toEqual([{ n: '0' }]);
  });
});

describe('sluice CLI', () => {
  const exec = promisify(execFile);
  const cli = join(import.meta.dirname, '../../bin/sluice.js');

  it('says its version', async () => {
    const { version } = JSON.parse(await readFile(join(import.meta.dirname, '../../package.json'), 'utf8'));
    expect((await exec(process.execPath, [cli, '--version'])).stdout.trim()).toBe(version);
  });

  it('prints one line naming file and line and exits non-zero on bad input', async () => {
    const { dir, file } = await setup();
    const bad = await file('bad.jsonl', '{"a": 1}\n{oops\n');

    const failure = await exec(process.execPath, [
      cli,
      'run',
      bad,
      '--pipeline',
      'p',
      '--workdir',
      join(dir, 'w'),
    ]).catch((e) => e);

    expect(failure.code).toBe(1);
    const lines = String(failure.stderr).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^sluice: error: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: invalid JSON`),
    );
  });

  it('takes a folder of any-case file names, a CSV delimiter and null markers, a JSON path and an encoding', async () => {
    const { dir, file } = await setup();
    const workdir = join(dir, 'w');
    await mkdir(join(dir, 'in'));
    await file('in/EXPORT.CSV', 'id;amount\n1;2.5\n2;3\n');
    await file('in/tabs.tsv', 'id\tname\n1\tx\n');
    await file('in/pages.json', '{"data": {"items": [{"id": 1}, {"id": 2}, {"id": 3}]}}');
    await file('in/README.md', '# exports');
    // sniffing alone would split this header on the comma (a tie goes to the comma)
    const told = await file('told.csv', 'a;b,c\n1;2,3\n');
    const run = (...args: string[]) =>
      exec(process.execPath, [cli, 'run', ...args, '--pipeline', 'files', '--workdir', workdir]);

    const folder = await run(join(dir, 'in'), '--json-path', 'data.items');
    await run(told, '--csv-delimiter', ';');
    const latin = await file('latin.csv', Buffer.from('id,name\n1,Zoë\n', 'latin1'));
    const fromLatin = await run(latin, '--encoding', 'latin1');
    // a database export's null markers: without them `price` would be text, then a variant
    const nulls = await file('nulls.csv', 'id,price,note\n1,NULL,\\N\n2,2.5,"NULL"\n');
    await run(nulls, '--csv-null', 'NULL', '--csv-null', '\\N');
    const refused = await run(told, '--csv-delimiter', 'ab').catch((error) => error);
    const unknown = await run(latin, '--encoding', 'klingon').catch((error) => error);
    const info = await exec(process.execPath, [cli, 'info', '--pipeline', 'files', '--workdir', workdir]);

    expect(folder.stdout).toMatch(/^\s*export\s+2\s+1\s/m);
    expect(folder.stdout).toMatch(/^\s*tabs\s+1\s+1\s/m);
    expect(folder.stdout).toMatch(/^\s*pages\s+3\s+1\s/m);
    expect(folder.stderr).toMatch(/sluice: skipped 1 file of no known format in .*\/in: README\.md/);
    expect(info.stdout).toMatch(/^\s*amount\s+double/m);
    expect(info.stdout).toMatch(/^\s*b_c\s+text/m);
    expect(info.stdout).toMatch(/^\s*price\s+double/m);
    expect(info.stdout).not.toMatch(/price__v_text|^\s*note\s/m);
    expect(refused).toMatchObject({ code: 1 });
    expect(String(refused.stderr)).toMatch(/--csv-delimiter.*one character/);
    expect(fromLatin.stdout).toMatch(/^\s*latin\s+1\s+1\s/m);
    expect(String(unknown.stderr)).toMatch(/--encoding.*an encoding such as latin1/);
  });

  it('starts a pipeline over with --refresh', async () => {
    const { dir, file } = await setup();
    const workdir = join(dir, 'w');
    const run = (...args: string[]) =>
      exec(process.execPath, [cli, 'run', ...args, '--pipeline', 'again', '--workdir', workdir]);
    await run(await file('codes.csv', 'code,label\n7,x\n'));
    await mkdir(join(dir, 'next'));
    const text = await file('next/codes.csv', 'code\nA1\nB2\n');
    await run(text);
    const before = await exec(process.execPath, [cli, 'info', '--pipeline', 'again', '--workdir', workdir]);

    await run(text, '--refresh');
    const after = await exec(process.execPath, [cli, 'info', '--pipeline', 'again', '--workdir', workdir]);

    // without a refresh the codes went to a variant of the number column
    expect(before.stdout).toMatch(/^\s*code__v_text\s+text/m);
    expect(after.stdout).toMatch(/^\s*code\s+text/m);
    expect(after.stdout).not.toMatch(/code__v_text|^\s*label\s/m);
    const rows = await exec(process.execPath, [
      cli,
      'query',
      '--pipeline',
      'again',
      '--workdir',
      workdir,
      'SELECT code FROM again_dataset.codes ORDER BY code',
    ]);
    expect(rows.stdout.trim().split('\n')).toHaveLength(5 + 2);
  });

  it('runs a folder into DuckDB and shows the schema with info', async () => {
    const { dir } = await setup();
    const workdir = join(dir, 'w');

    const ran = await exec(process.execPath, [
      cli,
      'run',
      'test/fixtures/sample',
      '--pipeline',
      'sample',
      '--workdir',
      workdir,
    ]);
    const info = await exec(process.execPath, [cli, 'info', '--pipeline', 'sample', '--workdir', workdir]);

    // 10 customers, 40 orders, 25 events: the pipeline state's row is not an item of the data
    expect(ran.stdout).toMatch(/items extracted: 75\n/);
    expect(ran.stdout).toMatch(/orders__items\s+73\s+1/);
    expect(ran.stdout).toMatch(/seconds: extract [\d.]+, normalize [\d.]+, load [\d.]+/);
    expect(info.stdout).toMatch(/status_code__v_text\s+text\s+variant/);
    expect(info.stdout).toMatch(/\d+\.\d{6}\s+loaded\s+customers=10/);

    // the summary's query runs as printed, though the database is not where query looks by default
    const hint = /^query it: npx sluice (.*)$/m.exec(ran.stdout)?.[1];
    expect(hint).toContain(`--duckdb-file ${join(workdir, 'sample.duckdb')}`);
    const words = (hint ?? '').match(/"[^"]*"|\S+/g)!.map((word) => word.replace(/^"(.*)"$/, '$1'));
    const queried = await exec(process.execPath, [cli, ...words]);
    expect(queried.stdout).toMatch(/customer_id/);
    // the box's four lines, a line a row, and the row count
    expect(queried.stdout.trim().split('\n')).toHaveLength(5 + 10);
    expect(queried.stdout.trim()).toMatch(/\n10 rows$/);

    // a pipeline that loaded nothing there is named, and no empty database is left behind
    const missing = await exec(process.execPath, [
      cli,
      'query',
      '--pipeline',
      'nothing',
      '--workdir',
      workdir,
      'SELECT 1',
    ]).catch((error) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect(String(missing.stderr)).toMatch(/pipeline nothing has no DuckDB database at .*nothing\.duckdb/);
    expect(existsSync(join(workdir, 'nothing.duckdb'))).toBe(false);
  });
});
