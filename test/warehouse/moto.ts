import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitFor } from '../support/ports.js';

export interface MotoServer {
  endpoint: string;
  region: string;
  stop(): Promise<void>;
}

/**
 * moto in server mode on a free loopback port (S3, SQS, Secrets Manager, STS, ...), launched
 * through engine/moto_server.py, which adds AWS' expiry and session-policy checks for assumed roles.
 */
export async function startMoto(
  python: string,
  logFile: string,
  env: Record<string, string> = {},
): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    python,
    [join(import.meta.dirname, 'engine', 'moto_server.py'), '-H', '127.0.0.1', '-p', String(port)],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  const log = createWriteStream(logFile);
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code}; see ${logFile}`))),
  );
  await Promise.race([
    waitFor('moto', async () => (await fetch(`${endpoint}/moto-api/data.json`)).ok, 30_000),
    exited,
  ]);
  return {
    endpoint,
    region: 'us-east-1',
    async stop() {
      if (child.exitCode !== null) return;
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await done;
    },
  };
}
