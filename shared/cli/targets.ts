import { join, resolve } from 'node:path';
import { databricksConfigFromEnv } from '../destinations/databricks/databricks-config.js';
import { DatabricksDestination } from '../destinations/databricks/databricks-destination.js';
import type { Destination } from '../destinations/destination.js';
import { DuckDbDestination } from '../destinations/duckdb/duckdb-destination.js';
import type { FileStorage } from '../storage/file-storage.js';
import { openStorage, type StorageSpec } from '../storage/storage-spec.js';

export type DestinationName = 'duckdb' | 'databricks';

/** Where the CLI keeps packages, schemas, state and DuckDB files unless told otherwise. */
export const DEFAULT_WORKDIR = '.sluice';

/**
 * Where packages live for a destination: a local folder for DuckDB; for Databricks the S3
 * staging bucket of DESTINATION__FILESYSTEM__BUCKET_URL (dlt's name), which COPY INTO reads.
 * As a spec, so normalize's worker threads open the same storage.
 */
export function packageStorageSpec(
  destination: DestinationName,
  workdir: string,
  env: NodeJS.ProcessEnv = process.env,
): StorageSpec {
  if (destination === 'duckdb') return { kind: 'local', root: resolve(workdir) };
  const url = env.DESTINATION__FILESYSTEM__BUCKET_URL;
  const match = url === undefined ? null : /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
  if (match === null) {
    throw new Error(
      'the databricks destination stages through S3: set DESTINATION__FILESYSTEM__BUCKET_URL to s3://bucket[/prefix]',
    );
  }
  return { kind: 's3', bucket: match[1]!, prefix: match[2] ?? '' };
}

export function packageStorage(
  destination: DestinationName,
  workdir: string,
  env: NodeJS.ProcessEnv = process.env,
): FileStorage {
  return openStorage(packageStorageSpec(destination, workdir, env), env);
}

export async function openDestination(
  destination: DestinationName,
  options: { workdir: string; pipeline: string; duckdbFile?: string },
): Promise<{ destination: Destination; duckdb?: { file: string; catalog: string } }> {
  if (destination === 'databricks')
    return { destination: await DatabricksDestination.open(databricksConfigFromEnv(process.env)) };
  const file = duckdbFilePath(options);
  const duckdb = await DuckDbDestination.open(file);
  return { destination: duckdb, duckdb: { file, catalog: duckdb.catalog } };
}

/** The DuckDB file of a pipeline: --duckdb-file, or <workdir>/<pipeline>.duckdb. */
export function duckdbFilePath(options: { workdir: string; pipeline: string; duckdbFile?: string }): string {
  return resolve(options.duckdbFile ?? join(options.workdir, `${options.pipeline}.duckdb`));
}
