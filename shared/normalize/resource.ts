import type { Schema } from '../schema/schema.js';
import {
  type ColumnHints,
  type ColumnSchema,
  DLT_COLUMNS,
  type MergeStrategy,
  type ReplaceStrategy,
  type SchemaContract,
  type WriteDisposition,
} from '../schema/types.js';
import { own } from '../util/own.js';

/** What a user says about one resource: the table it fills and how. Names are not yet normalized. */
export interface ResourceHints {
  name: string;
  tableName?: string;
  writeDisposition?: WriteDisposition;
  mergeStrategy?: MergeStrategy;
  replaceStrategy?: ReplaceStrategy;
  primaryKey?: string[];
  mergeKey?: string[];
  columns?: Record<string, ColumnHints>;
  /**
   * Column types the source declares (a Parquet file's decimals, dates, times, binaries), found
   * by extract, in the source's column order (a list: an object would move integer-like names
   * first): they type new columns, an existing column keeps its type, and `columns` overrides them.
   */
  sourceColumns?: [name: string, hints: ColumnHints][];
  schemaContract?: SchemaContract;
  /** scd2 options (dlt's validity_column_names, active_record_timestamp, boundary_timestamp). */
  scd2?: {
    validityColumnNames?: [string, string];
    activeRecordTimestamp?: string;
    boundaryTimestamp?: string;
  };
  maxTableNesting?: number;
  tableOptions?: Record<string, unknown>;
  /** dlt's table file format hint; only the pipeline state's table sets it. */
  fileFormat?: 'preferred';
  /** Malformed records: fail the file (default), or set them aside in the package's quarantine. */
  onBadRecord?: 'fail' | 'quarantine';
}

/**
 * Creates or updates the root table of a resource with its hints, normalizing every name, and
 * returns the table's normalized name. scd2 tables get their validity columns first, as dlt does.
 */
export function applyResourceHints(schema: Schema, hints: ResourceHints): string {
  const tableName = schema.naming.normalizePath(hints.tableName ?? hints.name);
  const existing = schema.table(tableName);
  if (existing === undefined) {
    if (schema.allowsNewRoot(tableName, hints.schemaContract) !== 'evolve') return tableName;
    schema.addTable({ name: tableName, columns: {}, resource: hints.name });
  }
  const patch: Parameters<Schema['updateTable']>[1] = { resource: hints.name };
  // a resource's table is appended to unless it says otherwise, and dlt writes that down
  const disposition =
    hints.writeDisposition ?? (existing?.write_disposition === undefined ? 'append' : undefined);
  if (disposition !== undefined) patch.write_disposition = disposition;
  if (hints.mergeStrategy !== undefined) patch['x-merge-strategy'] = hints.mergeStrategy;
  if (hints.schemaContract !== undefined) patch.schema_contract = hints.schemaContract;
  if (hints.maxTableNesting !== undefined)
    patch['x-normalizer'] = {
      ...schema.table(tableName)?.['x-normalizer'],
      max_nesting: hints.maxTableNesting,
    };
  if (hints.fileFormat !== undefined) patch.file_format = hints.fileFormat;
  if (hints.tableOptions !== undefined) patch['x-table-options'] = hints.tableOptions;
  schema.updateTable(tableName, patch);

  if (hints.writeDisposition === 'merge' && hints.mergeStrategy === 'scd2') {
    // dlt's scd2 hints: the validity columns, and `_dlt_id` holding the row's hash, which may
    // repeat (a row deleted and inserted again), so it is neither unique nor a row key
    const validity = { data_type: 'timestamp', nullable: true } as const;
    const [from, to] = (hints.scd2?.validityColumnNames ?? [DLT_COLUMNS.validFrom, DLT_COLUMNS.validTo]).map(
      (name: string) => schema.naming.normalizePath(name),
    ) as [string, string];
    schema.setColumn(tableName, { name: from, ...validity, 'x-valid-from': true });
    schema.setColumn(tableName, {
      name: to,
      ...validity,
      'x-valid-to': true,
      'x-active-record-timestamp': hints.scd2?.activeRecordTimestamp ?? null,
    });
    if (hints.scd2?.boundaryTimestamp !== undefined)
      schema.updateTable(tableName, { 'x-boundary-timestamp': hints.scd2.boundaryTimestamp });
    schema.setColumn(tableName, {
      name: DLT_COLUMNS.id,
      nullable: false,
      'x-row-version': true,
      unique: false,
      row_key: false,
    });
  }
  for (const [rawName, declared] of hints.sourceColumns ?? []) {
    const name = schema.naming.normalizePath(rawName);
    if (own(schema.table(tableName)!.columns, name)?.data_type === undefined)
      schema.setColumn(tableName, { ...declared, name });
  }
  for (const [rawName, columnHints] of Object.entries(hints.columns ?? {})) {
    schema.setColumn(tableName, { ...columnHints, name: schema.naming.normalizePath(rawName) });
  }
  for (const rawName of hints.primaryKey ?? []) {
    schema.setColumn(tableName, keyColumn(schema, rawName, 'primary_key'));
  }
  for (const rawName of hints.mergeKey ?? []) {
    schema.setColumn(tableName, keyColumn(schema, rawName, 'merge_key'));
  }
  return tableName;
}

function keyColumn(schema: Schema, rawName: string, hint: 'primary_key' | 'merge_key'): ColumnSchema {
  return { name: schema.naming.normalizePath(rawName), [hint]: true, nullable: false };
}
