import { PassThrough } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { ColumnSchema } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import type { BatchColumn } from './column-batch.js';
import type { DataFileWriter } from './file-writer.js';
import { jsonValue } from './jsonl-values.js';

/** Streams JSON lines into storage, optionally gzipped; columns may grow between batches. */
export class JsonlFileWriter implements DataFileWriter {
  bytesWritten = 0;
  // each batch is written out as it comes: nothing is held
  readonly heldBytes = 0;
  private readonly stream: NodeJS.ReadWriteStream;
  private readonly done: Promise<number>;

  constructor(
    public columns: readonly ColumnSchema[],
    storage: FileStorage,
    key: string,
    gzip: boolean,
  ) {
    this.stream = gzip ? createGzip() : new PassThrough();
    this.done = storage.putStream(key, this.count(this.stream as unknown as AsyncIterable<Uint8Array>));
    this.done.catch(() => undefined);
  }

  /** JSON lines name their fields, so a file takes new columns as they come. */
  accepts(): boolean {
    return true;
  }

  async writeBatch(
    columns: readonly ColumnSchema[],
    values: readonly BatchColumn[],
    rows: number,
  ): Promise<void> {
    this.columns = columns;
    const names = columns.map((column) => `${JSON.stringify(column.name)}:`);
    const lines: string[] = [];
    for (let row = 0; row < rows; row++) {
      const fields: string[] = [];
      for (let i = 0; i < columns.length; i++) {
        const value = values[i]!.valueAt(row);
        if (value !== undefined) fields.push(`${names[i]}${jsonValue(columns[i]!, value)}`);
      }
      lines.push(`{${fields.join(',')}}\n`);
    }
    if (!this.stream.write(lines.join(''))) {
      await Promise.race([new Promise((resolve) => this.stream.once('drain', resolve)), this.done]);
    }
  }

  async close(): Promise<number> {
    this.stream.end();
    return this.done;
  }

  private async *count(stream: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of stream) {
      this.bytesWritten += chunk.length;
      yield chunk;
    }
  }
}
