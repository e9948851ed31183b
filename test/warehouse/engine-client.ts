import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface EngineColumn {
  name: string;
  /** Spark's type name: bigint, decimal(10,2), timestamp_ntz, ... */
  type: string;
}

export interface EngineResult {
  columns: EngineColumn[];
  rows: (string | number | boolean | null)[][];
}

/** A statement the engine refused, with Databricks' error class and SQLSTATE. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly errorClass: string,
    readonly sqlState: string,
  ) {
    super(message);
  }
}

export interface EngineConfig {
  warehouse_dir: string;
  ivy_dir: string;
  catalogs: string[];
  s3: { endpoint: string; region: string };
  storage_credentials: Record<
    string,
    { aws_access_key_id: string; aws_secret_access_key: string; aws_session_token?: string }
  >;
  external_locations: { url: string; credential: string }[];
  /** Local Delta jars; without them Spark resolves the jars itself. */
  delta_jars?: string[];
}

type Answer = {
  id: number;
  ok: boolean;
  message?: string;
  error_class?: string;
  sqlstate?: string;
} & Partial<EngineResult> & {
    startup_seconds?: number;
  };

/** Drives the Python Spark engine (test/warehouse/engine/spark_engine.py) over its line protocol. */
export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, (answer: Answer) => void>();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly child: ChildProcess,
    readonly startupSeconds: number,
  ) {}

  static async start(python: string, configFile: string, logFile: string): Promise<EngineClient> {
    const script = join(import.meta.dirname, 'engine', 'spark_engine.py');
    const child = spawn(python, [script, configFile], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, TZ: 'UTC', PYTHONUNBUFFERED: '1' },
    });
    child.stderr!.pipe(createWriteStream(logFile));
    const lines = createInterface({ input: child.stdout! });
    let client: EngineClient | undefined;
    const ready = new Promise<number>((resolve, reject) => {
      child.once('exit', (code) =>
        reject(new Error(`the Spark engine exited with code ${code} before it was ready; see ${logFile}`)),
      );
      child.once('error', reject);
      lines.on('line', (line) => {
        const answer = JSON.parse(line) as Answer;
        if (answer.id === 0) resolve(answer.startup_seconds ?? 0);
        else client?.settle(answer);
      });
    });
    client = new EngineClient(child, await ready);
    child.on('exit', () => client?.failAll());
    return client;
  }

  openSession(
    session: string,
    catalog: string | undefined,
    schema: string | undefined,
  ): Promise<EngineResult> {
    return this.call({ op: 'open', session, catalog, schema });
  }

  closeSession(session: string): Promise<EngineResult> {
    return this.call({ op: 'close', session });
  }

  /** Statements run one at a time, in submission order, like a single-cluster warehouse. */
  execute(session: string, sql: string): Promise<EngineResult> {
    return this.call({ op: 'execute', session, sql });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private call(request: Record<string, unknown>): Promise<EngineResult> {
    const run = this.queue.then(
      () =>
        new Promise<EngineResult>((resolve, reject) => {
          const id = this.nextId++;
          this.pending.set(id, (answer) => {
            if (answer.ok) resolve({ columns: answer.columns ?? [], rows: answer.rows ?? [] });
            else
              reject(
                new EngineError(
                  answer.message ?? 'engine error',
                  answer.error_class ?? 'INTERNAL_ERROR',
                  answer.sqlstate ?? 'XX000',
                ),
              );
          });
          this.child.stdin!.write(`${JSON.stringify({ ...request, id })}\n`);
        }),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private settle(answer: Answer): void {
    const resolve = this.pending.get(answer.id);
    this.pending.delete(answer.id);
    resolve?.(answer);
  }

  private failAll(): void {
    for (const [id, resolve] of this.pending)
      resolve({
        id,
        ok: false,
        message: 'the Spark engine exited',
        error_class: 'INTERNAL_ERROR',
        sqlstate: 'XX000',
      });
    this.pending.clear();
  }
}
