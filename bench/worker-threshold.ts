// Where worker threads start to pay in a Lambda bundle: our normalize bundled as `cdk synth`
// bundles the normalize function (esbuild, minified, the worker entry and parquet-wasm's .wasm
// beside it), timed in one thread and in one worker per core on the first N lines of the bench
// dataset. The figures back `DEFAULT_PARALLEL_TUNING.minItems` for bundles; printed, never asserted.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleNormalize } from './bundle.js';
import { median } from './median.js';

const exec = promisify(execFile);
const SIZES = [50_000, 100_000, 200_000, 300_000, 400_000];
const RUNS = 3;

async function seconds(script: string, file: string, work: string, workers: number): Promise<number> {
  const { stdout } = await exec(process.execPath, [script, 'normalize', file, work], {
    env: { ...process.env, SLUICE_BENCH_WORKERS: String(workers) },
    maxBuffer: 1 << 24,
  });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as { seconds: number }).seconds;
}

/** Times the bundled normalize at each size, in one thread and with a worker per core. */
export async function workerThresholdBench(dataset: string): Promise<void> {
  const workers = availableParallelism();
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-bundle-'));
  try {
    const script = await bundleNormalize(dir);
    const lines = (await exec('head', ['-n', String(Math.max(...SIZES)), dataset], { maxBuffer: 1 << 30 }))
      .stdout;
    console.log(
      `\nnormalize bundled as for Lambda: one thread vs ${workers} workers (median of ${RUNS} runs, seconds)`,
    );
    console.log(
      `${'items'.padStart(9)} ${'1 thread'.padStart(9)} ${`${workers} workers`.padStart(10)} ratio`,
    );
    const available = lines.split('\n').length - 1;
    for (const size of SIZES.filter((n) => n <= available)) {
      const file = join(dir, `orders-${size}.jsonl`);
      await writeFile(file, `${lines.split('\n').slice(0, size).join('\n')}\n`);
      const work = join(dir, `work-${size}`);
      await exec(process.execPath, [script, 'extract', file, work], { maxBuffer: 1 << 24 });
      const one: number[] = [];
      const many: number[] = [];
      // interleaved, so a noisy neighbour slows both alike
      for (let run = 0; run < RUNS; run++) {
        one.push(await seconds(script, file, work, 1));
        many.push(await seconds(script, file, work, workers));
      }
      const [a, b] = [median(one, Number), median(many, Number)];
      console.log(
        `${String(size).padStart(9)} ${a.toFixed(2).padStart(9)} ${b.toFixed(2).padStart(10)} ${(a / b).toFixed(2).padStart(5)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
