import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { packagePrefix } from '../../shared/package/layout.js';
import { extract } from '../../shared/pipeline/extract.js';
import { readJobs } from '../../shared/pipeline/package-io.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';
import { functionAssetDirs, functionRuntimes, STAGES, type StageName } from '../support/cdk-assets.js';
import { LAMBDA_NODE_VERSION, lambdaNode, lambdaNodeUnavailable } from '../support/lambda-node.js';
import { localS3 } from '../support/local-s3.js';
import { tempDir } from '../support/temp-dir.js';

const run = promisify(execFile);
const stack = inject('localStack');

let outDir: string;
let bundles: Record<StageName, string>;

/** The bundles run on the Node running the tests and on the Lambdas' Node, fetched when it can be. */
const LAMBDA_NODE_SKIP = lambdaNodeUnavailable();
interface Runtime {
  name: string;
  /** The binary, known once beforeAll fetched it. */
  node: () => string;
  version: string;
  skip: string | undefined;
}
const runtimes: Runtime[] = [
  {
    name: `the tests' Node ${process.versions.node}`,
    node: () => process.execPath,
    version: process.version,
    skip: undefined,
  },
  {
    name: `Lambda's Node ${LAMBDA_NODE_VERSION}`,
    node: () => lambdaNodePath,
    version: `v${LAMBDA_NODE_VERSION}`,
    skip: LAMBDA_NODE_SKIP,
  },
];
let lambdaNodePath: string;

/** `cdk synth` as a user runs it: offline, bundling each function locally with esbuild. */
beforeAll(async () => {
  outDir = await tempDir('sluice-cdk-');
  const [, node] = await Promise.all([
    run('npx', ['cdk', 'synth', '--quiet', '--output', outDir], { timeout: 240_000 }),
    LAMBDA_NODE_SKIP === undefined ? lambdaNode() : undefined,
  ]);
  if (node !== undefined) lambdaNodePath = node;
  bundles = functionAssetDirs(outDir);
}, 300_000);

const sqs = new SQSClient({
  endpoint: stack.aws.endpoint,
  region: stack.aws.region,
  credentials: { accessKeyId: stack.aws.accessKeyId, secretAccessKey: stack.aws.secretAccessKey },
});
const s3 = localS3(stack);
afterAll(() => {
  sqs.destroy();
  s3.destroy();
});

/** Invokes a bundled handler in a fresh process of the runtime's Node, the way the Lambda runtime loads it. */
async function invokeBundle(
  runtime: Runtime,
  dir: string,
  env: Record<string, string>,
  event: unknown,
): Promise<unknown> {
  const script = `
    const { handler } = require('./index.js');
    const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bundle-test', functionName: 'bundle-test' };
    handler(${JSON.stringify(event)}, context).then((r) => process.stdout.write('\\nREPLY ' + JSON.stringify({ version: process.version, reply: r ?? null }) + '\\n'), (e) => { console.error(e); process.exit(1); });
  `;
  const { stdout, stderr } = await run(runtime.node(), ['-e', script], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL: stack.aws.endpoint,
      AWS_REGION: stack.aws.region,
      AWS_ACCESS_KEY_ID: stack.aws.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stack.aws.secretAccessKey,
      POWERTOOLS_LOG_LEVEL: 'WARN',
      ...env,
    },
    timeout: 60_000,
  });
  // stdout also carries the EMF metric lines; the reply is the marked line
  const line = stdout.split('\n').find((text) => text.startsWith('REPLY '));
  const { version, reply } = JSON.parse(line!.slice('REPLY '.length)) as { version: string; reply: unknown };
  // the handler ran on the runtime asked for, which knew every V8 flag the bundle set
  expect(version).toBe(runtime.version);
  expect(stderr).not.toMatch(/unrecognized flag/);
  return reply;
}

/** The environment every stage gets: the staging bucket under `prefix`, and a load queue of its own. */
async function stagingEnv(prefix: string): Promise<Record<string, string>> {
  const loadQueue = await sqs.send(
    new CreateQueueCommand({ QueueName: `${prefix}-load.fifo`, Attributes: { FifoQueue: 'true' } }),
  );
  return {
    STAGING_BUCKET: stack.stagingBucket,
    STAGING_PREFIX: `${prefix}/`,
    LOAD_QUEUE_URL: loadQueue.QueueUrl!,
  };
}

/** An SQS record of the normalize queue as Lambda's event source hands it over. */
function normalizeRecord(body: string, messageId: string) {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:normalize',
    awsRegion: 'us-east-1',
  };
}

