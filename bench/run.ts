// `npm run bench`: generates a nested JSONL dataset and prints, for our normalize (bundled as for
// Lambda, see bundle.ts) and for dlt's on the same file and machine, items/s, rows/s, MB/s and
// peak RSS, plus the ratio. Our normalize also runs on a quarter of the data to show whether peak
// memory grows with input size, and on the full data in one thread and in one worker thread per core.
// Then extract by source format (bench/extract-formats.ts): JSONL, a JSON array, CSV and Parquet.
// Then where worker threads start to pay in a Lambda bundle (bench/worker-threshold.ts), and the
// serverless figures (bench/serverless.ts): bundle sizes, cold starts, drop-to-loaded latency.
// With several cores, dlt also runs with a worker per core on its extract split into files.
// Figures are printed, never asserted.  Options: --rows N (default 1000000), --runs N (our
// normalize on the full data, default 3), --skip-dlt, --skip-node24, --skip-extract,
// --skip-threshold, --skip-serverless, --only-serverless.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LAMBDA_NODE_VERSION, lambdaNode, lambdaNodeUnavailable } from '../test/support/lambda-node.js';
import { bundleNormalize } from './bundle.js';
import { extractFormatsBench } from './extract-formats.js';
import { generateDataset } from './generate.js';
import { median } from './median.js';
import { serverlessBench } from './serverless.js';
import { workerThresholdBench } from './worker-threshold.js';

const exec = promisify(execFile);
const root = join(import.meta.dirname, '..');
const dataDir = join(root, '.sluice', 'bench');
const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : 0);
const rows = option('--rows') || 1_000_000;
// this machine's speed moves by a third from hour to hour: a 6 s run of ours samples a moment of
// it where dlt's minute spans its swings, so ours runs several times, one thread and all cores in
// turn, and the median run is printed
const runs = option('--runs') || 3;
const skipDlt = args.includes('--skip-dlt');
const onlyServerless = args.includes('--only-serverless');

interface Figures {
  items: number;
  rows: number;
  seconds: number;
  /** CPU time of every thread and worker process, where measured. */
  cpuSeconds?: number;
  peakRssMB: number;
}

async function dataset(n: number): Promise<{ path: string; bytes: number }> {
  // named by the generator's version: a file of an older one is not reused
  const path = join(dataDir, `orders-v2-${n}.jsonl`);
  const existing = await stat(path).catch(() => undefined);
  if (existing) return { path, bytes: existing.size };
  process.stderr.write(`generating ${n} nested rows into ${path}\n`);
  return { path, bytes: await generateDataset(path, n) };
}

/** What our bench's extract prints. */
interface ExtractFigures {
  items: number;
  seconds: number;
  peakRssMB: number;
}

/**
 * Our normalize, bundled as for Lambda (`script`, see bundle.ts), on `path`, run by `node`, with
 * the figures of the extract before it. Each run extracts afresh: normalize folds the package's
 * schema into the pipeline's, which a second normalize of the same package would start from,
 * reading every item as a known shape.
 */
async function ours(
  script: string,
  path: string,
  workers: number,
  node = process.execPath,
): Promise<Figures & { extract: ExtractFigures }> {
  const work = join(dataDir, 'ours');
  const extracted = await exec(node, [script, 'extract', path, work], { maxBuffer: 1 << 24 });
  const { stdout } = await exec(node, [script, 'normalize', path, work], {
    maxBuffer: 1 << 24,
    env: { ...process.env, SLUICE_BENCH_WORKERS: String(workers) },
  });
  return {
    ...(JSON.parse(stdout.trim().split('\n').pop()!) as Figures),
    extract: JSON.parse(extracted.stdout.trim().split('\n').pop()!) as ExtractFigures,
  };
}

/**
 * dlt's normalize on `path`. With more than one worker, dlt's extract first splits the items into
 * files, which dlt's normalize spreads over its worker processes (one file is one worker's job):
 * 8 files a worker, the first worker's eighth being the pipeline state's, so the groups dlt makes
 * of the sorted files are even.
 */
async function dlt(path: string, workers = 1): Promise<Figures & { files: number; retriedTasks: number }> {
  const { stdout: python } = await exec('bash', [
    join(root, 'tooling', 'python-env.sh'),
    join(root, 'tooling', 'requirements-bench.txt'),
  ]);
  const work = join(dataDir, workers > 1 ? 'dlt-workers' : 'dlt');
  await exec('rm', ['-rf', work]);
  const script = join(root, 'bench', 'dlt_normalize.py');
  const files = workers > 1 ? 8 * workers - 1 : 1;
  const env = {
    ...process.env,
    NORMALIZE__WORKERS: String(workers),
    ...(files > 1 && { DATA_WRITER__FILE_MAX_ITEMS: String(Math.ceil(rows / files)) }),
  };
  await exec(python.trim(), [script, 'extract', path, work], { maxBuffer: 1 << 24, env });
  const { stdout } = await exec(python.trim(), [script, 'normalize', path, work], {
    maxBuffer: 1 << 24,
    env,
  });
  return { ...(JSON.parse(stdout.trim().split('\n').pop()!) as Figures & { retriedTasks: number }), files };
}

/** The range of the runs' seconds, after the median run's line. */
function spread(figures: readonly Figures[]): string {
  if (figures.length < 2) return '';
  const seconds = figures.map((f) => f.seconds);
  return `  median of ${figures.length} runs, ${Math.min(...seconds).toFixed(2)}-${Math.max(...seconds).toFixed(2)} s`;
}

