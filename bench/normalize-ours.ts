// Child process of the benchmark, like dlt_normalize.py: `extract FILE WORKDIR` builds the
// package (and prints how long that took); `normalize FILE WORKDIR` times our normalize stage (JSONL in, Parquet out) in a fresh
// process and prints items, rows, seconds, CPU seconds (every thread's) and peak RSS as JSON.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { extract } from '../shared/pipeline/extract.js';
import { normalize } from '../shared/pipeline/normalize.js';
import { LocalFileStorage } from '../shared/storage/local-storage.js';

// a fourth argument is the JSON path of the records (extract of a JSON envelope)
const [mode, file, workdir, jsonPath] = process.argv.slice(2) as [string, string, string, string?];
const storage = new LocalFileStorage(join(workdir, 'storage'));
if (mode === 'extract') {
  await rm(workdir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const { loadId, items } = await extract({
    storage,
    pipeline: 'bench',
    dataset: 'bench',
    resources: [{ hints: { name: 'orders' }, files: [file], ...(jsonPath && { read: { jsonPath } }) }],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await writeFile(join(workdir, 'load-id'), loadId);
  console.log(JSON.stringify({ items, seconds, peakRssMB: process.resourceUsage().maxRSS / 1024 }));
} else {
  const loadId = await readFile(join(workdir, 'load-id'), 'utf8');
  const pkg = join(workdir, 'storage', 'bench', 'packages', loadId);
  await rm(join(pkg, 'normalized'), { recursive: true, force: true });
  await rm(join(pkg, '_stage', 'normalized'), { force: true });
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const { jobs, items } = await normalize({
    storage,
    pipeline: 'bench',
    loadId,
    format: 'parquet',
    workers: Number(process.env.SLUICE_BENCH_WORKERS ?? availableParallelism()),
    // the figures are for the workers asked for, at every size
    parallel: { minItems: 0 },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const rows = Object.values(jobs.tables).reduce((n, t) => n + t.rows, 0);
  const bytesOut = Object.values(jobs.tables).reduce(
    (n, t) => n + t.files.reduce((m, f) => m + f.bytes, 0),
    0,
  );
  console.log(
    JSON.stringify({
      items,
      rows,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      bytesOut,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}
