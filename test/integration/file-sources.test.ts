import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
import { TableFileWriters } from '../../shared/formats/table-files.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { type ReadOptions, readFileRecords, readObjectRecords } from '../../shared/sources/file-items.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import { duckdbColumnType } from '../support/duckdb-columns.js';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

/** A file's records; a JSON file's items (passed on as their text) parsed as normalize parses them. */
async function collect(path: string, options: ReadOptions = {}) {
  const json = /\.json(\.gz)?$/.test(path);
  const out = [];
  for await (const record of readFileRecords(path, options))
    out.push(json && 'raw' in record ? { n: record.n, item: parseJson(record.raw) } : record);
  return out;
}

describe('file sources', () => {
  it('names the line of a JSON Lines file that is longer than one string can hold', async () => {
    const path = join(await tempDir(), 'huge.jsonl');
    await writeFile(path, Buffer.concat([Buffer.from('{"a":1}\n'), Buffer.alloc(2 ** 29 - 23, 0x61)]));
    await expect(collect(path)).rejects.toThrow(
      /huge\.jsonl:2: a line of 536,870,889 bytes is longer than one string can hold/,
    );
  });

  it('reads a JSON array item by item, a JSON object as one item, and JSONL as raw lines', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'a.json'), JSON.stringify([{ a: 1 }, { a: 2 }]));
    await writeFile(join(dir, 'o.json.gz'), gzipSync(JSON.stringify({ one: { nested: true } })));
    await writeFile(join(dir, 'l.ndjson'), '{"a":1}\r\n{"a":2}');

    expect(await collect(join(dir, 'a.json'))).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
    ]);
    expect(await collect(join(dir, 'o.json.gz'))).toEqual([{ n: 1, item: { one: { nested: true } } }]);
    // the first token decides, however much whitespace comes before it
    await writeFile(join(dir, 'padded.json'), `${' '.repeat(100)}\n[{"a": 1}, {"a": 2}]`);
    expect(await collect(join(dir, 'padded.json'))).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
    ]);
    expect(await collect(join(dir, 'l.ndjson'))).toEqual([
      { n: 1, raw: '{"a":1}' },
      { n: 2, raw: '{"a":2}' },
    ]);
    // a byte order mark (files saved on Windows) opens the file, not the first item
    await writeFile(join(dir, 'bom.jsonl'), '\ufeff{"a":1}\n{"a":2}\n');
    await writeFile(join(dir, 'bom.json'), '\ufeff[{"a":1}]');
    expect(await collect(join(dir, 'bom.jsonl'))).toEqual([
      { n: 1, raw: '{"a":1}' },
      { n: 2, raw: '{"a":2}' },
    ]);
    expect(await collect(join(dir, 'bom.json'))).toEqual([{ n: 1, item: { a: 1 } }]);
    // documents one after another: JSON Lines saved as .json (Spark), concatenated records (Firehose)
    await writeFile(join(dir, 'lines.json'), '{"a":1}\n{"a":2}\n');
    await writeFile(join(dir, 'joined.json'), '{"a":1}{"a":2}[{"a":3}]');
    await writeFile(join(dir, 'array-first.json'), '[{"a":1}]\n{"a":2}');
    expect(await collect(join(dir, 'lines.json'))).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
    ]);
    expect(await collect(join(dir, 'joined.json'))).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
      { n: 3, item: { a: 3 } },
    ]);
    await writeFile(join(dir, 'pages.json'), '{"data":{"items":[{"a":1}]}}\n{"data":{"items":[{"a":2}]}}');
    expect(await collect(join(dir, 'pages.json'), { jsonPath: 'data.items' })).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
    ]);
    // a top-level array gives its elements, any other document is one item, in any order
    expect(await collect(join(dir, 'array-first.json'))).toEqual([
      { n: 1, item: { a: 1 } },
      { n: 2, item: { a: 2 } },
    ]);
  });

  it('reads JSON numbers exactly: integers past 2^53 stay exact, 1.0 stays a float (JSONL, arrays, paths)', async () => {
    const dir = await tempDir();
    const p = await localPipeline(dir);
    const text = '{"id": 9007199254740993, "x": 1.0, "n": 2}';
    await writeFile(join(dir, 'array.json'), `[${text}, [1.0, 12345678901234567890]]`);
    await writeFile(join(dir, 'doc.json'), `{"data": {"items": [${text}]}, "total": 1.0}`);
    await writeFile(join(dir, 'lines.jsonl'), `${text}\n`);

    expect(await collect(join(dir, 'array.json'))).toEqual([
      { n: 1, item: { id: 9007199254740993n, x: new JsonFloat(1), n: 2 } },
      { n: 2, item: [new JsonFloat(1), 12345678901234567890n] },
    ]);
    expect(await collect(join(dir, 'doc.json'), { jsonPath: 'data.items' })).toEqual([
      { n: 1, item: { id: 9007199254740993n, x: new JsonFloat(1), n: 2 } },
    ]);
    expect(await collect(join(dir, 'doc.json'))).toEqual([
      {
        n: 1,
        item: {
          data: { items: [{ id: 9007199254740993n, x: new JsonFloat(1), n: 2 }] },
          total: new JsonFloat(1),
        },
      },
    ]);

    // through the package (which re-serializes parsed items) into the destination, as dlt types them
    for (const file of ['array.json', 'lines.jsonl'])
      await p.run({ name: 'exact' }, { files: [join(dir, file)] });
    expect(
      await p.query('SELECT CAST(id AS VARCHAR) AS id, x FROM test_data.exact WHERE id IS NOT NULL'),
    ).toEqual([
      { id: '9007199254740993', x: 1 },
      { id: '9007199254740993', x: 1 },
    ]);
    expect(await duckdbColumnType(p, 'exact', 'x')).toBe('DOUBLE');
  });

  it('inflates gzip content whatever the name says, in files and in dropped objects', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'events.jsonl'), gzipSync('{"a":1}\n{"a":2}\n'));
    await writeFile(join(dir, 'export.csv'), gzipSync('id,name\n1,x\n'));
    await writeFile(join(dir, 'doc.json'), gzipSync('[{"a":1}]'));
    expect(await collect(join(dir, 'events.jsonl'))).toEqual([
      { n: 1, raw: '{"a":1}' },
      { n: 2, raw: '{"a":2}' },
    ]);
    expect(await collect(join(dir, 'export.csv'))).toEqual([{ n: 2, item: { id: 1, name: 'x' } }]);
    expect(await collect(join(dir, 'doc.json'))).toEqual([{ n: 1, item: { a: 1 } }]);
    // an S3 object uploaded with `--content-encoding gzip` keeps its plain name
    const object = { name: 'inbox/orders.json', open: async () => Readable.from([gzipSync('{"b":2}')]) };
    const records = [];
    for await (const record of readObjectRecords(object)) records.push(record);
    expect(records).toEqual([{ n: 1, raw: '{"b":2}' }]);
    // gzip cut short is refused by name, as with a `.gz` name
    await writeFile(join(dir, 'cut.jsonl'), gzipSync('{"a":1}\n'.repeat(1000)).subarray(0, 30));
    await expect(collect(join(dir, 'cut.jsonl'))).rejects.toThrow(
      `${join(dir, 'cut.jsonl')}: content is not valid gzip`,
    );
  });

  it('types CSV fields: numbers, booleans, empty as null, codes with leading zeros as text', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'c.csv'),
      'id,name,score,ok,zip,yes,version\n1,"Doe, Jane",2.5,true,"01234",TRUE,n/a\n2,,,false,99,False,1.50\n3,,,,,,1e3\n4,,,,,,TRUE\n',
    );

    // a column with text among its first rows is text, each field as written: the code 99 beside
    // 01234, and the version 1.50 beside n/a (not 1.5), 1e3 (not 1000.0) and TRUE (not True)
    expect(await collect(join(dir, 'c.csv'))).toEqual([
      {
        n: 2,
        item: { id: 1, name: 'Doe, Jane', score: 2.5, ok: true, zip: '01234', yes: true, version: 'n/a' },
      },
      { n: 3, item: { id: 2, name: null, score: null, ok: false, zip: '99', yes: false, version: '1.50' } },
      { n: 4, item: { id: 3, name: null, score: null, ok: null, zip: null, yes: null, version: '1e3' } },
      { n: 5, item: { id: 4, name: null, score: null, ok: null, zip: null, yes: null, version: 'TRUE' } },
    ]);
    // a repeated header name keeps every column, numbered in pandas' style around the header's own names
    await writeFile(join(dir, 'twice.csv'), 'a,a,a.1,a\n1,2,3,4\n');
    expect(await collect(join(dir, 'twice.csv'))).toEqual([
      { n: 2, item: { a: 1, 'a.2': 2, 'a.1': 3, 'a.3': 4 } },
    ]);
    // null markers of database exports, when configured: quoted or not, as DuckDB's nullstr
    await writeFile(join(dir, 'nulls.csv'), 'id,a,b\n1,NULL,"\\N"\n2,\\N,NULLS\n');
    const withMarkers = [];
    for await (const record of readFileRecords(join(dir, 'nulls.csv'), {
      csv: { nullValues: ['NULL', '\\N'] },
    }))
      withMarkers.push(record);
    expect(withMarkers).toEqual([
      { n: 2, item: { id: 1, a: null, b: null } },
      { n: 3, item: { id: 2, a: null, b: 'NULLS' } },
    ]);
    expect(await collect(join(dir, 'nulls.csv'))).toEqual([
      { n: 2, item: { id: 1, a: 'NULL', b: '\\N' } },
      { n: 3, item: { id: 2, a: '\\N', b: 'NULLS' } },
    ]);
    // an empty header cell (a dataframe saved with its index) is named by its position, as pandas does
    await writeFile(join(dir, 'indexed.csv'), ',a,\n0,x,y\n');
    expect(await collect(join(dir, 'indexed.csv'))).toEqual([
      { n: 2, item: { 'Unnamed: 0': 0, a: 'x', 'Unnamed: 2': 'y' } },
    ]);
    // writers that quote every field: quoting does not make a number text, a quoted empty field is ''
    await writeFile(join(dir, 'q.csv'), '"id","name","score","code"\n"1","","2.5","007"\n');
    expect(await collect(join(dir, 'q.csv'))).toEqual([
      { n: 2, item: { id: 1, name: '', score: 2.5, code: '007' } },
    ]);
    // empty fields after quoted ones holding delimiters, escaped quotes and line breaks: only the
    // quoted empty field is ''
    await writeFile(join(dir, 'mixed.csv'), 'a,b,c,d,e\n"x,""y"",\nz",,"",",",\n');
    expect(await collect(join(dir, 'mixed.csv'))).toEqual([
      { n: 3, item: { a: 'x,"y",\nz', b: null, c: '', d: ',', e: null } },
    ]);
    // with a backslash escape: `"p\\"` is p and a backslash, `"q\""` q and a quote
    await writeFile(
      join(dir, 'escaped.csv'),
      String.raw`a;b;c
"p\\";"q\"";""
"\"";;"r"
`,
    );
    const escaped = [];
    for await (const record of readFileRecords(join(dir, 'escaped.csv'), {
      csv: { delimiter: ';', quote: '"', escape: '\\' },
    }))
      escaped.push(record);
    expect(escaped).toEqual([
      { n: 2, item: { a: 'p\\', b: 'q"', c: '' } },
      { n: 3, item: { a: '"', b: null, c: 'r' } },
    ]);
  });

  it('types CSV numbers exactly and by column: a column with decimals among its first rows is floats', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'n.csv'),
      'a,b,id,e\n10,1,9007199254740993,1e3\n10.5,2,12345678901234567,2.5\n',
    );
    // 1,000 rows settle the columns; later values follow them (w) or stay what they are (v)
    const rows = Array.from(
      { length: 1200 },
      (_, i) => `${i === 1099 ? '2.5' : '1'},${i === 0 ? '0.5' : '7'}`,
    );
    await writeFile(join(dir, 'late.csv'), `v,w\n${rows.join('\n')}\n`);

    expect(await collect(join(dir, 'n.csv'))).toEqual([
      { n: 2, item: { a: new JsonFloat(10), b: 1, id: 9007199254740993n, e: new JsonFloat(1000) } },
      { n: 3, item: { a: 10.5, b: 2, id: 12345678901234567n, e: 2.5 } },
    ]);
    // past int64 an integer is text, as it cannot be a bigint, and so is its column
    await writeFile(join(dir, 'huge.csv'), 'id,e\n9007199254740993,1e3\n12345678901234567890,x\n');
    expect(await collect(join(dir, 'huge.csv'))).toEqual([
      { n: 2, item: { id: '9007199254740993', e: '1e3' } },
      { n: 3, item: { id: '12345678901234567890', e: 'x' } },
    ]);
    const late = await collect(join(dir, 'late.csv'));
    expect(late).toHaveLength(1200);
    expect(late[0]).toEqual({ n: 2, item: { v: 1, w: 0.5 } });
    expect(late[1099]).toEqual({ n: 1101, item: { v: 2.5, w: new JsonFloat(7) } });
    expect(late[1199]).toEqual({ n: 1201, item: { v: 1, w: new JsonFloat(7) } });
  });

  it('splits CSV on the delimiter its header uses, tabs in .tsv, or the one configured', async () => {
    const dir = await tempDir();
    const write = (name: string, text: string | Buffer) => writeFile(join(dir, name), text);
    await write('semi.csv', 'id;name;amount\n1;Doe, Jane;2.5\n');
    await write('semi.csv.gz', gzipSync('id;name\n1;x\n'));
    await write('tabs.tsv', 'name, first\tid\nJane\t1\n');
    await write('pipes.csv', 'a|b\n1|2\n');
    // a delimiter inside a quoted header name does not count
    await write('quoted.csv', '"a,b,c";d\n1;2\n');
    await write('one.csv', 'name\nx\n');
    // a header line longer than the first chunk the file is read in
    const wide = Array.from({ length: 12_000 }, (_, i) => `column_${i}`);
    await write('wide.csv', `${wide.join(';')}\n${wide.map((_, i) => i).join(';')}\n`);

    expect(await collect(join(dir, 'semi.csv'))).toEqual([
      { n: 2, item: { id: 1, name: 'Doe, Jane', amount: 2.5 } },
    ]);
    expect(await collect(join(dir, 'semi.csv.gz'))).toEqual([{ n: 2, item: { id: 1, name: 'x' } }]);
    expect(await collect(join(dir, 'tabs.tsv'))).toEqual([{ n: 2, item: { 'name, first': 'Jane', id: 1 } }]);
    expect(await collect(join(dir, 'pipes.csv'))).toEqual([{ n: 2, item: { a: 1, b: 2 } }]);
    expect(await collect(join(dir, 'quoted.csv'))).toEqual([{ n: 2, item: { 'a,b,c': 1, d: 2 } }]);
    expect(await collect(join(dir, 'one.csv'))).toEqual([{ n: 2, item: { name: 'x' } }]);
    const [row] = await collect(join(dir, 'wide.csv'));
    expect(Object.keys((row as { item: object }).item)).toEqual(wide);
    // a configured delimiter is used as given: the header is then one column, the row two
    const configured = async () => {
      for await (const _ of readFileRecords(join(dir, 'semi.csv'), { csv: { delimiter: ',' } }));
    };
    await expect(configured()).rejects.toThrow(
      `${join(dir, 'semi.csv')}:2: invalid CSV: Invalid Record Length`,
    );
  });

  it('reads the missing fields of a short CSV row as null, as pandas does; a long row is refused by line', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'short.csv'), 'a,b,c\n1,2,3\n4\n5,,"x"\n');
    await writeFile(join(dir, 'long.csv'), 'a,b\n1,2\n3,4,5\n');

    expect(await collect(join(dir, 'short.csv'))).toEqual([
      { n: 2, item: { a: 1, b: 2, c: '3' } },
      { n: 3, item: { a: 4, b: null, c: null } },
      { n: 4, item: { a: 5, b: null, c: 'x' } },
    ]);
    await expect(collect(join(dir, 'long.csv'))).rejects.toThrow(
      `${join(dir, 'long.csv')}:3: invalid CSV: Invalid Record Length: expect 2, got 3`,
    );
  });

  it('reads UTF-16 text marked by its byte order mark (as PowerShell writes it), and refuses broken UTF-16', async () => {
    const dir = await tempDir();
    const le = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = (text: string) =>
      Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    await writeFile(join(dir, 'ps.json'), le('[\r\n  {\r\n    "name": "café 😀"\r\n  }\r\n]\r\n'));
    await writeFile(join(dir, 'be.csv'), be('id;name\n1;Zoë\n'));
    // long enough that characters and surrogate pairs are cut between chunks
    const many = Array.from({ length: 30_000 }, (_, i) => JSON.stringify({ i, s: '😀é' }));
    await writeFile(join(dir, 'many.jsonl.gz'), gzipSync(le(`${many.join('\n')}\n`)));
    await writeFile(join(dir, 'odd.jsonl'), Buffer.concat([le('{"a": 1}\n'), Buffer.from([0x41])]));
    await writeFile(join(dir, 'half.jsonl'), le('{"a": "\ud800"}\n'));

    expect(await collect(join(dir, 'ps.json'))).toEqual([{ n: 1, item: { name: 'café 😀' } }]);
    expect(await collect(join(dir, 'be.csv'))).toEqual([{ n: 2, item: { id: 1, name: 'Zoë' } }]);
    const lines = await collect(join(dir, 'many.jsonl.gz'));
    expect(lines.map((r) => (r as { raw: string }).raw)).toEqual(many);
    await expect(collect(join(dir, 'odd.jsonl'))).rejects.toThrow(
      `${join(dir, 'odd.jsonl')}: not valid UTF-16LE text`,
    );
    await expect(collect(join(dir, 'half.jsonl'))).rejects.toThrow(
      `${join(dir, 'half.jsonl')}: not valid UTF-16LE text`,
    );
  });

  it('reads text in the encoding it is named in, and says how when it is not UTF-8', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'latin.csv'), Buffer.from('id,name\n1,Zoë\n2,café\n', 'latin1'));
    // windows-1252 puts the euro sign at 0x80
    await writeFile(
      join(dir, 'cp.jsonl'),
      Buffer.from([...Buffer.from('{"p": "'), 0x80, ...Buffer.from('5"}\n')]),
    );
    await writeFile(join(dir, 'le.jsonl'), Buffer.from('{"a": "ü"}\n', 'utf16le'));
    const read = async (name: string, encoding: string) => {
      const out = [];
      for await (const record of readFileRecords(join(dir, name), { encoding })) out.push(record);
      return out;
    };

    expect(await read('latin.csv', 'latin1')).toEqual([
      { n: 2, item: { id: 1, name: 'Zoë' } },
      { n: 3, item: { id: 2, name: 'café' } },
    ]);
    expect(await read('cp.jsonl', 'windows-1252')).toEqual([{ n: 1, raw: '{"p": "€5"}' }]);
    expect(await read('le.jsonl', 'utf-16le')).toEqual([{ n: 1, raw: '{"a": "ü"}' }]);
    expect(await read('le.jsonl', 'UTF-16LE')).toEqual([{ n: 1, raw: '{"a": "ü"}' }]);
    await expect(collect(join(dir, 'latin.csv'))).rejects.toThrow(
      `${join(dir, 'latin.csv')}:2: not valid UTF-8 text (save it as UTF-8, or name its encoding, such as latin1)`,
    );
  });

  it('reads Parquet files batch by batch with their types', async () => {
    const dir = await tempDir();
    const storage = new LocalFileStorage(dir);
    const writers = new TableFileWriters(storage, '', 'parquet');
    const table = {
      name: 'p',
      columns: {
        id: { name: 'id', data_type: 'bigint' as const },
        at: { name: 'at', data_type: 'timestamp' as const },
        amount: { name: 'amount', data_type: 'decimal' as const, precision: 10, scale: 2 },
        day: { name: 'day', data_type: 'date' as const },
        local: { name: 'local', data_type: 'timestamp' as const, timezone: false },
        clock: { name: 'clock', data_type: 'time' as const },
      },
    };
    const row = { id: 1, at: 1_704_067_200_123_456, amount: '12.50', day: 19_723 };
    writers.write(table, { ...row, local: -1, clock: 45_296_000_001 });
    writers.write(table, row);
    const [file] = await writers.close();

    // every microsecond of timestamps and times (Arrow's own getters give milliseconds)
    expect(await collect(storage.url(file!.key))).toEqual([
      {
        n: 1,
        item: {
          id: 1,
          at: '2024-01-01T00:00:00.123456Z',
          amount: '12.50',
          day: '2024-01-01',
          local: '1969-12-31T23:59:59.999999',
          clock: '12:34:56.000001',
        },
      },
      {
        n: 2,
        item: {
          id: 1,
          at: '2024-01-01T00:00:00.123456Z',
          amount: '12.50',
          day: '2024-01-01',
          local: null,
          clock: null,
        },
      },
    ]);
  });

  it('types the columns a Parquet file declares: decimals, dates, times, binaries; an existing column keeps its type', async () => {
    const dir = await tempDir();
    const p = await localPipeline(dir);
    const writers = new TableFileWriters(new LocalFileStorage(dir), '', 'parquet');
    const table = {
      name: 'typed',
      columns: {
        id: { name: 'id', data_type: 'bigint' as const },
        amount: { name: 'amount', data_type: 'decimal' as const, precision: 12, scale: 3 },
        day: { name: 'day', data_type: 'date' as const },
        clock: { name: 'clock', data_type: 'time' as const },
        blob: { name: 'blob', data_type: 'binary' as const },
        note: { name: 'note', data_type: 'text' as const },
      },
    };
    writers.write(table, {
      id: 1,
      amount: '12.500',
      day: 19_723,
      clock: 45_296_000_001,
      blob: Buffer.from('hi'),
      note: 'x',
    });
    writers.write(table, { id: 2 });
    const [file] = await writers.close();
    // a table loaded before from JSON, where amount is text and day a timestamp
    await p.run({ name: 'older' }, { items: [{ id: 0, amount: 'n/a', day: '2024-01-01T00:00:00Z' }] });

    await p.run({ name: 'typed' }, { files: [join(dir, file!.key)] });
    await p.run({ name: 'older' }, { files: [join(dir, file!.key)] });

    const columns = await p.query(
      "SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_name = 'typed' ORDER BY ordinal_position",
    );
    expect(columns.slice(0, 6)).toEqual([
      { name: 'id', type: 'BIGINT' },
      { name: 'amount', type: 'DECIMAL(12,3)' },
      { name: 'day', type: 'DATE' },
      { name: 'clock', type: 'TIME' },
      { name: 'blob', type: 'BLOB' },
      { name: 'note', type: 'VARCHAR' },
    ]);
    expect(
      await p.query(
        'SELECT CAST(amount AS VARCHAR) AS amount, CAST("day" AS VARCHAR) AS "day", CAST(clock AS VARCHAR) AS clock, CAST("blob" AS VARCHAR) AS "blob" FROM test_data.typed ORDER BY id',
      ),
    ).toEqual([
      { amount: '12.500', day: '2024-01-01', clock: '12:34:56.000001', blob: 'hi' },
      { amount: null, day: null, clock: null, blob: null },
    ]);
    expect(await duckdbColumnType(p, 'older', 'amount')).toBe('VARCHAR');
    expect(await duckdbColumnType(p, 'older', 'day')).toBe('TIMESTAMP WITH TIME ZONE');
    expect(await p.query('SELECT amount FROM test_data.older ORDER BY id')).toEqual([
      { amount: 'n/a' },
      { amount: '12.500' },
      { amount: null },
    ]);
  });

  it('reads lists and structs of Parquet files with the same types, down to microseconds', async () => {
    const dir = await tempDir();
    const p = await localPipeline(dir);
    // as Spark writes them: a list of structs and a struct, holding µs timestamps and int64s
    const point = new arrow.Struct([
      new arrow.Field('at', new arrow.TimestampMicrosecond('UTC'), true),
      new arrow.Field('n', new arrow.Int64(), true),
    ]);
    const table = new arrow.Table({
      items: arrow.vectorFromArray(
        [[{ at: 1_704_067_200_123.456, n: 9007199254740993n }], null],
        new arrow.List(new arrow.Field('item', point, true)),
      ),
      point: arrow.vectorFromArray([{ at: 1_704_067_200_000.001, n: 1n }, null], point),
    });
    const path = join(dir, 'nested.parquet');
    await writeFile(
      path,
      parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))),
    );

    expect(await collect(path)).toEqual([
      {
        n: 1,
        item: {
          items: [{ at: '2024-01-01T00:00:00.123456Z', n: 9007199254740993n }],
          point: { at: '2024-01-01T00:00:00.000001Z', n: 1 },
        },
      },
      { n: 2, item: { items: null, point: null } },
    ]);
    await p.run({ name: 'nested' }, { files: [path] });
    expect(await duckdbColumnType(p, 'nested__items', 'at')).toBe('TIMESTAMP WITH TIME ZONE');
    // the struct and the list were listed to hold their places; flattened away, they are not columns
    const schema = await loadPipelineSchema(p.storage, 'test_pipeline', 'test_pipeline');
    expect(Object.keys(schema.tables.nested!.columns)).toEqual([
      'point__at',
      'point__n',
      '_dlt_load_id',
      '_dlt_id',
    ]);
    expect(
      await p.query(
        'SELECT CAST("at" AS VARCHAR) AS "at", CAST(n AS VARCHAR) AS n FROM test_data.nested__items',
      ),
    ).toEqual([{ at: '2024-01-01 00:00:00.123456+00', n: '9007199254740993' }]);
  });

  it('reads a Parquet map as dlt does: a list of key/value pairs, never a column per key', async () => {
    const dir = await tempDir();
    const p = await localPipeline(dir);
    const entry = new arrow.Struct([
      new arrow.Field('key', new arrow.Utf8(), false),
      new arrow.Field('value', new arrow.Int64(), true),
    ]);
    const table = new arrow.Table({
      tags: arrow.vectorFromArray(
        [
          new Map([
            ['a', 9007199254740993n],
            ['b', null],
          ]),
          new Map(),
          null,
        ],
        new arrow.Map_(new arrow.Field('entries', entry, false)),
      ),
    });
    const path = join(dir, 'mapped.parquet');
    await writeFile(
      path,
      parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))),
    );

    expect((await collect(path)).map((row) => ('item' in row ? row.item : row.raw))).toEqual([
      {
        tags: [
          ['a', 9007199254740993n],
          ['b', null],
        ],
      },
      { tags: [] },
      { tags: null },
    ]);
    // pyarrow hands dlt each pair as a tuple: a nested table of pairs and one of their items,
    // typed by the first (the key) as dlt types it
    await p.run({ name: 'mapped' }, { files: [path] });
    const schema = await loadPipelineSchema(p.storage, 'test_pipeline', 'test_pipeline');
    expect(Object.keys(schema.tables)).toEqual(
      expect.arrayContaining(['mapped__tags', 'mapped__tags__list']),
    );
    expect(Object.keys(schema.tables.mapped!.columns)).toEqual(['_dlt_load_id', '_dlt_id']);
    expect(
      await p.query(
        `SELECT l."value", l._dlt_list_idx AS idx FROM test_data.mapped__tags__list l
         JOIN test_data.mapped__tags t ON l._dlt_parent_id = t._dlt_id
         ORDER BY t._dlt_list_idx, l._dlt_list_idx`,
      ),
    ).toEqual([
      { value: 'a', idx: '0' },
      { value: '9007199254740993', idx: '1' },
      { value: 'b', idx: '0' },
      { value: null, idx: '1' },
    ]);
  });

  it('keeps fields named __proto__ and constructor as data (CSV, Parquet)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'c.csv'), '__proto__,constructor\n1,x\n');
    const storage = new LocalFileStorage(dir);
    const writers = new TableFileWriters(storage, '', 'parquet');
    const table = {
      name: 'p',
      columns: {
        ['__proto__']: { name: '__proto__', data_type: 'bigint' as const },
        constructor: { name: 'constructor', data_type: 'text' as const },
      },
    };
    writers.write(table, { ['__proto__']: 1, constructor: 'x' });
    writers.write(table, { ['__proto__']: 2 });
    const [file] = await writers.close();

    // JSON.parse makes `__proto__` an own key, as the readers must
    const expected = (n: number, proto: number, text: string | null) => ({
      n,
      item: JSON.parse(`{"__proto__": ${proto}, "constructor": ${JSON.stringify(text)}}`),
    });
    expect(await collect(join(dir, 'c.csv'))).toEqual([expected(2, 1, 'x')]);
    expect(await collect(storage.url(file!.key))).toEqual([expected(1, 1, 'x'), expected(2, 2, null)]);
  });

  it("keeps the file's order of integer-like column names (CSV, Parquet columns and structs)", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'years.csv'), 'name,2024,2023,a\nx,1,2,3\n');
    const [csv] = await collect(join(dir, 'years.csv'));
    expect(toJsonLine((csv as { item: unknown }).item)).toBe('{"name":"x","2024":1,"2023":2,"a":3}');

    // a Parquet file whose columns and struct fields name years after text
    const struct = new arrow.Struct([
      new arrow.Field('x', new arrow.Int32()),
      new arrow.Field('9', new arrow.Int32()),
    ]);
    const vectors: [string, arrow.Vector][] = [
      ['a', arrow.vectorFromArray(['p'])],
      ['2024', arrow.vectorFromArray([7], new arrow.Int32())],
      ['s', arrow.vectorFromArray([{ x: 1, 9: 2 }], struct)],
    ];
    const schema = new arrow.Schema(vectors.map(([name, vector]) => new arrow.Field(name, vector.type)));
    const data = arrow.makeData({
      type: new arrow.Struct(schema.fields),
      length: 1,
      nullCount: 0,
      children: vectors.map(([, vector]) => vector.data[0]!),
    });
    const ipc = arrow.tableToIPC(new arrow.Table([new arrow.RecordBatch(schema, data)]), 'stream');
    await writeFile(join(dir, 'years.parquet'), parquet.writeParquet(parquet.Table.fromIPCStream(ipc)));
    const [row] = await collect(join(dir, 'years.parquet'));
    expect(toJsonLine((row as { item: unknown }).item)).toBe('{"a":"p","2024":7,"s":{"x":1,"9":2}}');

    // and the tables take the files' column order (the Parquet file's declared columns too)
    const p = await localPipeline(dir);
    await p.run({ name: 'years_csv' }, { files: [join(dir, 'years.csv')] });
    await p.run({ name: 'years_parquet' }, { files: [join(dir, 'years.parquet')] });
    const columnsOf = async (table: string) =>
      (
        await p.query(
          `SELECT column_name AS name FROM information_schema.columns WHERE table_name = '${table}' AND column_name NOT LIKE '\\_dlt%' ESCAPE '\\' ORDER BY ordinal_position`,
        )
      ).map((c) => c.name);
    expect(await columnsOf('years_csv')).toEqual(['name', '_2024', '_2023', 'a']);
    expect(await columnsOf('years_parquet')).toEqual(['a', '_2024', 's__x', 's___9']);
  });

  it('loads every supported format end to end into DuckDB', async () => {
    const dir = await tempDir();
    const p = await localPipeline(dir);
    await writeFile(join(dir, 'x.csv.gz'), gzipSync('a,b\n1,x\n'));
    await writeFile(join(dir, 'x.json'), '[{"a": 2, "b": "y"}]');
    await writeFile(join(dir, 'x.jsonl.gz'), gzipSync('{"a": 3, "b": "z"}\n'));

    await p.run({ name: 'x' }, { files: ['x.csv.gz', 'x.json', 'x.jsonl.gz'].map((f) => join(dir, f)) });

    expect(await p.query('SELECT a, b FROM test_data.x ORDER BY a')).toEqual([
      { a: '1', b: 'x' },
      { a: '2', b: 'y' },
      { a: '3', b: 'z' },
    ]);
  });
});
