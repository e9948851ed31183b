// Our normalize as `cdk synth` bundles the normalize function for Lambda (esbuild, minified, the
// worker entry and parquet-wasm's .wasm beside it), for the benchmarks to time what is deployed
// rather than the TypeScript sources under tsx (whose loader, and the worker bundled on first
// use, add about 0.2-0.3 s to a run of 1M items).
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

/** Bundles bench/normalize-ours.ts into `dir`; the path of the script to run with node. */
export async function bundleNormalize(dir: string): Promise<string> {
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    minify: true,
    logLevel: 'error',
  } as const;
  // the bench child awaits at top level, so it is an ES module; it finds the worker beside itself
  await build({
    ...common,
    entryPoints: [join(root, 'bench', 'normalize-ours.ts')],
    format: 'esm',
    outfile: join(dir, 'normalize.mjs'),
    banner: {
      js: [
        "import { createRequire as __createRequire } from 'node:module';",
        'const require = __createRequire(import.meta.url);',
        'const __dirname = import.meta.dirname;',
      ].join(' '),
    },
  });
  await build({
    ...common,
    entryPoints: [join(root, 'shared', 'pipeline', 'normalize-worker.ts')],
    format: 'cjs',
    outfile: join(dir, 'normalize-worker.js'),
  });
  await copyFile(
    join(root, 'node_modules', 'parquet-wasm', 'node', 'parquet_wasm_bg.wasm'),
    join(dir, 'parquet_wasm_bg.wasm'),
  );
  return join(dir, 'normalize.mjs');
}
