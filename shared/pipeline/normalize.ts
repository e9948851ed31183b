import { createGunzip } from 'node:zlib';
import type { FileFormat } from '../formats/file-writer.js';
import { parseJson } from '../formats/json-parse.js';
import {
  type ColumnCheck,
  DEFAULT_FILE_LIMITS,
  type FileLimits,
  TableFileWriters,
  type WrittenFile,
} from '../formats/table-files.js';
import { NormalizeError } from '../normalize/errors.js';
import { RelationalNormalizer } from '../normalize/relational.js';
import { applyResourceHints } from '../normalize/resource.js';
import type { Jobs } from '../package/jobs.js';
import { packageKeys, packagePrefix } from '../package/layout.js';
import type { ExtractedFile } from '../package/manifest.js';
import { hasStage, markStage } from '../package/markers.js';
import { QuarantineWriter } from '../package/quarantine.js';
import { DataValidationError } from '../schema/contract.js';
import { Schema } from '../schema/schema.js';
import { splitLines } from '../sources/lines.js';
import { SourceError } from '../sources/source-error.js';
import type { FileStorage } from '../storage/file-storage.js';
import { readJobs, readManifest } from './package-io.js';
import { commitPipelineSchema, loadPipelineSchema } from './schema-store.js';

export interface NormalizeOptions {
  storage: FileStorage;
  pipeline: string;
  loadId: string;
  format: FileFormat;
  /** The destination's identifier limit; longer names are shortened. */
  maxIdentifierLength?: number;
  limits?: FileLimits;
  /** Refuses data types the destination cannot load from this format, before anything is staged. */
  checkColumn?: ColumnCheck;
  onProgress?: (items: number) => void;
}

export interface NormalizeResult {
  jobs: Jobs;
  items: number;
  skipped: boolean;
}

/**
 * Normalizes an extracted package: streams each extracted file line by line through the
 * relational normalizer into data files per table, then writes the package schema and
 * jobs.json, folds the schema into the pipeline's, and marks the package normalized.
 */
export async function normalize(options: NormalizeOptions): Promise<NormalizeResult> {
  const { storage, pipeline, loadId } = options;
  const pkg = packagePrefix(pipeline, loadId);
  if (await hasStage(storage, pkg, 'normalized'))
    return { jobs: await readJobs(storage, pkg), items: 0, skipped: true };
  const manifest = await readManifest(storage, pkg);
  const schema = new Schema(
    await loadPipelineSchema(storage, pipeline, manifest.schemaName),
    options.maxIdentifierLength,
  );
  const tables = new Map(manifest.resources.map((hints) => [hints.name, applyResourceHints(schema, hints)]));

  const writers = new TableFileWriters(
    storage,
    packageKeys.normalizedPrefix(pkg),
    options.format,
    options.limits ?? DEFAULT_FILE_LIMITS,
    options.checkColumn,
  );
  const normalizer = new RelationalNormalizer(schema, writers, loadId);
  const quarantine = new QuarantineWriter(storage, packageKeys.quarantine(pkg, 'normalize', 0));
  const quarantines = new Set(
    manifest.resources.filter((hints) => hints.onBadRecord === 'quarantine').map((hints) => hints.name),
  );
  let items = 0;
  for (const file of manifest.files) {
    const table = tables.get(file.resource);
    if (table === undefined)
      throw new Error(`manifest of ${pkg} has a file for unknown resource ${file.resource}`);
    for await (const [n, line] of numberedLines(storage, file)) {
      if (line.trim() === '') continue;
      let item: unknown;
      try {
        item = parseJson(line);
      } catch (error) {
        // a malformed record of a quarantining resource is set aside; the rest of the file loads
        if (!(error instanceof SyntaxError && quarantines.has(file.resource)))
          throw describeItemError(error, file, n);
        quarantine.add({
          source: file.source,
          ...(file.unit === 'line' && { line: n }),
          reason: `invalid JSON: ${error.message}`,
          raw: line,
        });
        continue;
      }
      try {
        normalizer.normalize(item, table);
      } catch (error) {
        throw describeItemError(error, file, n);
      }
      items++;
      if (writers.needsFlush) {
        await writers.flush();
        options.onProgress?.(items);
      }
    }
  }
  const written = await writers.close();
  const quarantined = [
    ...(manifest.quarantine ?? []),
    ...[await quarantine.close()].filter((q) => q !== undefined),
  ];
  const stored = schema.toStored();
  const jobs = {
    ...jobsOf(written, options.format, stored.version_hash),
    ...(quarantined.length > 0 && { quarantine: quarantined }),
  };
  await storage.put(packageKeys.schema(pkg), JSON.stringify(stored, null, 2));
  await storage.put(packageKeys.jobs(pkg), JSON.stringify(jobs, null, 2));
  await commitPipelineSchema(storage, pipeline, stored);
  await markStage(storage, pkg, 'normalized');
  return { jobs, items, skipped: false };
}

async function* numberedLines(storage: FileStorage, file: ExtractedFile): AsyncIterable<[number, string]> {
  const stream = (await storage.getStream(file.key)).pipe(createGunzip());
  let n = 0;
  for await (const line of splitLines(stream)) yield [++n, line];
}

/** Bad data surfaces as a SourceError naming the source file, its line or record, and the column. */
function describeItemError(error: unknown, file: ExtractedFile, n: number): Error {
  const position = file.unit === 'line' ? n : undefined;
  const where = file.unit === 'record' ? `record ${n}: ` : '';
  if (error instanceof SyntaxError)
    return new SourceError(file.source, `${where}invalid JSON: ${error.message}`, position, { cause: error });
  if (error instanceof DataValidationError || error instanceof NormalizeError) {
    return new SourceError(file.source, `${where}${error.message}`, position, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function jobsOf(written: WrittenFile[], format: FileFormat, schemaVersionHash: string): Jobs {
  const tables: Jobs['tables'] = {};
  for (const file of written) {
    const entry = (tables[file.table] ??= { files: [], rows: 0 });
    entry.files.push({ key: file.key, rows: file.rows, bytes: file.bytes });
    entry.rows += file.rows;
  }
  return { format, schemaVersionHash, tables };
}
