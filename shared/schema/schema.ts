import { own } from '../util/own.js';
import { type ContractEntity, DataValidationError, expandContract } from './contract.js';
import { addPropagation, withDltParts } from './dlt-schema.js';
import { SnakeCaseNaming } from './naming.js';
import {
  type ColumnSchema,
  type ContractMode,
  DLT_COLUMNS,
  isDltName,
  type MergeStrategy,
  SCHEMA_ENGINE_VERSION,
  type SchemaContract,
  type SchemaContractSettings,
  type StoredSchema,
  type TableSchema,
  type WriteDisposition,
} from './types.js';
import { bumpVersionIfModified } from './version.js';

/** A new schema: no data tables yet, dlt's own tables and settings already. */
export function emptySchema(name: string): StoredSchema {
  return withDltParts({
    name,
    version: 1,
    version_hash: '',
    previous_hashes: [],
    engine_version: SCHEMA_ENGINE_VERSION,
    tables: {},
    settings: { detections: ['iso_timestamp'] },
  });
}

/**
 * A schema being evolved by normalize: plain data underneath, with the lookups and contract
 * checks the normalizer needs. New tables and columns are recorded so a package can report
 * exactly what it added.
 */
export class Schema {
  readonly naming: SnakeCaseNaming;
  private readonly stored: StoredSchema;
  private readonly discardedTables = new Set<string>();
  private readonly contracts = new Map<string, Required<SchemaContractSettings>>();
  private changeCount = 0;

  constructor(stored: StoredSchema, maxIdentifierLength?: number) {
    this.stored = structuredClone(stored);
    this.naming = new SnakeCaseNaming(maxIdentifierLength);
  }

  get name(): string {
    return this.stored.name;
  }

  /** How many times a table or column was added or changed: equal before and after, nothing was. */
  get changes(): number {
    return this.changeCount;
  }

  get tables(): Readonly<Record<string, TableSchema>> {
    return this.stored.tables;
  }

  table(name: string): TableSchema | undefined {
    return own(this.stored.tables, name);
  }

  /** The root of a nested table's chain. */
  rootTable(name: string): TableSchema {
    let table = own(this.stored.tables, name);
    while (table?.parent !== undefined) table = own(this.stored.tables, table.parent);
    if (table === undefined) throw new Error(`table ${name} is not in schema ${this.name}`);
    return table;
  }

  writeDisposition(tableName: string): WriteDisposition {
    return this.rootTable(tableName).write_disposition ?? 'append';
  }

  mergeStrategy(tableName: string): MergeStrategy | undefined {
    const root = this.rootTable(tableName);
    if (root.write_disposition !== 'merge') return undefined;
    return root['x-merge-strategy'] ?? 'delete-insert';
  }

  /** The contract of a table, inherited from its root and the schema settings. */
  contract(tableName: string): Required<SchemaContractSettings> {
    let contract = this.contracts.get(tableName);
    if (contract === undefined) {
      const root = this.table(tableName) ? this.rootTable(tableName) : undefined;
      contract = expandContract(root?.schema_contract ?? this.stored.settings.schema_contract);
      this.contracts.set(tableName, contract);
    }
    return contract;
  }

  /**
   * What to do with new data of `entity` on `tableName`: evolve, or the contract's answer.
   * `_dlt` columns always evolve.
   */
  allows(tableName: string, entity: ContractEntity, columnName?: string): ContractMode {
    if (columnName !== undefined && isDltName(columnName)) return 'evolve';
    const mode = this.contract(tableName)[entity];
    if (mode === 'freeze') {
      const what =
        columnName === undefined ? `new table ${tableName}` : `column ${columnName} of table ${tableName}`;
      const verb = entity === 'data_type' ? 'changes the data type of' : 'adds';
      throw new DataValidationError(
        tableName,
        columnName,
        entity,
        `frozen schema contract: data ${verb} ${what}`,
      );
    }
    return mode;
  }

  /**
   * The contract's answer to a new root table, under the resource's own contract. A table
   * that is discarded is remembered, so the normalizer drops its rows.
   */
  allowsNewRoot(tableName: string, contract: SchemaContract | undefined): ContractMode {
    const mode = expandContract(contract ?? this.stored.settings.schema_contract).tables;
    if (mode === 'freeze') throw frozenNewTable(tableName);
    if (mode !== 'evolve') this.discardedTables.add(tableName);
    return mode;
  }

