import { z } from 'zod';
import { parseJobs } from '../package/jobs.js';
import { packageKeys, pipelineKeys } from '../package/layout.js';
import { readState } from '../pipeline/state.js';
import { parseStoredSchema } from '../schema/stored-schema.js';
import { type ColumnSchema, DLT_TABLES } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { ownAt, ownEntries } from '../util/own.js';
import { table } from './summary.js';

const SHOWN_LOADS = 10;

/** `sluice info`: the stored schema (tables, columns, types) and the last packages with their stage. */
export async function describePipeline(storage: FileStorage, pipeline: string): Promise<string> {
  const objects = await storage.list(pipelineKeys.packages(pipeline));
  const schemaKeys = (await storage.list(pipelineKeys.schemas(pipeline))).map((o) => o.key);
  if (objects.length === 0 && schemaKeys.length === 0)
    throw new Error(`pipeline ${pipeline} has no packages and no schema in ${storage.url('')}`);
  const lines: string[] = [`pipeline ${pipeline}`];
  for (const key of schemaKeys) {
    const stored = await storage.get(key);
    if (stored === undefined) continue;
    const schema = parseStoredSchema(stored.body.toString('utf8'), storage.url(key));
    lines.push(`schema ${schema.name} version ${schema.version} (${schema.version_hash})`);
    for (const t of Object.values(schema.tables).filter((t) => !BOOKKEEPING_TABLES.has(t.name))) {
      const how = [
        t.parent === undefined ? (t.write_disposition ?? 'append') : `nested in ${t.parent}`,
        t['x-merge-strategy'],
      ].filter(Boolean);
      lines.push(`  ${t.name} (${how.join(', ')})`);
      const rows = Object.values(t.columns).map((c) => [
        c.name,
        typeLabel(c),
        c.nullable === false ? 'not null' : '',
        hints(c),
      ]);
      lines.push(...table(['column', 'type', 'null', 'hints'], rows).map((l) => `    ${l}`));
    }
  }
  lines.push(...(await describeState(storage, pipeline)));
  lines.push('last loads:');
  const loads = new Map<string, Set<string>>();
  for (const { key } of objects) {
    const match = /\/packages\/([^/]+)\/_stage\/(\w+)$/.exec(key);
    if (match) loads.set(match[1]!, (loads.get(match[1]!) ?? new Set()).add(match[2]!));
  }
  const ids = [...loads.keys()].sort().slice(-SHOWN_LOADS).reverse();
  const rows: string[][] = [];
  for (const id of ids) {
    const stages = loads.get(id)!;
    const stage = ['failed', 'loaded', 'normalized', 'extracted'].find((s) => stages.has(s)) ?? 'new';
    const jobsKey = packageKeys.jobs(`${pipeline}/packages/${id}/`);
    const jobsObject = await storage.get(jobsKey);
    const jobs = jobsObject === undefined ? undefined : parseJobs(jobsObject.body.toString('utf8'), jobsKey);
    const tableRows =
      jobs === undefined
        ? ''
        : Object.entries(jobs.tables)
            .map(([t, j]) => `${t}=${j.rows}`)
            .join(' ');
    const failure =
      stage === 'failed'
        ? failedMessage(await storage.get(packageKeys.stage(`${pipeline}/packages/${id}/`, 'failed')))
        : '';
    // left by a run that stopped half-way: the next run into DuckDB loads it first
    const shown = stage === 'extracted' || stage === 'normalized' ? `${stage} (pending)` : stage;
    rows.push([id, shown, failure || tableRows]);
  }
  lines.push(...table(['load_id', 'stage', 'rows per table'], rows).map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The state's version and where each incremental cursor stands (dlt's `sources.*.resources.*.incremental`). */
async function describeState(storage: FileStorage, pipeline: string): Promise<string[]> {
  const { state } = await readState(storage, pipeline);
  if (state === undefined) return [];
  const rows: string[][] = [];
  // a source's area holds whatever the source keeps there: read without assuming a shape
  for (const [source, area] of ownEntries(state.sources))
    for (const [resource, resourceState] of ownEntries(ownAt(area, 'resources')))
      for (const [cursor, incremental] of ownEntries(ownAt(resourceState, 'incremental')))
        rows.push([source, resource, cursor, JSON.stringify(ownAt(incremental, 'last_value') ?? null)]);
  const heading = `state version ${state._state_version} (${state._version_hash})`;
  if (rows.length === 0) return [heading];
  return [heading, ...table(['source', 'resource', 'cursor', 'last value'], rows).map((l) => `  ${l}`)];
}

/** The type as a destination would be told it: `decimal(10,2)`, `bigint(32)`, `timestamp(3) naive`. */
function typeLabel(column: ColumnSchema): string {
  if (column.data_type === undefined) return '(no data yet)';
  const size =
    column.precision === undefined
      ? ''
      : `(${column.precision}${column.scale === undefined ? '' : `,${column.scale}`})`;
  const naive = column.timezone === false ? ' naive' : '';
  return `${column.data_type}${size}${naive}`;
}

function hints(column: ColumnSchema): string {
  return ['primary_key', 'merge_key', 'row_key', 'parent_key', 'root_key', 'hard_delete', 'variant']
    .filter((h) => column[h as keyof ColumnSchema] === true)
    .join(',');
}

// dlt's bookkeeping tables are the same in every schema: not listed
const BOOKKEEPING_TABLES = new Set<string>([DLT_TABLES.version, DLT_TABLES.loads]);

const failedMarker = z.object({ error: z.string() });

function failedMessage(object: { body: Buffer } | undefined): string {
  if (object === undefined) return '';
  // written by the stage that failed as {stage, error}; anything else is shown as it is
  const text = object.body.toString('utf8');
  try {
    const marker = failedMarker.safeParse(JSON.parse(text));
    if (marker.success) return marker.data.error;
  } catch {}
  return text.trim();
}