describe('cdk synth and the bundles it builds', () => {
  it('bundles each function into one file, with parquet-wasm beside those that use Parquet, all for the Node major version the bundles are tried on below', () => {
    for (const stage of STAGES)
      expect(existsSync(join(bundles[stage], 'index.js')), `${stage} bundle`).toBe(true);
    // extract reads Parquet drops and normalize writes Parquet; load never touches Parquet
    expect(existsSync(join(bundles.extract, 'parquet_wasm_bg.wasm'))).toBe(true);
    expect(existsSync(join(bundles.normalize, 'parquet_wasm_bg.wasm'))).toBe(true);
    expect(existsSync(join(bundles.load, 'parquet_wasm_bg.wasm'))).toBe(false);
    expect(existsSync(join(bundles.normalize, 'normalize-worker.js'))).toBe(true);
    // the Node the bundles are tried on below is of the major version every function runs
    expect(Object.values(functionRuntimes(outDir))).toEqual(
      STAGES.map(() => `nodejs${LAMBDA_NODE_VERSION.split('.')[0]}.x`),
    );
  });
  it('fails `cdk synth` on a bad configuration with a message naming the field', async () => {
    const dir = await tempDir('sluice-bad-config-');
    const file = join(dir, 'bad.config.mjs');
    await writeFile(
      file,
      'export default { pipelines: [{ name: "shop", dataset: "shop", resources: [{ name: "orders", writeDisposition: "upsert" }] }] };\n',
    );
    const failed = await run(
      'npx',
      ['cdk', 'synth', '--quiet', '-c', `config=${file}`, '--output', join(dir, 'out')],
      {
        timeout: 120_000,
      },
    ).then(
      () => undefined,
      (error: { stderr: string }) => error,
    );
    expect(failed?.stderr).toMatch(
      /invalid .*bad\.config\.mjs: pipelines\[0\]\.resources\[0\]\.writeDisposition/,
    );
  });
});

describe.each(runtimes)('the bundles on $name', (runtime) => {
  const { node, skip } = runtime;
  const title = (text: string) => (skip === undefined ? text : `${text} (skipped: ${skip})`);

  it.skipIf(skip !== undefined)(
    title('run as Lambda loads them: extract packages items, normalize writes Parquet, load starts'),
    async () => {
      const prefix = `bundle-${Date.now()}`;
      const normalizeQueue = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-normalize` }));
      const env = { ...(await stagingEnv(prefix)), NORMALIZE_QUEUE_URL: normalizeQueue.QueueUrl! };
      // the shipped sluice.config.ts is bundled in: pipeline shop, resource orders
      const extracted = (await invokeBundle(runtime, bundles.extract, env, {
        pipeline: 'shop',
        items: { orders: [{ id: 1, total: 9.5, lines: [{ sku: 'a' }] }] },
      })) as { loadIds: string[] };
      expect(extracted.loadIds).toHaveLength(1);
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: normalizeQueue.QueueUrl! }),
      );
      const reply = (await invokeBundle(runtime, bundles.normalize, env, {
        Records: Messages.map((m) => normalizeRecord(m.Body!, m.MessageId!)),
      })) as { batchItemFailures: unknown[] };
      expect(reply.batchItemFailures).toEqual([]);
      const listed = await s3.send(
        new ListObjectsV2Command({
          Bucket: stack.stagingBucket,
          Prefix: `${prefix}/shop/packages/${extracted.loadIds[0]}/normalized/`,
        }),
      );
      const names = (listed.Contents ?? []).map((o) => o.Key!.split('/').pop());
      // Parquet written by the wasm module the bundle ships
      expect(names).toEqual(
        expect.arrayContaining([expect.stringMatching(/^orders\.[0-9a-f]{10}\.parquet$/)]),
      );
      expect(names).toEqual(
        expect.arrayContaining([expect.stringMatching(/^orders__lines\.[0-9a-f]{10}\.parquet$/)]),
      );
      // load needs the warehouse's secret to do work; loading it proves the driver bundled
      const load = await run(node(), ['-e', "console.log(typeof require('./index.js').handler)"], {
        cwd: bundles.load,
        env: { PATH: process.env.PATH, STAGING_BUCKET: 'b', DATABRICKS_SECRET_ID: 'sluice/databricks' },
      });
      expect(load.stdout.trim()).toBe('function');
    },
  );

  it.skipIf(skip !== undefined)(
    title('normalize works a large package in worker threads when NORMALIZE_WORKERS says so'),
    async () => {
      const prefix = `workers-${Date.now()}`;
      const storage = new S3FileStorage(s3, stack.stagingBucket, `${prefix}/`);
      // 310,000 items (past the 300,000 threshold) of about 80 bytes: several chunks for two workers
      const items = Array.from({ length: 310_000 }, (_, i) => ({
        id: i,
        note: 'n'.repeat(50),
        lines: [{ sku: i }],
      }));
      const { loadId } = await extract({
        storage,
        pipeline: 'shop',
        dataset: 'shop',
        resources: [{ hints: { name: 'orders' }, items }],
      });
      const env = { ...(await stagingEnv(prefix)), NORMALIZE_WORKERS: '2' };
      const reply = (await invokeBundle(runtime, bundles.normalize, env, {
        Records: [normalizeRecord(JSON.stringify({ pipeline: 'shop', dataset: 'shop', loadId }), 'm1')],
      })) as { batchItemFailures: unknown[] };

      expect(reply.batchItemFailures).toEqual([]);
      const jobs = await readJobs(storage, packagePrefix('shop', loadId));
      // each worker writes its own files: two per table, all rows accounted for
      expect(jobs.tables.orders?.files).toHaveLength(2);
      expect(jobs.tables.orders__lines?.files).toHaveLength(2);
      expect([jobs.tables.orders?.rows, jobs.tables.orders__lines?.rows]).toEqual([310_000, 310_000]);
    },
  );
});
