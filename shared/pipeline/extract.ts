import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import type { ResourceHints } from '../normalize/resource.js';
import { packageKeys, packagePrefix } from '../package/layout.js';
import { newLoadId } from '../package/load-id.js';
import { type ExtractedFile, type Manifest, manifestSchema, parseManifest } from '../package/manifest.js';
import { hasStage, markStage } from '../package/markers.js';
import { QuarantineWriter } from '../package/quarantine.js';
import { pipelineSchemaName } from '../schema/naming.js';
import { type ColumnHints, DLT_TABLES } from '../schema/types.js';
import {
  type ReadOptions,
  readFileRecords,
  readObjectRecords,
  type SourceObject,
  type SourceRecord,
} from '../sources/file-items.js';
import { SourceError } from '../sources/source-error.js';
import type { FileStorage } from '../storage/file-storage.js';
import { toJsonLine } from '../util/json-line.js';
import { NestingTooDeepError } from '../util/nesting-depth.js';

/** A resource to extract: its hints and where its items come from. */
export interface ResourceInput {
  hints: ResourceHints;
  /** Local files, each streamed into its own extracted file. */
  files?: string[];
  /** How files and objects are read (JSON path, CSV dialect). */
  read?: Omit<ReadOptions, 'onBadRecord' | 'onColumns'>;
  /** Objects (S3 drops), each streamed into its own extracted file. */
  objects?: SourceObject[];
  /** Items handed in from code. */
  items?: Iterable<unknown> | AsyncIterable<unknown>;
}

export interface ExtractOptions {
  storage: FileStorage;
  pipeline: string;
  dataset: string;
  schemaName?: string;
  resources: ResourceInput[];
  trigger?: Manifest['trigger'];
  /** Reuse a load id (an extracted package with this id is not extracted again). */
  loadId?: string;
  /**
   * The pipeline state this package carries, decided once every resource is extracted (a pull's
   * cursors are known only then), with the resource that writes it to the destination.
   */
  finalState?: () => { state: Record<string, unknown>; resource: ResourceInput } | undefined;
  /** Tables this package replaces with a new schema (dlt's refresh): dropped before it loads. */
  refresh?: { dropTables: string[] };
  onProgress?: (items: number, bytes: number) => void;
}

export interface ExtractResult {
  loadId: string;
  manifest: Manifest;
  /** Items of the resources; the pipeline state's row, extracted with them, is not counted. */
  items: number;
  skipped: boolean;
}

/** A source of items: its name for errors, its records, and whether record n is line n. */
type ExtractSource = [string, AsyncIterable<SourceRecord>, ExtractedFile['unit']];

const unitOf = (name: string): ExtractedFile['unit'] =>
  /\.(jsonl|ndjson)(\.gz)?$/i.test(name) ? 'line' : 'record';

/**
 * Turns sources into a load package: every file or item stream becomes one gzipped JSONL file
 * under `extracted/`, then the manifest is written and the package marked extracted.
 */
