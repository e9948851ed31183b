import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { ColumnSchema } from '../schema/types.js';
import type { FileStorage } from '../storage/file-storage.js';
import { buildColumn, buildNumberColumn } from './arrow-columns.js';
import { arrowType } from './arrow-types.js';
import { type BatchColumn, NumberColumn, TextBytes } from './column-batch.js';
import { type ColumnEncodings, chooseEncodings } from './column-encodings.js';
import type { DataFileWriter } from './file-writer.js';

/** The Arrow schema of a Parquet file for these columns (time columns as text, if so asked). */
export function arrowSchema(columns: readonly ColumnSchema[], timeAsText = false): arrow.Schema {
  return new arrow.Schema(
    columns.map((c) => new arrow.Field(c.name, fileType(c, timeAsText), c.nullable !== false)),
  );
}

function fileType(column: ColumnSchema, timeAsText: boolean): arrow.DataType {
  return timeAsText && column.data_type === 'time' ? new arrow.Utf8() : arrowType(column);
}

/** An Arrow record batch of `rows` rows, column by column. */
function recordBatch(
  schema: arrow.Schema,
  columns: readonly ColumnSchema[],
  values: readonly BatchColumn[],
  rows: number,
): arrow.RecordBatch {
  const children = columns.map((c, i) => arrowColumn(c, values[i]!, schema.fields[i]!.type, rows));
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows,
    nullCount: 0,
    children,
  });
  return new arrow.RecordBatch(schema, struct);
}

/** One Arrow column: text kept as bytes goes in as it is, other values through buildColumn. */
function arrowColumn(
  column: ColumnSchema,
  values: BatchColumn,
  type: arrow.DataType,
  rows: number,
): arrow.Data {
  if (values instanceof NumberColumn) {
    const finished = values.finish(rows);
    if (Array.isArray(finished)) return buildColumn(column, finished, type);
    return buildNumberColumn(column, finished.numbers, finished.validity, finished.nullCount, type);
  }
  if (!(values instanceof TextBytes)) return buildColumn(column, values.finish(rows), type);
  // only text columns keep bytes, and text is Utf8 in every file
  if (type.typeId !== arrow.Type.Utf8) throw new Error(`column ${column.name}: text bytes for ${type}`);
  const { offsets, data, validity, nullCount } = values.finish(rows);
  return arrow.makeData({
    type: type as arrow.Utf8,
    length: rows,
    nullCount,
    nullBitmap: nullCount > 0 ? validity : null,
    valueOffsets: offsets,
    data,
  });
}

// Bytes of Arrow values a row group holds at most, judged by a file's first batch.
const ROW_GROUP_BYTES = 64 * 1024 * 1024;

/**
 * Streams a Parquet file into storage: each batch is handed to parquet-wasm as soon as it is
 * built, which encodes it into the open row group and writes the group out when it is full, so
 * memory holds one row group's encoded pages, not the file.
 */
export class ParquetFileWriter implements DataFileWriter {
  bytesWritten = 0;
  heldBytes = 0;
  private rowsPerGroup = 0;
  private groupRows = 0;
  private readonly schema: arrow.Schema;
  private controller!: ReadableStreamDefaultController<parquet.RecordBatch>;
  private readonly batches: ReadableStream<parquet.RecordBatch>;
  private done: Promise<number> | undefined;
  private drained: (() => void) | undefined;

  constructor(
    readonly columns: readonly ColumnSchema[],
    private readonly storage: FileStorage,
    private readonly key: string,
    private readonly rowGroupSize: number,
    private readonly timeAsText = false,
  ) {
    this.schema = arrowSchema(columns, timeAsText);
    this.batches = new ReadableStream<parquet.RecordBatch>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          this.drained?.();
          this.drained = undefined;
        },
      },
      { highWaterMark: 1 },
    );
  }

  /**
   * Starts encoding once the first values are known, which choose the dictionary columns.
   * Statistics are off: the files are staged for one load that reads every row, so min/max
   * values would cost a fifth of the encoding time and prune nothing.
   */
  private start(encodings: ColumnEncodings, rowsPerGroup: number): Promise<number> {
    this.rowsPerGroup = rowsPerGroup;
    let builder = new parquet.WriterPropertiesBuilder()
      .setCompression(parquet.Compression.SNAPPY)
      .setMaxRowGroupSize(rowsPerGroup)
      .setStatisticsEnabled(parquet.EnabledStatistics.None)
      .setDictionaryEnabled(false)
      .setCreatedBy('sluice');
    for (const name of encodings.dictionary) builder = builder.setColumnDictionaryEnabled(name, true);
    for (const name of encodings.delta)
      builder = builder.setColumnEncoding(name, parquet.Encoding.DELTA_BINARY_PACKED);
    const done = parquet
      .transformParquetStream(this.batches, builder.build())
      .then((bytes) => this.storage.putStream(this.key, this.count(bytes)));
    // Surface a failed upload at the next write instead of as an unhandled rejection.
    done.catch(() => undefined);
    return done;
  }

  /** A Parquet file has one schema: other columns need a new file. */
  accepts(columns: readonly ColumnSchema[]): boolean {
    return (
      columns.length === this.columns.length &&
      columns.every(
        (c, i) =>
          c.name === this.columns[i]?.name &&
          String(fileType(c, this.timeAsText)) === String(this.schema.fields[i]?.type),
      )
    );
  }

  /** Writes a batch whose columns are this file's (`accepts` said so). */
  async writeBatch(
    _columns: readonly ColumnSchema[],
    values: readonly BatchColumn[],
    rows: number,
  ): Promise<void> {
    if (rows === 0) return;
    const batch = recordBatch(this.schema, this.columns, values, rows);
    const ipc = arrow.tableToIPC(new arrow.Table([batch]), 'stream');
    // rows of large text get smaller row groups: parquet-wasm holds a group's pages until it is full
    this.done ??= this.start(
      chooseEncodings(this.schema.fields, values, rows),
      Math.max(1, Math.min(this.rowGroupSize, Math.floor((ROW_GROUP_BYTES * rows) / ipc.byteLength))),
    );
    this.holding(rows, ipc.byteLength);
    const table = parquet.Table.fromIPCStream(ipc);
    for (const batch of table.recordBatches()) this.controller.enqueue(batch);
    table.free();
    if ((this.controller.desiredSize ?? 1) <= 0) {
      await Promise.race([new Promise<void>((resolve) => (this.drained = resolve)), this.done]);
    }
  }

  /** Tracks the bytes of the open row group, for a file whose later rows outgrow its first. */
  private holding(rows: number, bytes: number): void {
    this.groupRows += rows;
    this.heldBytes += bytes;
    if (this.groupRows < this.rowsPerGroup) return;
    const carried = this.groupRows % this.rowsPerGroup;
    this.heldBytes = Math.round((this.heldBytes * carried) / this.groupRows);
    this.groupRows = carried;
  }

  async close(): Promise<number> {
    this.done ??= this.start({ dictionary: [], delta: [] }, this.rowGroupSize);
    this.controller.close();
    return this.done;
  }

  private async *count(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      this.bytesWritten += chunk.length;
      yield chunk;
    }
  }
}
