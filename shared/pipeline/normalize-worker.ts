import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ColumnBatch } from '../formats/column-batch.js';
import { TableFileWriters } from '../formats/table-files.js';
import { type NormalizedRow, RelationalNormalizer, type RowSink } from '../normalize/relational.js';
import type { QuarantinedRecord } from '../package/quarantine.js';
import { Schema } from '../schema/schema.js';
import { schemaChanges } from '../schema/schema-changes.js';
import type { StoredSchema, TableSchema } from '../schema/types.js';
import { lineBounds } from '../sources/lines.js';
import { SourceError } from '../sources/source-error.js';
import { openStorage } from '../storage/storage-spec.js';
import { own } from '../util/own.js';
import { normalizeLineBytes } from './normalize-lines.js';
import type { FromWorker, ThreadError, ToWorker, WorkerSetup, WrittenLines } from './normalize-protocol.js';

/** Rows with their tables: a line's, or those of a chunk's lines held until the coordinator's verdict. */
class TableRows implements RowSink {
  /** table name, row, table name, row, ...: the first `length` entries */
  readonly rows: (string | NormalizedRow)[] = [];
  length = 0;
  /** While lines are written at once: the batches items read from their bytes go straight to. */
  direct: DirectColumns | undefined;

  columns(table: TableSchema): ColumnBatch | undefined {
    return this.direct?.columns(table);
  }

  write(table: TableSchema, row: NormalizedRow): void {
    this.rows[this.length++] = table.name;
    this.rows[this.length++] = row;
  }

  /** Adds the names of the tables its rows go to (a Set per line would be made for nothing). */
  addTablesTo(names: Set<string>): Set<string> {
    for (let i = 0; i < this.length; i += 2) names.add(this.rows[i] as string);
    return names;
  }

  takeFrom(other: TableRows): void {
    for (let i = 0; i < other.length; i++) this.rows[this.length++] = other.rows[i]!;
    other.clear();
  }

  /** Empties it for the next line, keeping its storage (a line's rows stay referenced until then). */
  clear(): void {
    this.length = 0;
  }
}

/**
 * The file writers' batches for the rows of a chunk's base schema, noting the tables written. A
 * class rather than a closure made per chunk: optimized code that inlined one chunk's closure was
 * thrown away at the next chunk's ("wrong call target", 9 times in a run of 1M items with two
 * workers, whose chunk loop was compiled 12 times; 9 since, for other reasons).
 */
class DirectColumns {
  constructor(
    private readonly writers: TableFileWriters,
    private readonly tables: StoredSchema['tables'],
    private readonly written: Set<string>,
  ) {}

  columns(table: TableSchema): ColumnBatch {
    this.written.add(table.name);
    return this.writers.columns(tableOf(this.tables, table.name));
  }
}

/**
 * One normalize worker: normalizes chunks of lines against the schema it was given, reports the
 * schema changes each chunk made, and writes a chunk's rows into its own data files once the
 * coordinator has accepted them.
 */