/** CPU time over wall time: how many cores a run kept busy (dlt's workers included). */
function cores(f: Figures): string {
  return f.cpuSeconds === undefined ? '-' : (f.cpuSeconds / f.seconds).toFixed(2);
}

function line(name: string, f: Figures, bytes: number): string {
  const perSecond = (n: number) =>
    Math.round(n / f.seconds)
      .toLocaleString('en-US')
      .padStart(11);
  return `${name.padEnd(26)} ${String(f.items).padStart(9)} ${String(f.rows).padStart(9)} ${f.seconds.toFixed(2).padStart(8)} ${perSecond(f.items)} ${perSecond(f.rows)} ${(bytes / 1e6 / f.seconds).toFixed(1).padStart(7)} ${f.peakRssMB.toFixed(0).padStart(11)} ${cores(f).padStart(5)}`;
}

if (!onlyServerless) await normalizeBench();
if (!onlyServerless && !args.includes('--skip-extract'))
  await extractFormatsBench((await dataset(Math.floor(rows / 4))).path, root, join(dataDir, 'formats'));
if (!onlyServerless && !args.includes('--skip-threshold'))
  await workerThresholdBench((await dataset(rows)).path);
if (!args.includes('--skip-serverless')) await serverlessBench();

async function normalizeBench(): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const small = await dataset(Math.floor(rows / 4));
  const full = await dataset(rows);
  console.log(
    `normalize, JSONL in -> Parquet out (${(full.bytes / 1e6).toFixed(0)} MB, ${rows} root rows with child lists)`,
  );
  // the figures move with the runtime (the Lambdas run Node 24) and the cores
  console.log(`on Node ${process.versions.node}, ${availableParallelism()} cores`);
  console.log(
    `${'run'.padEnd(26)} ${'items'.padStart(9)} ${'rows'.padStart(9)} ${'seconds'.padStart(8)} ${'items/s'.padStart(11)} ${'rows/s'.padStart(11)} ${'MB/s'.padStart(7)} ${'peak RSS MB'.padStart(11)} ${'cores'.padStart(5)}`,
  );
  const workers = availableParallelism();
  const bundleDir = await mkdtemp(join(tmpdir(), 'sluice-bench-bundle-'));
  try {
    await normalizeRuns(await bundleNormalize(bundleDir), small, full, workers);
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
  }
}

async function normalizeRuns(
  script: string,
  small: { path: string; bytes: number },
  full: { path: string; bytes: number },
  workers: number,
): Promise<void> {
  const oursSmall = await ours(script, small.path, workers);
  console.log(
    line(`sluice ${workers} thr (${small.path.match(/\d+/g)!.pop()} rows)`, oursSmall, small.bytes),
  );
  const singles: Figures[] = [];
  const fulls: (Figures & { extract: ExtractFigures })[] = [];
  for (let run = 0; run < runs; run++) {
    singles.push(await ours(script, full.path, 1));
    fulls.push(await ours(script, full.path, workers));
  }
  const oursSingle = median(singles, (f) => f.seconds);
  console.log(`${line(`sluice 1 thr (${rows} rows)`, oursSingle, full.bytes)}${spread(singles)}`);
  const oursFull = median(fulls, (f) => f.seconds);
  console.log(`${line(`sluice ${workers} thr (${rows} rows)`, oursFull, full.bytes)}${spread(fulls)}`);
  const { items, seconds, peakRssMB } = oursFull.extract;
  console.log(line(`sluice extract (${rows} rows)`, { items, rows: items, seconds, peakRssMB }, full.bytes));
  // the Lambdas run Node 24, whose compilers differ from this machine's Node 20
  const unavailable = lambdaNodeUnavailable();
  if (args.includes('--skip-node24') || unavailable !== undefined)
    console.log(`Node ${LAMBDA_NODE_VERSION}: skipped (${unavailable ?? '--skip-node24'})`);
  else {
    const node24 = await lambdaNode();
    for (const threads of [1, workers]) {
      const figures = await ours(script, full.path, threads, node24);
      console.log(line(`  on Node 24, ${threads} thr`, figures, full.bytes));
    }
  }
  if (skipDlt) {
    console.log('dlt: skipped (--skip-dlt)');
  } else {
    const dltFull = await dlt(full.path);
    console.log(line(`dlt 1.26.0 (${rows} rows)`, dltFull, full.bytes));
    const ratio = (f: Figures, of: Figures) => (f.rows / f.seconds / (of.rows / of.seconds)).toFixed(2);
    console.log(
      `sluice / dlt rows/s: ${ratio(oursFull, dltFull)}x with ${workers} threads, ${ratio(oursSingle, dltFull)}x in one`,
    );
    if (workers > 1) {
      // the same file is one job to dlt; split at extract, dlt's normalize uses every core too
      const dltWorkers = await dlt(full.path, workers);
      console.log(line(`dlt ${workers} workers, ${dltWorkers.files} files`, dltWorkers, full.bytes));
      // a run that did a worker's files twice is slower than dlt's workers need be: say so
      if (dltWorkers.retriedTasks > 0)
        console.log(
          `  dlt ran ${dltWorkers.retriedTasks} worker task(s) again after a parallel schema conflict`,
        );
      console.log(
        `sluice / dlt rows/s, both on ${workers} cores (dlt on ${dltWorkers.files} extracted files): ${ratio(oursFull, dltWorkers)}x`,
      );
    }
  }
  console.log(
    `peak RSS at 1/4 and full size: ${oursSmall.peakRssMB.toFixed(0)} MB vs ${oursFull.peakRssMB.toFixed(0)} MB`,
  );
}
