import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { tempDir } from '../support/temp-dir.js';

const exec = promisify(execFile);
const ORDERS = join(import.meta.dirname, '..', 'fixtures', 'sample', 'orders.jsonl');

function sluice(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return exec(process.execPath, ['--import', 'tsx', 'shared/cli.ts', ...args]);
}

/** `sluice run` as a user runs it; with a crash pattern, killed (SIGKILL) at that storage write. */
async function sluiceRun(
  workdir: string,
  input: string,
  crash?: { beforePut?: RegExp; afterPut?: RegExp },
): Promise<{ stdout: string; stderr: string; signal?: string }> {
  const args = ['--import', 'tsx', ...(crash ? ['--import', './test/support/crash-on-local-write.ts'] : [])];
  try {
    return await exec(
      process.execPath,
      [...args, 'shared/cli.ts', 'run', input, '--pipeline', 'shop', '--workdir', workdir, '--workers', '1'],
      {
        env: {
          ...process.env,
          ...(crash?.beforePut && { SLUICE_CRASH_BEFORE_PUT: crash.beforePut.source }),
          ...(crash?.afterPut && { SLUICE_CRASH_AFTER_PUT: crash.afterPut.source }),
        },
      },
    );
  } catch (error) {
    const failed = error as { signal?: string; stdout: string; stderr: string };
    if (failed.signal !== 'SIGKILL') throw error;
    return failed;
  }
}

async function counts(workdir: string): Promise<{ orders: number; loads: number }> {
  const duckdb = await DuckDbDestination.open(join(workdir, 'shop.duckdb'));
  try {
    const count = async (table: string) =>
      Number((await duckdb.client.query(`SELECT count(*) AS n FROM shop_dataset.${table}`))[0]!.n);
    return { orders: await count('orders'), loads: await count('_dlt_loads') };
  } finally {
    await duckdb.close();
  }
}

describe('a local run killed half-way', () => {
  it.each([
    ['after its package was extracted', { afterPut: /_stage\/extracted$/ }],
    ['after its package was normalized', { afterPut: /_stage\/normalized$/ }],
    [
      'after DuckDB committed the load, before the package was marked loaded',
      { beforePut: /_stage\/loaded$/ },
    ],
  ])(
    '%s: the next run loads that package first and once, and leaves its own inputs for the run after',
    async (_, crash) => {
      const workdir = await tempDir();
      const input = join(workdir, 'orders.jsonl');
      await copyFile(ORDERS, input);
      const orders = (await readFile(input, 'utf8')).trim().split('\n').length;

      const killed = await sluiceRun(workdir, input, crash);
      expect(killed.signal).toBe('SIGKILL');
      const info = await sluice('info', '--pipeline', 'shop', '--workdir', workdir);
      expect(info.stdout).toMatch(/\d+\.\d+\s+(extracted|normalized) \(pending\)/);

      const next = await sluiceRun(workdir, input);
      expect(next.stderr).toMatch(
        /package \d+\.\d+ of an earlier run that stopped before loading it is loaded first/,
      );
      expect(next.stderr).toContain("this run's inputs were not loaded: run the command again");
      expect(next.stdout).toMatch(/load \d+\.\d+: (loaded|already loaded, nothing done)/);
      expect(await counts(workdir)).toEqual({ orders, loads: 1 });

      const after = await sluiceRun(workdir, input);
      expect(after.stderr).not.toContain('earlier run');
      expect(after.stdout).toMatch(/load \d+\.\d+: loaded/);
      expect(await counts(workdir)).toEqual({ orders: 2 * orders, loads: 2 });
    },
  );

  it('is not loaded once its package is dropped with drop-pending-packages, which info then shows', async () => {
    const workdir = await tempDir();
    const input = join(workdir, 'orders.jsonl');
    await copyFile(ORDERS, input);
    const orders = (await readFile(input, 'utf8')).trim().split('\n').length;
    expect((await sluiceRun(workdir, input, { afterPut: /_stage\/normalized$/ })).signal).toBe('SIGKILL');

    const dropped = await sluice('drop-pending-packages', '--pipeline', 'shop', '--workdir', workdir);
    const loadId = /dropped 1 pending package: (\d+\.\d+)$/m.exec(dropped.stdout)?.[1];
    expect(loadId).toBeDefined();
    const again = await sluice('drop-pending-packages', '--pipeline', 'shop', '--workdir', workdir);
    expect(again.stdout).toContain('pipeline shop has no pending packages');

    const next = await sluiceRun(workdir, input);
    expect(next.stderr).not.toContain('earlier run');
    expect(await counts(workdir)).toEqual({ orders, loads: 1 });
    const info = await sluice('info', '--pipeline', 'shop', '--workdir', workdir);
    expect(info.stdout).toMatch(new RegExp(`${loadId!.replace('.', '\\.')}\\s+failed\\s+dropped as pending`));
  });
});
