import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type PipelineConfig,
  parseSluiceConfig,
  type SluiceConfigInput,
} from '../../shared/config/pipelines.js';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { packageKeys, packagePrefix } from '../../shared/package/layout.js';
import {
  type DroppedObject,
  type ExtractDropsOptions,
  extractDrops,
} from '../../shared/pipeline/extract-drops.js';
import { load } from '../../shared/pipeline/load.js';
import { normalize } from '../../shared/pipeline/normalize.js';
import { openS3Object, s3ObjectRanges } from '../../shared/sources/s3-objects.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { localS3 } from '../support/local-s3.js';
import { tempDir } from '../support/temp-dir.js';

const stack = inject('localStack');
const s3 = localS3(stack);
const bucket = `sluice-drops-${randomUUID().slice(0, 8)}`;
beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s3.destroy());
const s3Ranges = { ranges: (object: DroppedObject) => s3ObjectRanges(s3, object) };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

type Resource = SluiceConfigInput['pipelines'][number]['resources'][number];

/** Drops objects in the inbox on moto and runs them through the stages into DuckDB. */
async function dropPipeline(resources: Resource[]) {
  const dir = await tempDir('sluice-drops-');
  const storage = new LocalFileStorage(join(dir, 'storage'));
  const config = parseSluiceConfig({ pipelines: [{ name: 'drops', dataset: 'inbox_data', resources }] });
  const pipeline = config.pipelines[0]! as PipelineConfig;
  const destination = await DuckDbDestination.open(join(dir, 'drops.duckdb'));
  cleanups.push(() => destination.close());
  const put = async (key: string, body: Uint8Array | string) => {
    // the length said: the SDK warns of a stream of unknown length for an empty body
    const ContentLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    const { ETag } = await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength }),
    );
    const resource = pipeline.resources.find((r) => r.drop && key.startsWith(r.drop.prefix))!.name;
    return { bucket, key, etag: ETag!.replaceAll('"', ''), resource } satisfies DroppedObject;
  };
  // reads as the extract function does: streams, and ranged GETs for Parquet (or none: spooled)
  const take = (objects: DroppedObject[], ranges: Pick<ExtractDropsOptions, 'ranges'> = s3Ranges) =>
    extractDrops({
      storage,
      pipeline,
      objects,
      deadline: Date.now() + 60_000,
      open: (object) => openS3Object(s3, object),
      ...ranges,
    });
  return {
    storage,
    put,
    take,
    async extractAndNormalize(objects: DroppedObject[]) {
      const taken = await take(objects);
      const normalized = await normalize({
        storage,
        pipeline: 'drops',
        loadId: taken.loadId!,
        format: 'parquet',
      });
      return { taken, jobs: normalized.jobs };
    },
    load: (loadId: string) => load({ storage, pipeline: 'drops', loadId, destination }),
    /** Extracts, normalizes and loads the objects as one package. */
    async run(objects: DroppedObject[]) {
      const taken = await take(objects);
      if (taken.loadId === undefined) return { taken, jobs: undefined };
      const normalized = await normalize({
        storage,
        pipeline: 'drops',
        loadId: taken.loadId,
        format: 'parquet',
      });
      await load({ storage, pipeline: 'drops', loadId: taken.loadId, destination });
      return { taken, jobs: normalized.jobs };
    },
    query: (sql: string) => destination.client.query(sql),
  };
}