  isDiscarded(tableName: string): boolean {
    return this.discardedTables.has(tableName);
  }

  /** The contract's answer to a new nested table, whose contract is its parent's. */
  allowsNested(tableName: string, parentName: string): ContractMode {
    const mode = this.contract(parentName).tables;
    if (mode === 'freeze') throw frozenNewTable(tableName);
    return mode;
  }

  /**
   * A new table to dlt's contracts: absent, or without a column that has a data type. The row
   * that creates it may bring any columns; the rows after it are held to the column contract.
   */
  isNewTable(tableName: string): boolean {
    const table = this.table(tableName);
    if (table === undefined) return true;
    for (const name in table.columns) if (table.columns[name]!.data_type !== undefined) return false;
    return true;
  }

  /** Creates a table. */
  addTable(table: TableSchema): TableSchema {
    this.stored.tables[table.name] = table;
    this.changeCount++;
    return table;
  }

  /**
   * Adds or updates a column. A column known only by its hints (no data type yet) moves to the
   * end when it gets its type, where data brings it: dlt's order for hinted columns.
   */
  setColumn(tableName: string, column: ColumnSchema): void {
    const table = this.table(tableName);
    if (table === undefined) throw new Error(`table ${tableName} is not in schema ${this.name}`);
    withColumn(table.columns, column);
    this.changeCount++;
  }

  /** Whether rows of a root table pass their key to their nested rows as `_dlt_root_id`. */
  propagatesRootKey(tableName: string): boolean {
    return own(this.stored.normalizers?.json.config?.propagation?.tables ?? {}, tableName) !== undefined;
  }

  /**
   * Removes the columns that are still a bare name: a typed source's columns listed only to
   * hold their place, which data never typed (all null, or nested into other columns). dlt has
   * no column it could not type.
   */
  dropPlaceholders(): void {
    for (const table of Object.values(this.stored.tables))
      for (const [name, column] of Object.entries(table.columns))
        if (isPlaceholder(column)) delete table.columns[name];
  }

  /** Marks a table as having received rows, as dlt's normalize does for each table it wrote. */
  markSeenData(tableName: string): void {
    const table = this.table(tableName);
    if (table === undefined || table['x-normalizer']?.['seen-data'] === true) return;
    table['x-normalizer'] = { ...table['x-normalizer'], 'seen-data': true };
  }

  updateTable(tableName: string, patch: Partial<Omit<TableSchema, 'name' | 'columns'>>): void {
    const table = this.table(tableName);
    if (table === undefined) throw new Error(`table ${tableName} is not in schema ${this.name}`);
    Object.assign(table, patch);
    this.contracts.clear();
    this.changeCount++;
    // as dlt's normalizer extends an updated table: merge strategies that delete by root key need
    // it on every nested row, recorded in the normalizer config (where it stays, as in dlt)
    const strategy = table.parent === undefined ? this.mergeStrategy(tableName) : undefined;
    if (strategy !== undefined && strategy !== 'scd2' && !this.propagatesRootKey(tableName))
      addPropagation(this.stored, { [tableName]: { [DLT_COLUMNS.id]: DLT_COLUMNS.rootId } });
  }

  /** A snapshot with the version bumped when anything changed. */
  toStored(): StoredSchema {
    return bumpVersionIfModified(structuredClone(this.stored));
  }
}

/**
 * Sets `column` among `columns`. A hinted column getting its first data type goes to the end; a
 * bare name (a typed source's column listed only to hold its place) stays where it is.
 */
export function withColumn(columns: Record<string, ColumnSchema>, column: ColumnSchema): void {
  const existing = own(columns, column.name);
  const typedNow =
    existing !== undefined && existing.data_type === undefined && column.data_type !== undefined;
  if (typedNow && !isPlaceholder(existing)) delete columns[column.name];
  columns[column.name] = { ...existing, ...column };
}

/** A column that is a bare name: a typed source's column listed only to hold its place. */
function isPlaceholder(column: ColumnSchema | undefined): boolean {
  return column !== undefined && Object.keys(column).every((key) => key === 'name');
}

function frozenNewTable(tableName: string): DataValidationError {
  return new DataValidationError(
    tableName,
    undefined,
    'tables',
    `frozen schema contract: data adds new table ${tableName}`,
  );
}
