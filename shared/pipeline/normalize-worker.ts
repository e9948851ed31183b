import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { TableFileWriters } from '../formats/table-files.js';
import { type NormalizedRow, RelationalNormalizer, type RowSink } from '../normalize/relational.js';
import type { QuarantinedRecord } from '../package/quarantine.js';
import { Schema } from '../schema/schema.js';
import { schemaChanges } from '../schema/schema-changes.js';
import type { StoredSchema, TableSchema } from '../schema/types.js';
import { linesOf } from '../sources/lines.js';
import { SourceError } from '../sources/source-error.js';
import { openStorage } from '../storage/storage-spec.js';
import { own } from '../util/own.js';
import { normalizeLine } from './normalize-lines.js';
import type { FromWorker, ThreadError, ToWorker, WorkerSetup } from './normalize-protocol.js';

/** The rows of one chunk, held until the coordinator says whether they stand. */
class ChunkRows implements RowSink {
  readonly tables = new Set<string>();
  readonly rows: (string | NormalizedRow)[] = [];

  write(table: TableSchema, row: NormalizedRow): void {
    this.tables.add(table.name);
    this.rows.push(table.name, row);
  }
}

/**
 * One normalize worker: normalizes chunks of lines against the schema it was given, reports the
 * schema changes each chunk made, and writes a chunk's rows into its own data files once the
 * coordinator has accepted them.
 */
export class NormalizeWorker {
  private schema: { version: number; stored: StoredSchema } | undefined;
  private readonly pending = new Map<number, ChunkRows>();
  private readonly writers: TableFileWriters;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly post: (message: FromWorker) => void,
  ) {
    this.writers = new TableFileWriters(openStorage(setup.storage), setup.prefix, setup.format, setup.limits);
  }

  async handle(message: ToWorker): Promise<void> {
    switch (message.type) {
      case 'schema':
        this.schema = { version: message.version, stored: message.stored };
        return;
      case 'chunk':
        return this.normalizeChunk(message);
      case 'verdict': {
        const chunk = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.commit && chunk !== undefined) await this.commit(chunk);
        return;
      }
      case 'close':
        this.post({ type: 'closed', files: await this.writers.close() });
    }
  }

  private normalizeChunk(message: Extract<ToWorker, { type: 'chunk' }>): void {
    const base = this.schema;
    if (base?.version !== message.version)
      throw new Error(`chunk ${message.id} needs schema version ${message.version}, have ${base?.version}`);
    const schema = new Schema(base.stored, this.setup.maxIdentifierLength);
    const rows = new ChunkRows();
    const normalizer = new RelationalNormalizer(schema, rows, this.setup.loadId);
    const quarantined: QuarantinedRecord[] = [];
    let items = 0;
    try {
      const { data } = message;
      const lines = linesOf(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
      for (let i = 0; i < lines.length; i++) {
        if (
          normalizeLine(normalizer, message.source, lines[i]!, message.firstLine + i, (r) =>
            quarantined.push(r),
          )
        )
          items++;
      }
    } catch (error) {
      this.post({ type: 'rejected', id: message.id, error: threadError(error) });
      return;
    }
    this.pending.set(message.id, rows);
    this.post({
      type: 'normalized',
      id: message.id,
      items,
      tables: [...rows.tables],
      changes: schemaChanges(base.stored.tables, schema.tables),
      quarantined,
    });
  }

  /** Writes accepted rows with the columns of the latest schema, which holds this chunk's changes. */
  private async commit(chunk: ChunkRows): Promise<void> {
    const tables = this.schema?.stored.tables;
    const { rows } = chunk;
    for (let i = 0; i < rows.length; i += 2) {
      const name = rows[i] as string;
      const table = tables && own(tables, name);
      if (table === undefined) throw new Error(`committed rows of table ${name}, which the schema lacks`);
      this.writers.write(table, rows[i + 1] as NormalizedRow);
      if (this.writers.needsFlush) await this.writers.flush();
    }
  }
}

export function threadError(error: unknown): ThreadError {
  if (error instanceof SourceError)
    return { message: error.message, source: { file: error.file, reason: error.reason, line: error.line } };
  if (error instanceof Error) return { message: error.message, ...(error.stack && { stack: error.stack }) };
  return { message: String(error) };
}

const setup = isMainThread ? undefined : (workerData as { sluiceNormalize?: WorkerSetup } | undefined);
if (setup?.sluiceNormalize !== undefined && parentPort !== null) {
  const port = parentPort;
  const worker = new NormalizeWorker(setup.sluiceNormalize, (message) => port.postMessage(message));
  let queue = Promise.resolve();
  port.on('message', (message: ToWorker) => {
    queue = queue
      .then(() => worker.handle(message))
      .catch((error: unknown) =>
        port.postMessage({ type: 'broken', error: threadError(error) } as FromWorker),
      );
  });
}
