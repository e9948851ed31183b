import { spawn } from 'node:child_process';
import { DeleteObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as arrow from 'apache-arrow';
import type { Context, SQSEvent } from 'aws-lambda';
import * as parquet from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { extractHandlerFromEnv } from '../../functions/extract/wiring.js';
import { loadHandlerFromEnv } from '../../functions/load/wiring.js';
import { normalizeHandlerFromEnv } from '../../functions/normalize/wiring.js';
import { parseSluiceConfig, type SluiceConfigInput } from '../../shared/config/pipelines.js';
import { errorClassOf } from '../../shared/destinations/databricks/error-classification.js';
import { startApiServer } from '../support/api-server.js';
import { invocationContext } from '../support/event-source-runner.js';
import { keepProcessOutput } from '../support/log-scan.js';
import {
  createServerlessStack,
  FUNCTION_TIMEOUT_MS,
  MAX_RECEIVE_COUNT,
  type ServerlessStack,
  VISIBILITY_TIMEOUT_SECONDS,
} from '../support/serverless-stack.js';
import { openWarehouseSession } from '../support/warehouse-client.js';

const stack = inject('localStack');
const dataset = `serverless_${Date.now().toString(36)}`;
let configInput: SluiceConfigInput;
let config: ReturnType<typeof parseSluiceConfig>;
const rates = [
  { currency: 'EUR', rate: 1.08, day: '2026-11-20' },
  { currency: 'GBP', rate: 1.27, day: '2026-11-20' },
];
const ticks = [{ id: 1, at: 1 }];
let api: Awaited<ReturnType<typeof startApiServer>>;

let aws: ServerlessStack;
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;
let functionEnv: NodeJS.ProcessEnv;
let handlers: {
  extract: ReturnType<typeof extractHandlerFromEnv>;
  normalize: ReturnType<typeof normalizeHandlerFromEnv>;
  load: ReturnType<typeof loadHandlerFromEnv>;
};

beforeAll(async () => {
  api = await startApiServer({
    '/rates': () => ({ body: { rates } }),
    '/ticks': (r) => ({ body: ticks.filter((t) => t.at >= Number(r.query.get('since'))) }),
  });
  configInput = {
    pipelines: [
      {
        name: 'shop',
        dataset,
        resources: [
          { name: 'events', writeDisposition: 'append', drop: { prefix: 'inbox/events/' } },
          {
            name: 'orders',
            writeDisposition: 'merge',
            primaryKey: ['id'],
            drop: { prefix: 'inbox/orders/' },
          },
        ],
      },
      {
        name: 'fx',
        dataset,
        resources: [
          {
            name: 'rates',
            writeDisposition: 'append',
            source: { kind: 'rest_api', baseUrl: api.url, path: 'rates', dataSelector: 'rates' },
          },
        ],
        schedules: [{ expression: 'rate(1 day)' }],
      },
      {
        name: 'feed',
        dataset,
        resources: [
          {
            name: 'ticks',
            source: {
              kind: 'rest_api',
              baseUrl: api.url,
              path: 'ticks',
              incremental: { cursorPath: 'at', param: 'since', initialValue: 0 },
            },
          },
        ],
        schedules: [{ expression: 'rate(1 hour)' }],
      },
    ],
  };
  config = parseSluiceConfig(configInput);
  aws = await createServerlessStack(stack);
  // the SDK clients inside the functions read their endpoint and keys from the environment
  Object.assign(process.env, aws.awsEnv, { POWERTOOLS_LOG_LEVEL: 'WARN' });
  const env = { ...process.env, ...aws.functionEnv };
  functionEnv = env;
  handlers = {
    extract: extractHandlerFromEnv(config, env),
    normalize: normalizeHandlerFromEnv(config, env),
    load: loadHandlerFromEnv(env),
  };
  warehouse = await openWarehouseSession(stack);
});
afterAll(async () => {
  await api?.close();
  await warehouse?.close();
  aws?.close();
});

const invoke =
  (handler: (event: never, context: Context) => Promise<unknown>) => (event: SQSEvent, context: Context) =>
    handler(event as never, context);

/** Lets every stage's event source poll until all three queues are empty. */
async function drainAll(): Promise<void> {
  for (let round = 0; round < 10; round++) {
    const polled = [
      ...(await aws.runners.extract.drain(invoke(handlers.extract))),
      ...(await aws.runners.normalize.drain(invoke(handlers.normalize))),
      ...(await aws.runners.load.drain(invoke(handlers.load))),
    ];
    if (polled.length === 0) return;
  }
}

async function drop(key: string, body: string | Uint8Array): Promise<void> {
  await aws.s3.send(new PutObjectCommand({ Bucket: aws.inboxBucket, Key: key, Body: body }));
}

const lines = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
const table = (name: string) => `main.${dataset}.${name}`;

describe('the three stages on moto, polled like Lambda event sources, loading into the local warehouse', () => {
  it('loads a file dropped in the inbox', async () => {
    const before = await loadCount();
    await drop(
      'inbox/events/2026/a.jsonl',
      lines([
        { id: 1, kind: 'view', tags: ['x', 'y'] },
        { id: 2, kind: 'buy' },
      ]),
    );
    await drainAll();
    expect(
      await warehouse.query(`SELECT id, kind FROM ${table('events')} WHERE id IN (1, 2) ORDER BY id`),
    ).toEqual([
      { id: 1, kind: 'view' },
      { id: 2, kind: 'buy' },
    ]);
    expect(
      await warehouse.query(`SELECT value FROM ${table('events__tags')} ORDER BY _dlt_list_idx`),
    ).toEqual([{ value: 'x' }, { value: 'y' }]);
    expect(await loadCount()).toBe(before + 1);
    const loads = await warehouse.query(`SELECT DISTINCT status FROM ${table('_dlt_loads')}`);
    expect(loads).toEqual([{ status: 0 }]);
  });

  it('groups a batch of drops into one package', async () => {
    await drop('inbox/orders/o1.jsonl', lines([{ id: 10, total: 5 }]));
    await drop('inbox/orders/o2.json', JSON.stringify([{ id: 11, total: 7 }]));
    await drop('inbox/events/b.csv', 'id,kind\n3,view\n');
    // Parquet, which the function reads by ranged GETs
    const orders = arrow.tableFromArrays({ id: BigInt64Array.from([12n]), total: BigInt64Array.from([9n]) });
    await drop(
      'inbox/orders/o3.parquet',
      parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(orders))),
    );
    const before = await loadCount();
    await drainAll();
    expect(await loadCount()).toBe(before + 1);
    expect(
      await warehouse.query(`SELECT id, total FROM ${table('orders')} WHERE id IN (10, 11, 12) ORDER BY id`),
    ).toEqual([
      { id: 10, total: 5 },
      { id: 11, total: 7 },
      { id: 12, total: 9 },
    ]);
  });

  it('cuts a batch of drops into packages of at most packageMaxMiB', async () => {
    // three drops of 60 bytes, packages of at most 130: the first two together, the third alone
    const body = (id: number) => {
      const text = JSON.stringify({ id, kind: 'size' });
      return `${text.slice(0, -1)},"pad":"${'x'.repeat(60 - text.length - 10)}"}\n`;
    };
    expect(body(20).length).toBe(60);
    const small = parseSluiceConfig({ ...configInput, packageMaxMiB: 130 / (1024 * 1024) });
    const usual = handlers.extract;
    handlers.extract = extractHandlerFromEnv(small, functionEnv);
    try {
      for (const id of [20, 21, 22]) await drop(`inbox/events/sized-${id}.jsonl`, body(id));
      const before = await loadCount();
      await drainAll();
      expect(await loadCount()).toBe(before + 2);
    } finally {
      handlers.extract = usual;
    }
    const packages = await warehouse.query(
      `SELECT id, count(*) OVER (PARTITION BY _dlt_load_id) AS together FROM ${table('events')} WHERE kind = 'size' ORDER BY id`,
    );
    expect(packages.map((row) => [row.id, Number(row.together)])).toEqual([
      [20, 2],
      [21, 2],
      [22, 1],
    ]);
  });

  it('loads each row once when every message is delivered twice', async () => {
    await drop('inbox/events/c.jsonl', lines([{ id: 100, kind: 'twice' }]));
    // the S3 notification twice, as SQS may deliver it
    const notification = await takeMessage(aws.queues.extract.url);
    await sendTwice(aws.queues.extract.url, notification);
    await aws.runners.extract.drain(invoke(handlers.extract));
    // the normalize message twice, and the load message under a fresh deduplication id
    const normalizeMessages = await takeAll(aws.queues.normalize.url);
    for (const body of normalizeMessages) await sendTwice(aws.queues.normalize.url, body);
    await aws.runners.normalize.drain(invoke(handlers.normalize));
    const loadMessages = await takeAll(aws.queues.load.url);
    for (const body of loadMessages) {
      for (const n of [1, 2]) {
        await aws.sqs.send(
          new SendMessageCommand({
            QueueUrl: aws.queues.load.url,
            MessageBody: body,
            MessageGroupId: dataset,
            MessageDeduplicationId: `redelivery-${n}-${Date.now()}`,
          }),
        );
      }
    }
    await drainAll();
    expect(
      await warehouse.query(`SELECT count(*) AS n FROM ${table('events')} WHERE kind = 'twice'`),
    ).toEqual([{ n: 1 }]);
  });

  it('loads each row once when extract, normalize and load are each killed half-way and retried', async () => {
    await drop(
      'inbox/events/d.jsonl',
      lines(Array.from({ length: 3000 }, (_, i) => ({ id: 1000 + i, kind: 'killed' }))),
    );
    // extract is killed as soon as its package has an extracted file, before it is marked extracted
    const extractEvent = await receiveAsEvent('extract');
    await runKilled('extract', extractEvent, { afterPut: /\/extracted\/events\.0\.jsonl\.gz$/ });
    await waitForRetry();
    await aws.runners.extract.drain(invoke(handlers.extract));
    // normalize is killed once it has written a data file, before jobs.json and its marker
    const normalizeEvent = await receiveAsEvent('normalize');
    await runKilled('normalize', normalizeEvent, { afterPut: /\/normalized\/events\.[0-9a-f]+\.parquet$/ });
    await waitForRetry();
    await aws.runners.normalize.drain(invoke(handlers.normalize));
    // load is killed after the package is committed to _dlt_loads, before its loaded marker
    const loadEvent = await receiveAsEvent('load');
    await runKilled('load', loadEvent, { beforePut: /\/_stage\/loaded$/ });
    await waitForRetry();
    await drainAll();
    expect(
      await warehouse.query(
        `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${table('events')} WHERE kind = 'killed'`,
      ),
    ).toEqual([{ n: 3000, ids: 3000 }]);
  });

  it('sends a poison package to the dead-letter queue after the configured receives while the next one loads', async () => {
    await drop('inbox/events/poison.jsonl', '{"id": 1, "kind": "ok"}\n{"id": 2, "kind": \n');
    await aws.runners.extract.drain(invoke(handlers.extract));
    await drop('inbox/orders/after-poison.jsonl', lines([{ id: 20, total: 1 }]));
    const logged = await captureOutput(async () => {
      for (let receive = 0; receive <= MAX_RECEIVE_COUNT; receive++) {
        await drainAll();
        await waitForRetry();
      }
    });
    // structured JSON logs, the load id on every line of a package
    const failures = logged.filter((line) => line.message === 'normalize failed');
    expect(failures).toHaveLength(MAX_RECEIVE_COUNT);
    expect(failures[0]).toMatchObject({
      level: 'ERROR',
      service: 'sluice-normalize',
      pipeline: 'shop',
      loadId: expect.stringMatching(/^\d+\.\d+$/),
      error: { name: 'SourceError', line: 2, file: expect.stringMatching(/poison\.jsonl$/) },
    });
    const dead = await takeAll(aws.queues.normalize.dlqUrl);
    expect(dead).toHaveLength(1);
    const { loadId } = JSON.parse(dead[0]!) as { loadId: string };
    const failed = await aws.s3.send(
      new ListObjectsV2Command({
        Bucket: stack.stagingBucket,
        Prefix: `${aws.functionEnv.STAGING_PREFIX}/shop/packages/${loadId}/_stage/failed`,
      }),
    );
    expect(failed.KeyCount).toBe(1);
    expect(await warehouse.query(`SELECT id FROM ${table('orders')} WHERE id = 20`)).toEqual([{ id: 20 }]);
    // nothing of the poison package loaded: it has no _dlt_loads row
    expect(
      await warehouse.query(`SELECT count(*) AS n FROM ${table('_dlt_loads')} WHERE load_id = '${loadId}'`),
    ).toEqual([{ n: 0 }]);
  });

  it('fails only the message of an unreadable drop; the rest of its batch loads', async () => {
    await drop('inbox/events/fine.jsonl', lines([{ id: 800, kind: 'fine' }]));
    await drop('inbox/events/broken.jsonl.gz', 'this is not gzip');
    const first = await aws.runners.extract.pollOnce(invoke(handlers.extract));
    // (when this test runs first, the batch also holds S3's test event)
    expect(first).toMatchObject({ failed: 1, crashed: false });
    expect(first.received).toBeGreaterThanOrEqual(2);
    await drainAll();
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${table('events')} WHERE kind = 'fine'`)).toEqual(
      [{ n: 1 }],
    );
    // the broken drop is retried, then lands in the extract dead-letter queue
    for (let receive = 1; receive < MAX_RECEIVE_COUNT; receive++) {
      await waitForRetry();
      await aws.runners.extract.drain(invoke(handlers.extract));
    }
    await waitForRetry();
    await aws.runners.extract.drain(invoke(handlers.extract));
    const dead = await takeAll(aws.queues.extract.dlqUrl);
    // notifications carry keys URL-encoded
    expect(dead.map((body) => decodeURIComponent(JSON.parse(body).Records[0].s3.object.key))).toEqual([
      'inbox/events/broken.jsonl.gz',
    ]);
  });

  it('pulls a REST API on a scheduled event, once even when the event comes twice', async () => {
    const scheduled = {
      version: '0',
      id: 'c4f3b8c2-0000-4000-8000-000000000001',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-11-21T06:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/sluice-fx-0'],
      detail: { pipeline: 'fx' },
    };
    for (let delivery = 0; delivery < 2; delivery++) {
      const reply = (await handlers.extract(scheduled as never, invocationContext(FUNCTION_TIMEOUT_MS))) as {
        loadIds: string[];
      };
      expect(reply.loadIds).toEqual(['1795240800.000000']);
    }
    await drainAll();
    expect(await warehouse.query(`SELECT currency, rate FROM ${table('rates')} ORDER BY currency`)).toEqual([
      { currency: 'EUR', rate: 1.08 },
      { currency: 'GBP', rate: 1.27 },
    ]);
    expect(api.requests.filter((r) => r.path === '/rates')).toHaveLength(1);
  });

  it("goes on from the dataset's cursor when the staging bucket has lost the pipeline's state", async () => {
    const fire = (time: string) =>
      handlers.extract(
        {
          version: '0',
          id: `c4f3b8c2-0000-4000-8000-${time.slice(11, 13)}0000000000`,
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '123456789012',
          time,
          region: 'us-east-1',
          resources: ['arn:aws:events:us-east-1:123456789012:rule/sluice-feed-0'],
          detail: { pipeline: 'feed' },
        } as never,
        invocationContext(FUNCTION_TIMEOUT_MS),
      );
    await fire('2026-11-21T07:00:00Z');
    await drainAll();
    // a new staging bucket (or prefix) over the same dataset: the pipeline's state and schema are gone
    const prefix = aws.functionEnv.STAGING_PREFIX;
    await aws.s3.send(
      new DeleteObjectsCommand({
        Bucket: aws.functionEnv.STAGING_BUCKET,
        Delete: {
          Objects: [{ Key: `${prefix}/feed/state.json` }, { Key: `${prefix}/feed/schemas/feed.json` }],
        },
      }),
    );
    ticks.push({ id: 2, at: 2 });
    await fire('2026-11-21T08:00:00Z');
    await drainAll();
    const asked = api.requests.filter((r) => r.path === '/ticks').map((r) => r.query.get('since'));
    expect(asked).toEqual(['0', '1']);
    expect(await warehouse.query(`SELECT id FROM ${table('ticks')} ORDER BY id`)).toEqual([
      { id: 1 },
      { id: 2 },
    ]);
    expect(
      await warehouse.query(
        `SELECT max(version) AS v FROM ${table('_dlt_pipeline_state')} WHERE pipeline_name = 'feed'`,
      ),
    ).toEqual([{ v: 2 }]);
  });

  it('re-reads the Databricks secret when the warehouse refuses a rotated-away token', async () => {
    // extracted and normalized first: an extract without the pipeline's state (this test run
    // alone) restores it from the warehouse, which would refuse the revoked token too
    await drop('inbox/events/rotated.jsonl', lines([{ id: 500, kind: 'rotated' }]));
    await aws.runners.extract.drain(invoke(handlers.extract));
    await aws.runners.normalize.drain(invoke(handlers.normalize));
    const { SecretString } = await aws.secrets.send(new GetSecretValueCommand({ SecretId: aws.secretArn }));
    const good = JSON.parse(SecretString!) as { credentials: Record<string, unknown> };
    const revoked = { ...good, credentials: { ...good.credentials, access_token: 'dapi-revoked' } };
    await aws.secrets.send(
      new PutSecretValueCommand({ SecretId: aws.secretArn, SecretString: JSON.stringify(revoked) }),
    );
    // a fresh load container caches the revoked token
    const load = loadHandlerFromEnv({ ...process.env, ...aws.functionEnv });
    const first = await aws.runners.load.pollOnce(invoke(load));
    expect(first.crashed || first.failed > 0).toBe(true);
    // the token is rotated in the secret; the container still holds the old one for its TTL
    await aws.secrets.send(
      new PutSecretValueCommand({ SecretId: aws.secretArn, SecretString: JSON.stringify(good) }),
    );
    await waitForRetry();
    const second = await aws.runners.load.pollOnce(invoke(load));
    expect(second).toMatchObject({ received: 1, failed: 0, crashed: false });
    expect(await warehouse.query(`SELECT id FROM ${table('events')} WHERE kind = 'rotated'`)).toEqual([
      { id: 500 },
    ]);
  });

  it('extracts items handed in by a direct invocation', async () => {
    const reply = (await handlers.extract(
      { pipeline: 'shop', items: { orders: [{ id: 30, total: 9 }] } } as never,
      invocationContext(FUNCTION_TIMEOUT_MS),
    )) as { loadIds: string[]; items: number };
    expect(reply.loadIds).toHaveLength(1);
    await drainAll();
    expect(await warehouse.query(`SELECT total FROM ${table('orders')} WHERE id = 30`)).toEqual([
      { total: 9 },
    ]);
  });

  it('takes an object named in a direct invocation once, though its notification comes too', async () => {
    await drop('inbox/events/direct.jsonl', lines([{ id: 700, kind: 'direct' }]));
    const reply = (await handlers.extract(
      { pipeline: 'shop', objects: [{ bucket: aws.inboxBucket, key: 'inbox/events/direct.jsonl' }] } as never,
      invocationContext(FUNCTION_TIMEOUT_MS),
    )) as { loadIds: string[]; items: number };
    expect(reply.loadIds).toHaveLength(1);
    await drainAll(); // the S3 notification of the same object finds it taken
    expect(
      await warehouse.query(`SELECT count(*) AS n FROM ${table('events')} WHERE kind = 'direct'`),
    ).toEqual([{ n: 1 }]);
    const outside = handlers.extract(
      { pipeline: 'shop', objects: [{ bucket: aws.inboxBucket, key: 'elsewhere/x.jsonl' }] } as never,
      invocationContext(FUNCTION_TIMEOUT_MS),
    );
    await expect(outside).rejects.toThrow(/elsewhere\/x\.jsonl is under no drop prefix of pipeline shop/);
  });
});

/** Packages committed so far: none before the first load creates `_dlt_loads` (a test run alone). */
async function loadCount(): Promise<number> {
  try {
    const rows = await warehouse.query(`SELECT count(*) AS n FROM ${table('_dlt_loads')}`);
    return Number(rows[0]!.n);
  } catch (error) {
    if (errorClassOf((error as Error).message) === 'TABLE_OR_VIEW_NOT_FOUND') return 0;
    throw error;
  }
}

/** Receives and deletes every message of a queue, returning their bodies. */
async function takeAll(url: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body!));
    for (const m of Messages)
      await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle! }));
  }
}

/** The one message of a queue; S3's test event, which a test running first finds too, is dropped. */
async function takeMessage(url: string): Promise<string> {
  const bodies = (await takeAll(url)).filter((body) => !body.includes('"s3:TestEvent"'));
  if (bodies.length !== 1) throw new Error(`${bodies.length} messages on ${url}, expected one`);
  return bodies[0]!;
}

async function sendTwice(url: string, body: string): Promise<void> {
  for (let n = 0; n < 2; n++)
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
}

/** The next batch of a queue as the event Lambda would get (left on the queue to reappear). */
async function receiveAsEvent(stage: 'extract' | 'normalize' | 'load'): Promise<SQSEvent> {
  let captured: SQSEvent | undefined;
  await aws.runners[stage].pollOnce(async (event) => {
    captured = event;
    throw new Error('only capturing the event');
  });
  if (captured === undefined) throw new Error(`no message on the ${stage} queue`);
  return captured;
}

/** Runs `work` with stdout and stderr captured (errors log to stderr), returning the JSON log lines. */
async function captureOutput(work: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write.bind(stream));
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).split('\n'));
      return true;
    }) as typeof stream.write;
  }
  try {
    await work();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = writes[i]!;
    });
    // the worker's secret scan sees them all the same
    keepProcessOutput(lines);
  }
  return lines
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function waitForRetry(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, VISIBILITY_TIMEOUT_SECONDS * 1000 + 500));
}

/** Runs a handler in its own process, killed (SIGKILL) just before or after it writes a matching key. */
async function runKilled(
  stage: 'extract' | 'normalize' | 'load',
  event: SQSEvent,
  crash: { beforePut?: RegExp; afterPut?: RegExp },
): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', './test/support/crash-on-put.ts', 'test/support/handler-process.ts'],
    {
      env: {
        ...process.env,
        ...aws.functionEnv,
        ...(crash.beforePut && { SLUICE_CRASH_BEFORE_PUT: crash.beforePut.source }),
        ...(crash.afterPut && { SLUICE_CRASH_AFTER_PUT: crash.afterPut.source }),
      },
      stdio: ['pipe', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  child.stdin.end(JSON.stringify({ stage, config: configInput, event, timeoutMs: FUNCTION_TIMEOUT_MS }));
  expect(await exited, `${stage} was to be killed half-way`).toBe('SIGKILL');
}