export async function extract(options: ExtractOptions): Promise<ExtractResult> {
  const { storage, pipeline } = options;
  const loadId = options.loadId ?? (await reserveLoadId(storage, pipeline));
  const pkg = packagePrefix(pipeline, loadId);
  if (await hasStage(storage, pkg, 'extracted')) {
    const stored = await storage.get(packageKeys.manifest(pkg));
    const manifest = parseManifest(stored!.body.toString('utf8'), packageKeys.manifest(pkg));
    return { loadId, manifest, items: dataItems(manifest.files), skipped: true };
  }
  const files: ExtractedFile[] = [];
  let total = 0;
  let final: ReturnType<NonNullable<ExtractOptions['finalState']>>;
  const resources = async function* () {
    yield* options.resources;
    final = options.finalState?.();
    if (final !== undefined) yield final.resource;
  };
  const hints: ResourceInput['hints'][] = [];
  const quarantine = new QuarantineWriter(storage, packageKeys.quarantine(pkg, 'extract', 0));
  for await (const resource of resources()) {
    // the package's copy of the hints, which learns the column types typed sources declare
    const resourceHints = { ...resource.hints };
    hints.push(resourceHints);
    const name = resource.hints.name;
    const read = (source: string): ReadOptions => ({
      ...resource.read,
      // the first file to declare a column types it
      onColumns: (columns) => {
        const known = resourceHints.sourceColumns ?? [];
        const declared = new Map(known);
        const named = new Set(columns.map(([name]) => name));
        resourceHints.sourceColumns = [
          ...columns.map(([name, hints]): [string, ColumnHints] => [name, declared.get(name) ?? hints]),
          ...known.filter(([name]) => !named.has(name)),
        ];
      },
      ...(resource.hints.onBadRecord === 'quarantine' && {
        onBadRecord: (bad) => quarantine.add({ source, ...bad }),
      }),
    });
    const sources: ExtractSource[] = [
      ...(resource.files ?? []).map(
        (path): ExtractSource => [path, readFileRecords(path, read(path)), unitOf(path)],
      ),
      ...(resource.objects ?? []).map(
        (object): ExtractSource => [
          object.name,
          readObjectRecords(object, read(object.name)),
          unitOf(object.name),
        ],
      ),
    ];
    if (resource.items !== undefined)
      sources.push([`items of resource ${name}`, itemRecords(resource.items), 'record']);
    for (const [source, records, unit] of sources) {
      const key = packageKeys.extracted(pkg, name, files.length);
      let items = 0;
      const lines = async function* () {
        for await (const record of records) {
          if ('raw' in record) {
            if (record.raw.trim() !== '') items++;
            yield `${record.raw}\n`;
          } else {
            items++;
            yield `${recordLine(record.item, source, record.n)}\n`;
          }
        }
      };
      await putGzipped(storage, key, lines());
      files.push({ key, resource: name, source, unit, items });
      if (name !== DLT_TABLES.pipelineState) total += items;
      options.onProgress?.(total, 0);
    }
  }
  const quarantined = await quarantine.close();
  const manifest = manifestSchema.parse({
    pipeline,
    dataset: options.dataset,
    schemaName: options.schemaName ?? pipelineSchemaName(pipeline),
    loadId,
    createdAt: new Date(Number(loadId) * 1000).toISOString(),
    trigger: options.trigger ?? { kind: 'direct' },
    resources: hints,
    files,
    ...(quarantined && { quarantine: [quarantined] }),
    ...(final === undefined ? {} : { state: final.state }),
    ...(options.refresh && { refresh: options.refresh }),
  });
  await storage.put(packageKeys.manifest(pkg), JSON.stringify(manifest, null, 2));
  await markStage(storage, pkg, 'extracted');
  return { loadId, manifest, items: total, skipped: false };
}

/** The items of a package's files, the pipeline state's row not among them. */
export function dataItems(files: readonly ExtractedFile[]): number {
  return files.reduce((n, f) => (f.resource === DLT_TABLES.pipelineState ? n : n + f.items), 0);
}

/**
 * A parsed record as a JSON line; one nested too deeply to write is refused by its position.
 * toJsonLine counts every level it recurses into, so it cannot run out of stack.
 */
function recordLine(item: unknown, source: string, n: number): string {
  try {
    return toJsonLine(item);
  } catch (error) {
    if (error instanceof NestingTooDeepError)
      throw new SourceError(source, `record ${n}: ${error.message}`, undefined, { cause: error });
    throw error;
  }
}

/**
 * A new load id whose package prefix nobody else uses: concurrent extracts (other Lambdas) could
 * pick the same microsecond, so the id is reserved with a create-only-if-absent object.
 */
export async function reserveLoadId(
  storage: FileStorage,
  pipeline: string,
  now: () => number = Date.now,
): Promise<string> {
  for (;;) {
    const loadId = newLoadId(now);
    if (await storage.putIfAbsent(packageKeys.reservation(packagePrefix(pipeline, loadId)), ''))
      return loadId;
  }
}

/**
 * Lines joined into pieces of about 256 KiB: zlib compresses each write in a trip to the thread
 * pool, so a write per line kept extract waiting on those trips most of its time.
 */
async function* batched(lines: AsyncIterable<string>, size = 256 * 1024): AsyncIterable<string> {
  let parts: string[] = [];
  let length = 0;
  for await (const line of lines) {
    parts.push(line);
    length += line.length;
    if (length < size) continue;
    yield parts.join('');
    parts = [];
    length = 0;
  }
  if (parts.length > 0) yield parts.join('');
}

/** Gzips lines into storage; a failing source surfaces as its own error, not as a broken stream. */
async function putGzipped(storage: FileStorage, key: string, lines: AsyncIterable<string>): Promise<void> {
  const gzip = createGzip({ level: zlib.Z_BEST_SPEED });
  const source = pipeline(Readable.from(batched(lines)), gzip);
  source.catch(() => undefined);
  try {
    await storage.putStream(key, gzip);
  } catch (error) {
    await source;
    throw error;
  }
  await source;
}

async function* itemRecords(items: Iterable<unknown> | AsyncIterable<unknown>): AsyncIterable<SourceRecord> {
  let n = 0;
  for await (const item of items) yield { n: ++n, item };
}
