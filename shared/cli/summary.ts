import { isAbsolute, relative, sep } from 'node:path';
import type { Restored } from '../pipeline/restore.js';
import type { RunInfo } from '../pipeline/run.js';
import { DEFAULT_WORKDIR, duckdbFilePath } from './targets.js';

/** The load summary printed after `sluice run`. */
export function formatSummary(
  info: RunInfo,
  target: {
    dataset: string;
    duckdb?: { file: string; catalog: string };
    pipeline: string;
    /** Where a package object is, to point at quarantined records. */
    url: (key: string) => string;
  },
): string {
  const lines = [
    `load ${info.loadId}: ${info.outcome.status === 'loaded' ? 'loaded' : 'already loaded, nothing done'}`,
  ];
  lines.push(`  items extracted: ${info.items}`);
  const rows = Object.entries(info.jobs.tables).map(([table, job]) => {
    const bytes = job.files.reduce((n, f) => n + f.bytes, 0);
    return [table, String(job.rows), String(job.files.length), formatBytes(bytes)];
  });
  if (rows.length > 0) lines.push(...table(['table', 'rows', 'files', 'bytes'], rows).map((l) => `  ${l}`));
  for (const { key, records } of info.jobs.quarantine ?? [])
    lines.push(`  quarantined: ${records} malformed record${records === 1 ? '' : 's'} in ${target.url(key)}`);
  const s = info.seconds;
  lines.push(
    `  seconds: extract ${s.extract.toFixed(2)}, normalize ${s.normalize.toFixed(2)}, load ${s.load.toFixed(2)}`,
  );
  const { duckdb } = target;
  if (duckdb !== undefined) {
    const first = rows[0]?.[0] ?? '_dlt_loads';
    // a dataset named like the database file must be named with it: `shop.shop.orders`
    const dataset =
      target.dataset === duckdb.catalog ? `${duckdb.catalog}.${target.dataset}` : target.dataset;
    lines.push(
      `query it: npx sluice query --pipeline ${target.pipeline}${fileFlag(target.pipeline, duckdb.file)} "SELECT * FROM ${dataset}.${first} LIMIT 10"`,
    );
    lines.push(`   or with the duckdb CLI: duckdb ${shellWord(duckdb.file)}`);
  }
  return lines.join('\n');
}

export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

/** `--duckdb-file` for a database elsewhere than `query` looks by default, so the hint runs as printed. */
function fileFlag(pipeline: string, file: string): string {
  if (file === duckdbFilePath({ workdir: DEFAULT_WORKDIR, pipeline })) return '';
  // relative to here when it lies below, else as it is
  const fromHere = relative(process.cwd(), file);
  const outside = fromHere === '..' || fromHere.startsWith(`..${sep}`) || isAbsolute(fromHere);
  return ` --duckdb-file ${shellWord(outside ? file : fromHere)}`;
}

/** A path as one shell word: quoted when it holds anything but plain path characters. */
function shellWord(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/** The line saying what a run took over from its destination, or undefined when nothing. */
export function formatRestored(restored: Restored, dataset: string): string | undefined {
  if (restored.startedOver)
    return `dataset ${dataset} does not exist: the pipeline starts over (its state and schemas here were dropped)`;
  const parts = [
    ...(restored.stateVersion === undefined ? [] : [`state version ${restored.stateVersion}`]),
    ...restored.schemas.map(({ name, version }) => `schema ${name} version ${version}`),
  ];
  return parts.length === 0 ? undefined : `restored from dataset ${dataset}: ${parts.join(', ')}`;
}
