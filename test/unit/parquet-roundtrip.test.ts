import { readFile } from 'node:fs/promises';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { buildColumn } from '../../shared/formats/arrow-columns.js';
import { DEFAULT_FILE_LIMITS, TableFileWriters } from '../../shared/formats/table-files.js';
import type { NormalizedRow } from '../../shared/normalize/relational.js';
import type { TableSchema } from '../../shared/schema/types.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { tempDir } from '../support/temp-dir.js';

const table: TableSchema = {
  name: 'every_type',
  columns: {
    text: { name: 'text', data_type: 'text', nullable: true },
    big: { name: 'big', data_type: 'bigint', nullable: false },
    small: { name: 'small', data_type: 'bigint', precision: 16, nullable: true },
    dbl: { name: 'dbl', data_type: 'double', nullable: true },
    flag: { name: 'flag', data_type: 'bool', nullable: true },
    ts: { name: 'ts', data_type: 'timestamp', nullable: true },
    naive: { name: 'naive', data_type: 'timestamp', timezone: false, nullable: true },
    day: { name: 'day', data_type: 'date', nullable: true },
    clock: { name: 'clock', data_type: 'time', nullable: true },
    amount: { name: 'amount', data_type: 'decimal', precision: 10, scale: 2, nullable: true },
    default_dec: { name: 'default_dec', data_type: 'decimal', nullable: true },
    bytes: { name: 'bytes', data_type: 'binary', nullable: true },
    doc: { name: 'doc', data_type: 'json', nullable: true },
  },
};

const rows: NormalizedRow[] = [
  {
    text: 'héllo ✓',
    big: 9007199254740993n,
    small: -300,
    dbl: 1.5,
    flag: true,
    ts: 1_704_067_200_123_456,
    naive: 1_704_067_200_000_001,
    day: 19_723,
    clock: 45_296_000_007,
    amount: '-12345678.91',
    default_dec: '0.000000001',
    bytes: new Uint8Array([0, 255, 7]),
    doc: '{"a":[1,2]}',
  },
  { big: 1 },
];

async function readBack(path: string): Promise<arrow.Table> {
  return arrow.tableFromIPC(parquet.readParquet(await readFile(path)).intoIPCStream());
}

