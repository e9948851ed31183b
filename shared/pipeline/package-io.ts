import { type Jobs, parseJobs } from '../package/jobs.js';
import { packageKeys } from '../package/layout.js';
import { type Manifest, parseManifest } from '../package/manifest.js';
import { parseStoredSchema } from '../schema/stored-schema.js';
import type { StoredSchema } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';

async function readText(storage: FileStorage, key: string): Promise<string> {
  const object = await storage.get(key);
  if (object === undefined) throw new Error(`load package file ${key} is missing`);
  return object.body.toString('utf8');
}

export async function readManifest(storage: FileStorage, pkg: string): Promise<Manifest> {
  const key = packageKeys.manifest(pkg);
  return parseManifest(await readText(storage, key), key);
}

export async function readJobs(storage: FileStorage, pkg: string): Promise<Jobs> {
  const key = packageKeys.jobs(pkg);
  return parseJobs(await readText(storage, key), key);
}

export async function readPackageSchema(storage: FileStorage, pkg: string): Promise<StoredSchema> {
  const key = packageKeys.schema(pkg);
  return parseStoredSchema(await readText(storage, key), key);
}