export class NormalizeWorker {
  private schema: { version: number; stored: StoredSchema } | undefined;
  private readonly pending = new Map<number, TableRows>();
  private readonly writers: TableFileWriters;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly post: (message: FromWorker) => void,
  ) {
    this.writers = new TableFileWriters(
      openStorage(setup.storage),
      setup.prefix,
      setup.format,
      setup.limits,
      undefined,
      setup.writing,
    );
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
        if (message.commit && chunk !== undefined)
          await this.writeRows(chunk, this.schema?.stored.tables ?? {});
        return;
      }
      case 'close':
        this.post({ type: 'closed', files: await this.writers.close() });
    }
  }

  /**
   * Normalizes a chunk line by line. Lines are written to the files at once until one changes the
   * schema: rows that change nothing come out the same against any later schema, and rows held
   * until a verdict outlive V8's young generation (scavenges took 4-9 ms in workers holding whole
   * chunks against 1-2 ms in one thread). From the first line that changes the schema on, rows
   * wait for the coordinator's verdict, as the rest of the chunk may have to be normalized again.
   */
  private async normalizeChunk(message: Extract<ToWorker, { type: 'chunk' }>): Promise<void> {
    const base = this.schema;
    if (base?.version !== message.version)
      throw new Error(`chunk ${message.id} needs schema version ${message.version}, have ${base?.version}`);
    const schema = new Schema(base.stored, this.setup.maxIdentifierLength);
    const written = { lines: 0, items: 0, quarantined: [] as QuarantinedRecord[] };
    const writtenTables = new Set<string>();
    const lineRows = new TableRows();
    // an item read from its bytes changes no schema: its rows are written at once, like those of
    // a line that changed nothing
    lineRows.direct = new DirectColumns(this.writers, base.stored.tables, writtenTables);
    const held = new TableRows();
    const normalizer = new RelationalNormalizer(schema, lineRows, this.setup.loadId);
    const quarantined: QuarantinedRecord[] = [];
    // bad lines set aside while written at once, and after (bound once, not per line)
    const quarantineWritten = written.quarantined.push.bind(written.quarantined);
    const quarantineHeld = quarantined.push.bind(quarantined);
    let items = 0;
    let writing = true;
    const { data } = message;
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const bounds = lineBounds(bytes);
    for (let i = 0; i < bounds.length / 2; i++) {
      const changesBefore = schema.changes;
      let item: boolean;
      try {
        item = normalizeLineBytes(
          normalizer,
          message.source,
          bytes,
          bounds[2 * i]!,
          bounds[2 * i + 1]!,
          message.firstLine + i,
          writing ? quarantineWritten : quarantineHeld,
        );
      } catch (error) {
        const soFar = writtenLines(written, writtenTables);
        this.post({ type: 'rejected', id: message.id, written: soFar, error: threadError(error) });
        return;
      }
      writing &&= schema.changes === changesBefore;
      if (!writing) {
        lineRows.direct = undefined;
        held.takeFrom(lineRows);
        if (item) items++;
        continue;
      }
      written.lines++;
      if (item) written.items++;
      // outside the try: a file that cannot be written breaks the worker, it rejects no data
      lineRows.addTablesTo(writtenTables);
      // a line's few rows are handed over whole; awaiting only for a flush spares a promise a line
      if (this.handRows(lineRows, base.stored.tables)) await this.writers.flush();
      lineRows.clear();
    }
    if (held.length > 0) this.pending.set(message.id, held);
    this.post({
      type: 'normalized',
      id: message.id,
      written: writtenLines(written, writtenTables),
      items,
      tables: [...held.addTablesTo(new Set())],
      changes: schemaChanges(base.stored.tables, schema.tables),
      quarantined,
    });
  }

  /**
   * Writes rows with tables that hold every column they use (accepted rows: the latest schema
   * holds their changes), flushing as the buffers fill.
   */
  private async writeRows(rows: TableRows, tables: StoredSchema['tables']): Promise<void> {
    for (let i = 0; i < rows.length; i += 2) {
      this.writers.write(tableOf(tables, rows.rows[i] as string), rows.rows[i + 1] as NormalizedRow);
      if (this.writers.needsFlush) await this.writers.flush();
    }
  }

  /**
   * Hands a line's rows to the file writers with the chunk's base schema (the line changed
   * nothing); true when a buffer is full and wants a flush.
   */
  private handRows(rows: TableRows, tables: StoredSchema['tables']): boolean {
    for (let i = 0; i < rows.length; i += 2)
      this.writers.write(tableOf(tables, rows.rows[i] as string), rows.rows[i + 1] as NormalizedRow);
    return this.writers.needsFlush;
  }
}

/** What a chunk wrote at once so far, with the tables it wrote to, for the coordinator. */
function writtenLines(written: Omit<WrittenLines, 'tables'>, tables: Set<string>): WrittenLines {
  return { ...written, tables: [...tables] };
}

function tableOf(tables: StoredSchema['tables'], name: string): TableSchema {
  const table = own(tables, name);
  if (table === undefined) throw new Error(`rows of table ${name}, which the schema lacks`);
  return table;
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