describe('Parquet writer', () => {
  it("writes timestamps and times in the unit a precision hint asks for, flooring µs as dlt's pyarrow does", async () => {
    const precise: TableSchema = {
      name: 'precise',
      columns: {
        s: { name: 's', data_type: 'timestamp', precision: 0 },
        ms: { name: 'ms', data_type: 'timestamp', precision: 3 },
        local_ms: { name: 'local_ms', data_type: 'timestamp', precision: 3, timezone: false },
        us: { name: 'us', data_type: 'timestamp', precision: 6 },
        ns: { name: 'ns', data_type: 'timestamp', precision: 9 },
        t_s: { name: 't_s', data_type: 'time', precision: 0 },
        t_ms: { name: 't_ms', data_type: 'time', precision: 3 },
        t_ns: { name: 't_ns', data_type: 'time', precision: 9 },
      },
    };
    const at = 1_704_067_200_123_456; // 2024-01-01T00:00:00.123456Z
    const before = -1; // 1969-12-31T23:59:59.999999Z: floored, not truncated towards 1970
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'normalized/', 'parquet');
    for (const v of [at, before])
      writers.write(precise, {
        s: v,
        ms: v,
        local_ms: v,
        us: v,
        ns: v,
        t_s: 45_296_123_456,
        t_ms: 45_296_123_456,
        t_ns: 1,
      });
    const [file] = await writers.close();

    const back = await readBack(storage.url(file!.key));
    expect(Object.fromEntries(back.schema.fields.map((f) => [f.name, String(f.type)]))).toEqual({
      s: 'Timestamp<SECOND, UTC>',
      ms: 'Timestamp<MILLISECOND, UTC>',
      local_ms: 'Timestamp<MILLISECOND>',
      us: 'Timestamp<MICROSECOND, UTC>',
      ns: 'Timestamp<NANOSECOND, UTC>',
      t_s: 'Time32<SECOND>',
      t_ms: 'Time32<MILLISECOND>',
      t_ns: 'Time64<NANOSECOND>',
    });
    // the stored integers of the two rows, before Arrow's getters convert them
    const raw = (name: string) =>
      Array.from(back.getChild(name)!.data[0]!.values as ArrayLike<number | bigint>, String).slice(0, 2);
    expect(raw('s')).toEqual(['1704067200', '-1']);
    expect(raw('ms')).toEqual(['1704067200123', '-1']);
    expect(raw('local_ms')).toEqual(['1704067200123', '-1']);
    expect(raw('us')).toEqual([String(at), '-1']);
    expect(raw('ns')).toEqual([`${at}000`, '-1000']);
    expect(raw('t_s')).toEqual(['45296', '45296']);
    expect(raw('t_ms')).toEqual(['45296123', '45296123']);
    expect(raw('t_ns')).toEqual(['1000', '1000']);
  });

  it('round-trips every dlt type with dlt physical and logical types', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'normalized/', 'parquet');
    for (const row of rows) writers.write(table, row);

    const [file] = await writers.close();

    expect(file).toMatchObject({ table: 'every_type', rows: 2, format: 'parquet' });
    expect(file!.key).toMatch(/^normalized\/every_type\.[0-9a-f]{10}\.parquet$/);
    const back = await readBack(storage.url(file!.key));
    const types = Object.fromEntries(back.schema.fields.map((f) => [f.name, String(f.type)]));
    expect(types).toEqual({
      text: expect.stringMatching(/Utf8/),
      big: 'Int64',
      small: 'Int16',
      dbl: 'Float64',
      flag: 'Bool',
      ts: 'Timestamp<MICROSECOND, UTC>',
      naive: 'Timestamp<MICROSECOND>',
      day: 'Date32<DAY>',
      clock: 'Time64<MICROSECOND>',
      amount: expect.stringMatching(/^Decimal/),
      default_dec: expect.stringMatching(/^Decimal/),
      bytes: 'Binary',
      doc: expect.stringMatching(/Utf8/),
    });
    const decimal = (name: string) => back.schema.fields.find((f) => f.name === name)!.type as arrow.Decimal;
    expect([decimal('amount').precision, decimal('amount').scale, decimal('amount').bitWidth]).toEqual([
      10, 2, 128,
    ]);
    expect([decimal('default_dec').precision, decimal('default_dec').scale]).toEqual([38, 9]);
    expect(back.schema.fields.find((f) => f.name === 'big')?.nullable).toBe(false);
    const first = back.get(0)!.toJSON();
    expect(first.text).toBe('héllo ✓');
    expect(first.big).toBe(9007199254740993n);
    expect(first.small).toBe(-300);
    expect(first.flag).toBe(true);
    expect(back.getChild('ts')!.data[0]!.values[0]).toBe(1_704_067_200_123_456n);
    expect(back.getChild('naive')!.data[0]!.values[0]).toBe(1_704_067_200_000_001n);
    expect(back.getChild('day')!.data[0]!.values[0]).toBe(19_723);
    expect(back.getChild('clock')!.data[0]!.values[0]).toBe(45_296_000_007n);
    expect(Array.from(back.getChild('amount')!.data[0]!.values.slice(0, 4) as Uint32Array)).toEqual(
      Array.from(new Uint32Array(new BigInt64Array([-1234567891n, -1n]).buffer)),
    );
    expect(Array.from(back.getChild('default_dec')!.data[0]!.values.slice(0, 4) as Uint32Array)).toEqual([
      1, 0, 0, 0,
    ]);
    expect(Array.from(first.bytes as Uint8Array)).toEqual([0, 255, 7]);
    expect(first.doc).toBe('{"a":[1,2]}');
    const second = back.get(1)!.toJSON();
    expect([second.text, second.ts, second.amount, second.bytes]).toEqual([null, null, null, null]);
  });

  it('round-trips strings and bytes of every width between nulls and empty values', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const t: TableSchema = {
      name: 't',
      columns: {
        s: { name: 's', data_type: 'text', nullable: true },
        b: { name: 'b', data_type: 'binary', nullable: true },
      },
    };
    const ascii = ['plain', '', 'x'.repeat(3000)];
    const wide = ['plain', '', 'ünï', 'ʃ€', '😀 emoji', 'lone \ud800 surrogate', 'x'.repeat(3000)];
    for (const strings of [ascii, wide]) {
      const values = strings.flatMap((text) => [text, undefined]);
      const bytes = values.map((v, i) => (v === undefined ? undefined : new Uint8Array(i % 4).fill(i)));
      const writers = new TableFileWriters(storage, 'n/', 'parquet');
      const table = { ...t, name: `t${strings.length}` };
      values.forEach((s, i) => {
        writers.write(table, { ...(s !== undefined && { s }), ...(bytes[i] && { b: bytes[i] }) });
      });
      const [file] = await writers.close();
      const back = await readBack(storage.url(file!.key));
      expect(back.getChild('s')!.toArray()).toEqual(
        values.map((v) => v?.replace('\ud800', '\ufffd') ?? null),
      );
      expect(
        back
          .getChild('b')!
          .toArray()
          .map((v: Uint8Array | null) => v && Array.from(v)),
      ).toEqual(bytes.map((v) => (v === undefined ? null : Array.from(v))));
    }
  });

  it('writes text kept as bytes (items read from their lines) beside text given as strings', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const t: TableSchema = {
      name: 'bytes_text',
      columns: {
        s: { name: 's', data_type: 'text', nullable: true },
        n: { name: 'n', data_type: 'bigint', nullable: true },
      },
    };
    const line = Buffer.from('"abc","","x-long-enough-to-be-copied-by-buffer-copy-rather-than-byte-by-byte"');
    // short text is copied four bytes at a time then byte by byte, from whichever buffer it is in
    const other = Buffer.from(`"${'0123456789'.repeat(7)}"`);
    const places: [Buffer, number, number][] = [
      [line, 1, 4],
      [line, 7, 7],
      [line, 10, line.length - 1],
      ...[4, 5, 6, 7, 14, 63].map((length): [Buffer, number, number] => [other, 3, 3 + length]),
    ];
    // past the first buffers of offsets (256 rows) and bytes (4 KiB), with gaps, strings, rows
    const expected: (string | null)[] = [];
    const writers = new TableFileWriters(storage, 'n/', 'parquet');
    for (let i = 0; i < 1_000; i++) {
      if (i % 7 === 3) {
        writers.write(t, { n: i, ...(i % 2 === 0 && { s: `row ${i} ü` }) });
        expected.push(i % 2 === 0 ? `row ${i} ü` : null);
        continue;
      }
      const batch = writers.columns(t);
      const at = batch.length++;
      batch.column('n').set(at, i);
      if (i % 5 === 0) {
        expected.push(null);
        continue;
      }
      const text = batch.column('s', 'text');
      if (i % 11 === 0 || i % 13 === 0) {
        const value = i % 11 === 0 ? `é ${i}` : `plain ${i}`;
        text.set(at, value);
        expected.push(value);
      } else {
        const [bytes, start, end] = places[i % places.length]!;
        text.setAscii(at, bytes, start, end);
        expected.push(bytes.toString('latin1', start, end));
      }
    }
    const [file] = await writers.close();
    const back = await readBack(storage.url(file!.key));
    expect(back.getChild('s')!.toArray()).toEqual(expected);
    expect(Array.from(back.getChild('n')!.toArray(), Number)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i),
    );
  });

  it('writes numbers kept unboxed beside values given as objects, and a bigint among them', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const t: TableSchema = {
      name: 'unboxed',
      columns: {
        dbl: { name: 'dbl', data_type: 'double', nullable: true },
        big: { name: 'big', data_type: 'bigint', nullable: true },
        small: { name: 'small', data_type: 'bigint', precision: 16, nullable: true },
        ts: { name: 'ts', data_type: 'timestamp', nullable: true },
        ms: { name: 'ms', data_type: 'timestamp', precision: 3, nullable: true },
        day: { name: 'day', data_type: 'date', nullable: true },
      },
    };
    const names = Object.keys(t.columns);
    const numberAt = (name: string, i: number): number | bigint | undefined => {
      if ((i + name.length) % 9 === 0) return undefined;
      switch (name) {
        case 'dbl':
          return i === 4 ? -0 : i * 1.25 - 300;
        case 'big':
          // past 2^53 the column keeps values as they are from then on
          return i === 700 ? 2n ** 62n + 1n : i * 2 ** 33 - 5;
        case 'small':
          return i - 500;
        case 'ts':
        case 'ms':
          return 1_704_067_200_123_456 - i * 86_400_000_001;
        default:
          return 19_723 - i;
      }
    };
    // past the first 256 rows each column holds, rows as objects between rows set column by column
    const writers = new TableFileWriters(storage, 'n/', 'parquet');
    for (let i = 0; i < 1_000; i++) {
      if (i % 10 === 7) {
        const row: NormalizedRow = {};
        for (const name of names) {
          const value = numberAt(name, i);
          if (value !== undefined) row[name] = value;
        }
        writers.write(t, row);
        continue;
      }
      const batch = writers.columns(t);
      const at = batch.length++;
      for (const name of names) {
        const value = numberAt(name, i);
        if (value !== undefined) batch.column(name, 'numbers').set(at, value);
      }
    }
    const [file] = await writers.close();
    const back = await readBack(storage.url(file!.key));
    const expected = (name: string, read: (v: number | bigint) => unknown) =>
      Array.from({ length: 1_000 }, (_, i) => {
        const value = numberAt(name, i);
        return value === undefined ? null : read(value);
      });
    expect(Array.from(back.getChild('dbl')!)).toEqual(expected('dbl', (v) => v));
    expect(Object.is(back.getChild('dbl')!.get(4), -0)).toBe(true);
    expect(Array.from(back.getChild('big')!)).toEqual(expected('big', BigInt));
    expect(Array.from(back.getChild('small')!)).toEqual(expected('small', Number));
    // apache-arrow reads timestamps as ms; a ms column floors the µs
    expect(Array.from(back.getChild('ts')!)).toEqual(expected('ts', (v) => Number(v) / 1000));
    expect(Array.from(back.getChild('ms')!)).toEqual(expected('ms', (v) => Math.floor(Number(v) / 1000)));
    expect(Array.from(back.getChild('day')!)).toEqual(expected('day', (v) => Number(v) * 86_400_000));
  });

  it('round-trips 64-bit integers and timestamps across the sign and the 32-bit halves', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const t: TableSchema = {
      name: 'wide_integers',
      columns: {
        n: { name: 'n', data_type: 'bigint', nullable: true },
        at: { name: 'at', data_type: 'timestamp', nullable: true },
      },
    };
    const values = [
      0,
      -1,
      1,
      2 ** 31,
      -(2 ** 31),
      2 ** 32,
      -(2 ** 32),
      -(2 ** 32) - 1,
      2 ** 53 - 1,
      -(2 ** 53 - 1),
      // year 1 and 9999 in µs, and what a bigint holds past numbers
      -62_135_596_800_000_000,
      253_402_300_799_999_999n,
      -(2n ** 63n),
      2n ** 63n - 1n,
      undefined,
    ];
    const writers = new TableFileWriters(storage, 'n/', 'parquet');
    for (const v of values) writers.write(t, v === undefined ? {} : { n: v, at: v });
    const [file] = await writers.close();
    const back = await readBack(storage.url(file!.key));
    // raw values (Arrow's own timestamp reading goes through milliseconds); a null holds 0
    const expected = values.map((v) => (v === undefined ? 0n : BigInt(v)));
    for (const column of ['n', 'at']) {
      const vector = back.getChild(column)!;
      expect(Array.from(vector.toArray() as BigInt64Array)).toEqual(expected);
      expect(vector.isValid(values.length - 1)).toBe(false);
    }
  });

  it('rotates files by rows and when a table gains columns', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'n/', 'parquet', { bufferRows: 2, fileMaxRows: 4 });
    const t: TableSchema = { name: 't', columns: { a: { name: 'a', data_type: 'bigint' } } };
    for (let i = 0; i < 6; i++) {
      writers.write(t, { a: i });
      if (writers.needsFlush) await writers.flush();
    }
    t.columns.b = { name: 'b', data_type: 'text' };
    writers.write(t, { a: 6, b: 'x' });

    const files = await writers.close();

    expect(files.map((f) => f.rows)).toEqual([4, 2, 1]);
    const last = await readBack(storage.url(files[2]!.key));
    expect(last.schema.fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect((await readBack(storage.url(files[0]!.key))).numRows).toBe(4);
  });

  it('refuses a decimal wider than 38 digits by its column, before parquet-wasm would panic', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'n/', 'parquet');
    const t: TableSchema = {
      name: 't',
      columns: { amount: { name: 'amount', data_type: 'decimal', precision: 50, scale: 2 } },
    };
    writers.write(t, { amount: '1.00' });

    await expect(writers.close()).rejects.toThrow(
      'column amount is decimal(50,2): precision goes up to 38 and scale up to the precision',
    );
  });

  it('bounds batches and files by the text they hold: rows of large documents flush and rotate sooner', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const limits = { ...DEFAULT_FILE_LIMITS, bufferChars: 40_000, fileMaxHeldBytes: 100_000 };
    const writers = new TableFileWriters(storage, 'n/', 'parquet', limits);
    const t: TableSchema = {
      name: 'docs',
      columns: {
        id: { name: 'id', data_type: 'bigint' },
        body: { name: 'body', data_type: 'text' },
      },
    };
    let flushes = 0;
    for (let i = 0; i < 40; i++) {
      writers.write(t, { id: i, body: `${i}:${'é'.repeat(5_000)}` });
      if (writers.needsFlush) {
        flushes++;
        await writers.flush();
      }
    }
    const files = await writers.close();

    // 2,000 rows would be one batch and one file; 40 rows of 5,000 characters are several of each
    expect(flushes).toBeGreaterThanOrEqual(4);
    expect(files.length).toBeGreaterThanOrEqual(3);
    const ids: number[] = [];
    for (const file of files) {
      const back = await readBack(storage.url(file.key));
      for (const row of back) {
        expect(row.body).toBe(`${row.id}:${'é'.repeat(5_000)}`);
        ids.push(Number(row.id));
      }
    }
    expect(ids).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('encodes a text column of over 64M characters value by value, with the same offsets and bytes', () => {
    // a joined string of such batches could pass V8's longest string (the batch budget keeps them
    // smaller; this is the path that would still hold): 170 values of 400,000 characters
    const value = 'ü'.repeat(400_000);
    const data = buildColumn({ name: 'body', data_type: 'text' }, Array(170).fill(value));
    expect(data.length).toBe(170);
    expect(data.valueOffsets[170]).toBe(170 * 800_000);
    expect(Buffer.from(data.values.subarray(800_000, 800_006)).toString('utf8')).toBe('üüü');
  });

  it('gathers the batches it is handed into row groups of rowGroupRows', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'n/', 'parquet', { bufferRows: 3, rowGroupRows: 8 });
    const t: TableSchema = { name: 't', columns: { a: { name: 'a', data_type: 'bigint' } } };
    for (let i = 0; i < 20; i++) {
      writers.write(t, { a: i });
      if (writers.needsFlush) await writers.flush();
    }

    const [file] = await writers.close();

    const metadata = (
      await parquet.ParquetFile.fromFile(new Blob([await readFile(storage.url(file!.key))]))
    ).metadata();
    const groups = Array.from({ length: metadata.numRowGroups() }, (_, i) => metadata.rowGroup(i).numRows());
    expect(groups).toEqual([8, 8, 4]);
    const back = await readBack(storage.url(file!.key));
    expect(back.getChild('a')!.toArray()).toEqual(BigInt64Array.from({ length: 20 }, (_, i) => BigInt(i)));
  });

  it('dictionary-encodes repeating values and delta-encodes integers, unless a dictionary packs them tighter', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(storage, 'n/', 'parquet');
    const t: TableSchema = {
      name: 't',
      columns: {
        status: { name: 'status', data_type: 'text' },
        email: { name: 'email', data_type: 'text' },
        _dlt_load_id: { name: '_dlt_load_id', data_type: 'text' },
        _dlt_id: { name: '_dlt_id', data_type: 'text' },
        seq: { name: 'seq', data_type: 'bigint' },
        code: { name: 'code', data_type: 'bigint' },
        position: { name: 'position', data_type: 'bigint' },
        at: { name: 'at', data_type: 'timestamp' },
        day: { name: 'day', data_type: 'date' },
        price: { name: 'price', data_type: 'double' },
      },
    };
    const codes = [200, 404, 500, 201];
    for (let i = 0; i < 1_000; i++)
      writers.write(t, {
        status: i % 3 === 0 ? 'open' : 'closed',
        email: `u${i}@example.com`,
        _dlt_load_id: '1',
        _dlt_id: `id${i % 2}`,
        seq: 1_000_000 + i,
        code: codes[(i * 7) % 4]!,
        position: i % 3,
        // a null is not encoded, and leaves the differences around it as they are
        ...(i % 10 !== 5 && { at: 1_704_067_200_000_000 + i * 1_000_000 }),
        day: 19_723 + (i >> 4),
        price: i % 7,
      });

    const [file] = await writers.close();

    const metadata = (
      await parquet.ParquetFile.fromFile(new Blob([await readFile(storage.url(file!.key))]))
    ).metadata();
    const dictionary = new Set([parquet.Encoding.PLAIN_DICTIONARY, parquet.Encoding.RLE_DICTIONARY]);
    const encoded = Object.fromEntries(
      metadata
        .rowGroup(0)
        .columns()
        .map((c) => {
          const encodings = c.encodings();
          const name = encodings.some((e) => dictionary.has(e))
            ? 'dictionary'
            : encodings.includes(parquet.Encoding.DELTA_BINARY_PACKED)
              ? 'delta'
              : 'plain';
          return [c.columnPath().join('.'), name];
        }),
    );
    // a row key repeats here only by construction: keys are unique in real packages; four codes
    // take 2 bits as indexes, their differences 9; positions 0-2 take 2 bits either way
    expect(encoded).toEqual({
      status: 'dictionary',
      email: 'plain',
      _dlt_load_id: 'dictionary',
      _dlt_id: 'plain',
      seq: 'delta',
      code: 'dictionary',
      position: 'delta',
      at: 'delta',
      day: 'delta',
      price: 'dictionary',
    });
    const back = await readBack(storage.url(file!.key));
    expect(back.getChild('email')!.get(999)).toBe('u999@example.com');
    expect(back.getChild('status')!.get(3)).toBe('open');
    expect(back.getChild('seq')!.toArray()).toEqual(
      BigInt64Array.from({ length: 1_000 }, (_, i) => 1_000_000n + BigInt(i)),
    );
    expect(Array.from(back.getChild('code')!.toArray(), Number)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => codes[(i * 7) % 4]),
    );
    const at = back.getChild('at')!;
    expect([at.get(4), at.get(5), at.get(999)]).toEqual([
      1_704_067_204_000,
      null,
      1_704_067_200_000 + 999_000,
    ]);
    expect(back.getChild('day')!.get(999)).toBe(Date.UTC(2024, 0, 1) + (999 >> 4) * 86_400_000);
  });

  it('flushes and groups wide tables by values, not rows: fewer rows the more columns', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const limits = { bufferRows: 100, bufferCells: 1_000, rowGroupRows: 100, rowGroupCells: 2_000 };
    const writers = new TableFileWriters(storage, 'n/', 'parquet', limits);
    const names = Array.from({ length: 50 }, (_, i) => `c${i}`);
    const wide: TableSchema = {
      name: 'wide',
      columns: Object.fromEntries(names.map((name) => [name, { name, data_type: 'bigint' }])),
    };
    const narrow: TableSchema = { name: 'narrow', columns: { a: { name: 'a', data_type: 'bigint' } } };
    const flushedAt: number[] = [];
    for (let i = 1; i <= 100; i++) {
      writers.write(wide, Object.fromEntries(names.map((name) => [name, i])));
      writers.write(narrow, { a: i });
      if (writers.needsFlush) {
        flushedAt.push(i);
        await writers.flush();
      }
    }

    const files = await writers.close();

    // 1,000 values of 50 columns: every 20 rows; the one-column table would wait for 100 rows
    expect(flushedAt).toEqual([20, 40, 60, 80, 100]);
    const groupsOf = async (table: string) => {
      const file = files.find((f) => f.table === table)!;
      const metadata = (
        await parquet.ParquetFile.fromFile(new Blob([await readFile(storage.url(file.key))]))
      ).metadata();
      return Array.from({ length: metadata.numRowGroups() }, (_, i) => metadata.rowGroup(i).numRows());
    };
    expect(await groupsOf('wide')).toEqual([40, 40, 20]);
    expect(await groupsOf('narrow')).toEqual([100]);
  });
});