const rows = [
  { id: 1, name: 'Ann', score: 1.5 },
  { id: 2, name: 'Bo, "B"', score: 2 },
];
const jsonl = `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

function parquetFile(): Uint8Array {
  const table = arrow.tableFromArrays({
    id: BigInt64Array.from([1n, 2n]),
    name: ['Ann', 'Bo, "B"'],
    score: Float64Array.from([1.5, 2]),
  });
  return parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))).slice();
}

const sorted = async (p: { query(sql: string): Promise<Record<string, unknown>[]> }, table: string) =>
  (await p.query(`SELECT id, name, score FROM inbox_data.${table} ORDER BY id`)).map((r) => ({
    id: Number(r.id),
    name: r.name,
    score: Number(r.score),
  }));

describe('S3 drops', () => {
  it('reads every format, plain and gzipped, a JSON array under a path, a CSV dialect and an encoding', async () => {
    const formats = ['jsonl', 'jsonl_gz', 'json', 'json_gz', 'json_path', 'csv', 'csv_gz', 'parquet'];
    const p = await dropPipeline([
      ...formats.map((name) => ({
        name,
        drop: {
          prefix: `inbox/${name}/`,
          ...(name === 'json_path' && { jsonPath: 'data.items' }),
          ...(name.startsWith('csv') && { csv: { delimiter: ';' } }),
        },
      })),
      { name: 'latin', drop: { prefix: 'inbox/latin/', encoding: 'latin1' } },
    ]);
    const csv = 'id;name;score\n1;Ann;1.5\n2;"Bo, ""B""";2\n';
    const objects = [
      await p.put('inbox/jsonl/a.jsonl', jsonl),
      await p.put('inbox/jsonl_gz/a.jsonl.gz', gzipSync(jsonl)),
      await p.put('inbox/json/a.json', JSON.stringify(rows)),
      await p.put('inbox/json_gz/a.json.gz', gzipSync(JSON.stringify(rows))),
      await p.put('inbox/json_path/a.json', JSON.stringify({ meta: { n: 2 }, data: { items: rows } })),
      await p.put('inbox/csv/a.csv', csv),
      await p.put('inbox/csv_gz/a.csv.gz', gzipSync(csv)),
      await p.put('inbox/parquet/a.parquet', parquetFile()),
    ];
    objects.push(await p.put('inbox/latin/a.csv', Buffer.from('id,name\n1,Zoë\n', 'latin1')));
    await p.run(objects);
    for (const table of formats) expect(await sorted(p, table), table).toEqual(rows);
    expect(await p.query('SELECT name FROM inbox_data.latin')).toEqual([{ name: 'Zoë' }]);
  });

  it('reads a Parquet drop where it lies, a read per row group, few GETs, spooling nothing', async () => {
    const p = await dropPipeline([{ name: 'orders', drop: { prefix: 'inbox/orders/' } }]);
    const count = 30_000;
    const table = arrow.tableFromArrays({
      id: BigInt64Array.from({ length: count }, (_, i) => BigInt(i)),
      name: Array.from({ length: count }, (_, i) => `order ${i}`),
    });
    // 300 row groups, as a writer that flushes often leaves them
    const properties = new parquet.WriterPropertiesBuilder().setMaxRowGroupSize(100).build();
    const bytes = parquet
      .writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), properties)
      .slice();
    const object = await p.put('inbox/orders/big.parquet', bytes);
    const reads: number[] = [];
    const gets: string[] = [];
    const counting = localS3(stack);
    cleanups.push(async () => counting.destroy());
    counting.middlewareStack.add(
      (next) => (args) => {
        gets.push((args.input as { Range?: string }).Range ?? 'whole');
        return next(args);
      },
      { step: 'initialize' },
    );
    const counted = {
      ranges: async (o: DroppedObject) => {
        const ranges = await s3ObjectRanges(counting, o);
        return {
          size: ranges.size,
          read: (start: number, end: number) => {
            reads.push(end - start);
            return ranges.read(start, end);
          },
        };
      },
    };
    // with /tmp out of reach a spooled drop fails (below), so the ranged one cannot have spooled
    const tmp = process.env.TMPDIR;
    process.env.TMPDIR = join(await tempDir(), 'gone');
    let spooled: unknown;
    let taken: Awaited<ReturnType<typeof p.take>>;
    try {
      taken = await p.take([object], counted);
      const again = await p.put('inbox/orders/again.parquet', bytes);
      spooled = await p.take([again], {}).catch((error: unknown) => error);
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
    expect(String(spooled)).toContain('ENOENT');
    // the reader asks for the footer, then for each row group; the GETs read ahead, so the 300
    // row groups cost one: the length, the footer's two or three reads, and the rest at once
    expect(reads.length).toBeGreaterThanOrEqual(300);
    expect(reads.length).toBeLessThanOrEqual(300 + 3);
    expect(Math.max(...reads)).toBeLessThan(bytes.length / 2);
    expect(gets.length).toBeGreaterThanOrEqual(3);
    expect(gets.length).toBeLessThanOrEqual(5);
    expect(gets.every((range) => /^bytes=\d+-\d+$/.test(range))).toBe(true);
    await normalize({ storage: p.storage, pipeline: 'drops', loadId: taken.loadId!, format: 'parquet' });
    await p.load(taken.loadId!);
    const [loaded] = await p.query(
      'SELECT count(*) AS n, sum(id) AS s, max(name) AS m FROM inbox_data.orders',
    );
    expect({ n: Number(loaded!.n), s: Number(loaded!.s), m: loaded!.m }).toEqual({
      n: count,
      s: ((count - 1) * count) / 2,
      m: 'order 9999',
    });
  });

  it("a Parquet drop that cannot be read fails with S3's error, at the footer or at a row group", async () => {
    const p = await dropPipeline([{ name: 'orders', drop: { prefix: 'inbox/orders/' } }]);
    // the object is deleted before parquet-wasm's read number `at` (the footer's come first)
    const vanishing = (at: number) => ({
      ranges: async (o: DroppedObject) => {
        const ranges = await s3ObjectRanges(s3, o);
        let reads = 0;
        return {
          size: ranges.size,
          read: async (start: number, end: number) => {
            if (++reads === at) await s3.send(new DeleteObjectCommand({ Bucket: o.bucket, Key: o.key }));
            return ranges.read(start, end);
          },
        };
      },
    });
    for (const at of [1, 4]) {
      const object = await p.put(`inbox/orders/gone-${at}.parquet`, parquetFile());
      const failure = await p.take([object], vanishing(at)).catch((error: unknown) => error);
      expect(failure, `read ${at}`).toMatchObject({ name: 'NoSuchKey' });
      expect(String(failure)).not.toContain('not a readable Parquet file');
    }
    // an empty object has no first byte to learn its length from: the reader refuses it by name
    const empty = await p.put('inbox/orders/empty.parquet', '');
    await expect(p.take([empty])).rejects.toThrow(
      `s3://${bucket}/inbox/orders/empty.parquet: not a readable Parquet file`,
    );
  });

  it('reads only the version of a Parquet drop its event announced', async () => {
    const p = await dropPipeline([{ name: 'orders', drop: { prefix: 'inbox/orders/' } }]);
    const announced = await p.put('inbox/orders/a.parquet', parquetFile());
    // replaced before the extract reads it: the newer object comes with an event of its own
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: announced.key, Body: jsonl }));
    await expect(p.take([announced])).rejects.toMatchObject({ name: 'PreconditionFailed' });
  });

  it('fails a file with a malformed record, naming the object and the line', async () => {
    const p = await dropPipeline([{ name: 'events', drop: { prefix: 'inbox/events/' } }]);
    const object = await p.put('inbox/events/bad.jsonl', '{"id": 1}\n{"id": 2}\n{"id": \n{"id": 4}\n');
    await expect(p.run([object])).rejects.toThrow(`s3://${bucket}/inbox/events/bad.jsonl:3: invalid JSON`);
    expect(
      await p.query("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'events'"),
    ).toEqual([{ n: '0' }]);
  });

  it('sets malformed JSON lines and CSV rows aside with their line numbers, and loads the rest', async () => {
    const p = await dropPipeline([
      { name: 'events', onBadRecord: 'quarantine', drop: { prefix: 'inbox/events/' } },
      { name: 'people', onBadRecord: 'quarantine', drop: { prefix: 'inbox/people/' } },
    ]);
    const objects = [
      await p.put('inbox/events/mixed.jsonl', '{"id": 1}\n{"id": 2}\n{"id": \n{"id": 4}\nnot json\n'),
      // a JSON array's element that is whole but not JSON goes aside by its position
      await p.put('inbox/events/array.json', '[{"id": 5},\n {"id": tru},\n {"id": 6}]'),
      await p.put('inbox/people/mixed.csv', 'id,name\n1,Ann\n2,Bo,extra\n3,Cy\n'),
    ];
    const { taken, jobs } = await p.run(objects);
    expect((await p.query('SELECT id FROM inbox_data.events ORDER BY id')).map((r) => Number(r.id))).toEqual([
      1, 2, 4, 5, 6,
    ]);
    expect((await p.query('SELECT id FROM inbox_data.people ORDER BY id')).map((r) => Number(r.id))).toEqual([
      1, 3,
    ]);
    const pkg = packagePrefix('drops', taken.loadId!);
    expect(jobs!.quarantine).toEqual([
      { key: packageKeys.quarantine(pkg, 'extract', 0), records: 2 },
      { key: packageKeys.quarantine(pkg, 'normalize', 0), records: 2 },
    ]);
    const read = async (key: string) =>
      (await p.storage.get(key))!.body
        .toString('utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(await read(packageKeys.quarantine(pkg, 'normalize', 0))).toEqual([
      expect.objectContaining({ source: `s3://${bucket}/inbox/events/mixed.jsonl`, line: 3, raw: '{"id": ' }),
      expect.objectContaining({ line: 5, raw: 'not json', reason: expect.stringMatching(/^invalid JSON/) }),
    ]);
    expect(await read(packageKeys.quarantine(pkg, 'extract', 0))).toEqual([
      expect.objectContaining({
        source: `s3://${bucket}/inbox/events/array.json`,
        raw: '{"id": tru}',
        reason: expect.stringMatching(/^record 2: invalid JSON/),
      }),
      expect.objectContaining({
        source: `s3://${bucket}/inbox/people/mixed.csv`,
        line: 3,
        raw: expect.stringContaining('2,Bo,extra'),
      }),
    ]);
  });

  it('takes an object once: a re-drop of the same content loads nothing, a changed one loads', async () => {
    const p = await dropPipeline([
      { name: 'events', writeDisposition: 'append', drop: { prefix: 'inbox/events/' } },
    ]);
    const first = await p.put('inbox/events/daily.jsonl', jsonl);
    const loaded = await p.run([first]);
    const again = await p.put('inbox/events/daily.jsonl', jsonl);
    expect(again.etag).toBe(first.etag);
    const redropped = await p.run([again]);
    // nothing new: the earlier package is handed on again (its message may have been lost)
    expect(redropped.taken).toEqual({ loadIds: [loaded.taken.loadId], items: 0 });
    const changed = await p.put(
      'inbox/events/daily.jsonl',
      `${jsonl}${JSON.stringify({ id: 3, name: 'Cy', score: 3 })}\n`,
    );
    await p.run([changed]);
    expect((await p.query('SELECT id FROM inbox_data.events ORDER BY id')).map((r) => Number(r.id))).toEqual([
      1, 1, 2, 2, 3,
    ]);
  });

  it('streams a multi-hundred-MB drop through extract and normalize', async () => {
    const p = await dropPipeline([{ name: 'big', drop: { prefix: 'inbox/big/' } }]);
    const count = 550_000;
    const text = 'x'.repeat(400);
    const lines = async function* () {
      for (let i = 0; i < count; i += 1000) {
        let chunk = '';
        for (let j = i; j < i + 1000; j++)
          chunk += `{"id":${j},"kind":"event-${j % 7}","payload":{"text":"${text}","n":${j * 3}}}\n`;
        yield Buffer.from(chunk);
      }
    };
    // uploaded as a stream, so the file is never whole in this process either
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'inbox/big/events.jsonl', Body: Readable.from(lines()) },
    });
    const { ETag } = await upload.done();
    const size = (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'inbox/big/events.jsonl' })))
      .ContentLength!;
    expect(size).toBeGreaterThan(200_000_000);
    const object = {
      bucket,
      key: 'inbox/big/events.jsonl',
      etag: ETag!.replaceAll('"', ''),
      resource: 'big',
    };
    // extract and normalize are measured; the load into in-process DuckDB holds the table itself
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const { taken, jobs } = await p.extractAndNormalize([object]).finally(() => clearInterval(sampler));
    expect(jobs.tables.big!.rows).toBe(count);
    await p.load(taken.loadId!);
    expect(await p.query('SELECT count(*) AS n, max(payload__n) AS top FROM inbox_data.big')).toEqual([
      { n: String(count), top: String((count - 1) * 3) },
    ]);
    console.log(
      `${(size / 1e6).toFixed(0)} MB drop streamed: RSS grew by ${((peak - baseline) / 1e6).toFixed(0)} MB at most in extract and normalize`,
    );
  }, 300_000);
});
