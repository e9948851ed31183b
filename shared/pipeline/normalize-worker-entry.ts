import { createHash } from 'node:crypto';
import { lstat, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = import.meta.url ?? pathToFileURL(__filename).href;

/** True when this module runs as TypeScript (the CLI under tsx, the tests), not from a bundle. */
export const FROM_SOURCE = HERE.endsWith('.ts');

// Not a literal, so bundlers leave it alone: the Lambda bundles ship their worker and no esbuild.
const ESBUILD = 'esbuild';

/** The worker's entry file, and whether it is a bundle (plain JavaScript) or loads through tsx. */
export interface WorkerEntry {
  url: URL;
  bundled: boolean;
}

let fromSource: Promise<WorkerEntry> | undefined;

/**
 * The normalize worker's entry file. A bundle (Lambda) has `normalize-worker.js` beside it. From
 * the TypeScript sources the worker is bundled with esbuild as for Lambda, once per process (about
 * 0.2 s): a worker started under tsx loads every module through tsx's loader, which cost about
 * 0.75 s of the 10.25 s two workers took for 1M items (interleaved medians). Where esbuild cannot
 * build, the worker starts under tsx as before.
 */
export function normalizeWorkerEntry(): Promise<WorkerEntry> {
  if (!FROM_SOURCE) return Promise.resolve({ url: new URL('./normalize-worker.js', HERE), bundled: true });
  fromSource ??= bundleNormalizeWorker().then(
    (url) => ({ url, bundled: true }),
    () => ({ url: new URL('./normalize-worker-tsx.mjs', HERE), bundled: false }),
  );
  return fromSource;
}

/**
 * Builds the worker in memory and keeps it in a temp folder named by its content, beside a link to
 * parquet-wasm's .wasm (read from the bundle's own folder). Runs of the same sources share the
 * folder; a new one appears only when the sources change. It is written under a temporary name
 * and renamed, so processes racing to write it each end up with a whole one, and used only when
 * it is this user's, closed to others (a shared temp folder is open to everyone) and whole.
 */
export async function bundleNormalizeWorker(root = tmpdir()): Promise<URL> {
  const { build } = (await import(ESBUILD)) as typeof import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./normalize-worker.ts', HERE))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const wasm = createRequire(HERE).resolve('parquet-wasm/node/parquet_wasm_bg.wasm');
  // the .wasm is linked, not copied: its path stands for it (another version has other glue code)
  const hash = createHash('sha256').update(code).update(wasm).digest('hex').slice(0, 16);
  const folder = join(root, `sluice-normalize-worker-${hash}`);
  const entry = (at: string) => pathToFileURL(join(at, 'normalize-worker.js'));
  if (await holdsBundle(folder, code.length)) return entry(folder);
  const staging = await mkdtemp(`${folder}.tmp-`);
  await writeFile(join(staging, 'normalize-worker.js'), code);
  await symlink(wasm, join(staging, 'parquet_wasm_bg.wasm'));
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await rename(staging, folder);
      return entry(folder);
    } catch {
      // another process renamed its copy first
      if (await holdsBundle(folder, code.length)) {
        await rm(staging, { recursive: true, force: true });
        return entry(folder);
      }
      // a copy of ours that lost its file (a temp folder cleaner): replaced once
      if (attempt > 0 || !(await isOwnFolder(folder))) break;
      await rm(folder, { recursive: true, force: true });
    }
  }
  // the name is taken by a folder that is not ours: this process keeps its own copy
  return entry(staging);
}

/** Whether `folder` is this user's, closed to others, and holds the whole bundle. */
async function holdsBundle(folder: string, bytes: number): Promise<boolean> {
  if (!(await isOwnFolder(folder))) return false;
  const file = await lstat(join(folder, 'normalize-worker.js')).catch(() => undefined);
  return file?.isFile() === true && file.size === bytes;
}

async function isOwnFolder(folder: string): Promise<boolean> {
  const found = await lstat(folder).catch(() => undefined);
  if (found === undefined || !found.isDirectory()) return false;
  const uid = process.getuid?.();
  return uid === undefined || (found.uid === uid && (found.mode & 0o077) === 0);
}
