// The serverless figures of `npm run bench`: each function bundle as `cdk synth` builds it (size,
// and initialisation time of a fresh Node process loading it), and the end-to-end latency from a
// file dropped in the inbox to its `_dlt_loads` row, on the local stack (moto + local warehouse)
// with the real handlers polled like Lambda's event sources. Figures are printed, never asserted.
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { Context, SQSEvent } from 'aws-lambda';
import { extractHandlerFromEnv } from '../functions/extract/wiring.js';
import { loadHandlerFromEnv } from '../functions/load/wiring.js';
import { normalizeHandlerFromEnv } from '../functions/normalize/wiring.js';
import { parseSluiceConfig } from '../shared/config/pipelines.js';
import { functionAssetDirs, STAGES, type StageName } from '../test/support/cdk-assets.js';
import { createServerlessStack } from '../test/support/serverless-stack.js';
import { openWarehouseSession } from '../test/support/warehouse-client.js';
import { routeLocalWorkspace } from '../test/support/workspace-dns.js';
import { startLocalStack } from '../test/warehouse/local-stack.js';
import { median } from './median.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const COLD_STARTS = 5;

async function bundles(): Promise<Record<StageName, string>> {
  const out = await mkdtemp(join(tmpdir(), 'sluice-bench-cdk-'));
  await exec('npx', ['cdk', 'synth', '--quiet', '--output', out], { cwd: root, maxBuffer: 1 << 24 });
  return functionAssetDirs(out);
}

/** Milliseconds for a fresh Node process to load a bundle and build its handler (median of runs). */
async function coldStartMs(dir: string): Promise<number> {
  const script =
    "const t = process.hrtime.bigint(); require('./index.js'); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6));";
  const env = {
    PATH: process.env.PATH,
    STAGING_BUCKET: 'bench',
    NORMALIZE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/n',
    LOAD_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/l.fifo',
    DATABRICKS_SECRET_ID: 'bench',
    AWS_REGION: 'us-east-1',
  };
  const times: number[] = [];
  for (let n = 0; n < COLD_STARTS; n++) {
    const { stdout } = await exec(process.execPath, ['-e', script], { cwd: dir, env });
    times.push(Number(stdout));
  }
  return median(times, Number);
}

async function endToEndSeconds(): Promise<{ seconds: number[]; rows: number }> {
  const { info: stack, stop } = await startLocalStack();
  routeLocalWorkspace(stack.warehouse.host);
  const aws = await createServerlessStack(stack);
  Object.assign(process.env, aws.awsEnv, {
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  const dataset = `bench_${Date.now().toString(36)}`;
  const config = parseSluiceConfig({
    pipelines: [
      { name: 'bench', dataset, resources: [{ name: 'events', drop: { prefix: 'inbox/events/' } }] },
    ],
  });
  const env = { ...process.env, ...aws.functionEnv };
  const handlers = [
    extractHandlerFromEnv(config, env),
    normalizeHandlerFromEnv(config, env),
    loadHandlerFromEnv(env),
  ];
  const runners = [aws.runners.extract, aws.runners.normalize, aws.runners.load];
  const warehouse = await openWarehouseSession(stack);
  const rows = 10_000;
  const body = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ id: i, kind: 'view', tags: ['a', 'b'] }),
  ).join('\n');
  const seconds: number[] = [];
  try {
    for (let run = 0; run < 3; run++) {
      const before = await loads(warehouse, dataset);
      const started = performance.now();
      await aws.s3.send(
        new PutObjectCommand({ Bucket: aws.inboxBucket, Key: `inbox/events/${run}.jsonl`, Body: body }),
      );
      // poll like the event source mappings until the package's load is recorded
      while ((await loads(warehouse, dataset)) === before) {
        for (const [i, runner] of runners.entries()) {
          const handler = handlers[i]! as (event: SQSEvent, context: Context) => Promise<unknown>;
          await runner.pollOnce(handler);
        }
      }
      seconds.push((performance.now() - started) / 1000);
    }
  } finally {
    await warehouse.close();
    aws.close();
    await stop();
  }
  return { seconds, rows };
}

async function loads(
  warehouse: Awaited<ReturnType<typeof openWarehouseSession>>,
  dataset: string,
): Promise<number> {
  const rows = await warehouse
    .query(`SELECT count(*) AS n FROM main.${dataset}._dlt_loads`)
    .catch(() => [{ n: 0 }]);
  return Number(rows[0]!.n);
}

export async function serverlessBench(): Promise<void> {
  console.log(
    '\nLambda bundles (as `cdk synth` builds them; cold start = a fresh Node process loading the bundle)',
  );
  console.log(
    `${'function'.padEnd(10)} ${'index.js KB'.padStart(12)} ${'gzipped KB'.padStart(11)} ${'wasm KB'.padStart(8)} ${'init ms'.padStart(8)}`,
  );
  const dirs = await bundles();
  for (const stage of STAGES) {
    const js = readFileSync(join(dirs[stage], 'index.js'));
    const wasm = statSync(join(dirs[stage], 'parquet_wasm_bg.wasm'), { throwIfNoEntry: false })?.size ?? 0;
    const init = await coldStartMs(dirs[stage]);
    console.log(
      `${stage.padEnd(10)} ${(js.length / 1024).toFixed(0).padStart(12)} ${(gzipSync(js).length / 1024).toFixed(0).padStart(11)} ${(wasm / 1024).toFixed(0).padStart(8)} ${init.toFixed(0).padStart(8)}`,
    );
  }
  const worker = statSync(join(dirs.normalize, 'normalize-worker.js'), { throwIfNoEntry: false })?.size;
  if (worker !== undefined)
    console.log(
      `normalize also ships normalize-worker.js (${(worker / 1024).toFixed(0)} KB) for its worker threads`,
    );
  const e2e = await endToEndSeconds();
  console.log(
    `\ndrop -> loaded on the local stack (${e2e.rows} rows, handlers polled in-process, without the 30 s batching window): ${e2e.seconds.map((s) => `${s.toFixed(1)} s`).join(', ')}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await serverlessBench();
