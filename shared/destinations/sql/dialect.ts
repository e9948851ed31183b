import type { FileFormat } from '../../formats/file-writer.js';
import type { ColumnSchema } from '../../schema/types.js';

/** A table's data files to load into it. */
export interface FileLoad {
  dataset: string;
  table: string;
  columns: readonly ColumnSchema[];
  format: FileFormat;
  urls: readonly string[];
  /**
   * The table was emptied for this load (a staging table, or one replaced by truncate-and-insert):
   * files an earlier attempt of the same package loaded must load again.
   */
  emptied: boolean;
}

/**
 * The destination-specific part of SQL generation. Quoting and literal escaping each live in
 * exactly one function here; everything else composes them.
 */
export interface SqlDialect {
  quoteIdentifier(name: string): string;
  literal(value: string | number | boolean | null): string;
  /** Timestamp literal for `_dlt_valid_from`/`to` and `inserted_at`. */
  timestampLiteral(date: Date): string;
  columnType(column: ColumnSchema): string;
  /** `catalog.dataset.table` or `dataset.table`, quoted. */
  qualify(dataset: string, table: string): string;
  qualifySchema(dataset: string): string;
  /** Statements that add columns (one ALTER for all where the engine allows). */
  addColumns(qualifiedTable: string, columns: readonly ColumnSchema[]): string[];
  /** Statements that load data files into a table. */
  loadFiles(load: FileLoad): string[];
  /** Replaces `target` with a copy of `source` (staging-optimized replace). */
  cloneTable(target: string, source: string): string[];
  truncate(qualifiedTable: string): string;
  /** Optional clauses after the column list of CREATE TABLE (clustering, properties). */
  tableOptions?(table: {
    name: string;
    columns: readonly ColumnSchema[];
    options?: Record<string, unknown>;
  }): string;
}
