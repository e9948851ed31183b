import type { ColumnBatch } from '../formats/column-batch.js';
import { type Coerced, coerceValue, fitsIntegerPrecision, NO_FIT } from '../schema/coerce.js';
import { inferDataType, pythonDataType } from '../schema/infer.js';
import { InvalidIdentifierError, PATH_SEPARATOR } from '../schema/naming.js';
import type { Schema } from '../schema/schema.js';
import { type ColumnSchema, DEFAULT_DECIMAL, DLT_COLUMNS, type TableSchema } from '../schema/types.js';
import { fitsDecimal } from '../util/decimal-text.js';
import { JsonFloat } from '../util/json-values.js';
import { orderedKeys } from '../util/key-order.js';
import { checkNestingDepth, MAX_NESTING_DEPTH } from '../util/nesting-depth.js';
import { own } from '../util/own.js';
import { pythonStrip } from '../util/python-text.js';
import { LINKAGE_COLUMNS } from './dlt-columns.js';
import { NormalizeError } from './errors.js';
import { type Field, FlatRow, fieldColumn, newField, type ScannedDict } from './flat-row.js';
import { KnownShapeScanner } from './known-shape.js';
import { contentRowKey, nestedRowKey, primaryKeyRowKey, randomRowKey } from './row-keys.js';

export type NormalizedRow = Record<string, Coerced>;

/** Receives every normalized row, table by table. */
export interface RowSink {
  write(table: TableSchema, row: NormalizedRow): void;
  /**
   * Where rows of this table can instead be added column by column (see ColumnBatch): sinks
   * that offer it get the rows of items read from their bytes that way.
   */
  columns?(table: TableSchema): ColumnBatch | undefined;
}

/** dlt's default max_nesting: effectively unlimited. */
const DEFAULT_MAX_NESTING = 1000;

type RowKeyKind = 'random' | 'primary_key' | 'content';

/** A row's lists for nested tables, by path, in the order they were first seen. */
type NestedLists = [string, unknown[]][];

/** Rows and dicts this many levels down may be nested too deeply: see flatten. */
const DEPTH_WORTH_MEASURING = Math.floor(MAX_NESTING_DEPTH / 2);

/** dlt's name for an empty or blank key. */
const EMPTY_KEY = '_empty';

export interface TableContext {
  table: TableSchema;
  maxNesting: number;
  rowKeyKind: RowKeyKind;
  primaryKey: string[];
  propagateRootKey: boolean;
  required: string[];
  discarded: boolean;
  /** raw key -> its field, one map per path of nested dicts ('' for the row itself) */
  names: Map<string, Map<string, Field>>;
  /** The row's own dict as KnownShapeScanner last read it (a cache; a nested dict's is its field's). */
  scannedDict: ScannedDict | undefined;
  /** The schema's change count at which KnownShapeScanner last found the table ready (-1: never). */
  readyAt: number;
  /** column name -> the first field of that name, to mark names that several fields share */
  byName: Map<string, Field>;
  /** the `_dlt` columns normalize adds to each row */
  linkage: Record<'loadId' | 'id' | 'parentId' | 'listIdx' | 'rootId', Field>;
  children: Map<string, TableContext>;
  /** Columns the contract refused with discard_row: as in dlt, a later row holding the key drops too. */
  refused: Set<string>;
}

/**
 * dlt's relational normalizer: flattens nested dicts into `parent__child` columns, moves lists
 * into nested tables linked by `_dlt_parent_id`/`_dlt_list_idx` (and `_dlt_root_id` for merge),
 * types every value against the schema (inferring, evolving, or writing variant columns), and
 * applies the schema contract.
 */
export class RelationalNormalizer {
  private readonly roots = new Map<string, TableContext>();
  /** Dicts still to flatten, as (dict, path, depth) triples; reused, one row is flattened at a time. */
  private readonly pending: unknown[] = [];
  /** The row being normalized, flattened; reused, a row is typed before its nested rows begin. */
  private readonly flat = new FlatRow();
  /** The item being normalized until its depth is measured (see flatten); undefined after. */
  private unmeasured: unknown;
  private readonly scanner: KnownShapeScanner;

  constructor(
    private readonly schema: Schema,
    private readonly sink: RowSink,
    private readonly loadId: string,
  ) {
    this.scanner = new KnownShapeScanner(schema, sink, loadId);
  }

  /**
   * Normalizes the item whose JSON text is the UTF-8 in bytes [start, end) into `rootTable`
   * without parsing it, when the table has seen each of its keys and each value fits its column
   * (see KnownShapeScanner). False, having changed nothing, when it needs parseJson and
   * `normalize`.
   */
  normalizeKnownShape(bytes: Buffer, start: number, end: number, rootTable: string): boolean {
    const ctx = this.roots.get(rootTable);
    return ctx !== undefined && this.scanner.scan(ctx, bytes, start, end);
  }

  /** Normalizes one extracted item into `rootTable` and its nested tables. */
  normalize(item: unknown, rootTable: string): void {
    this.unmeasured = item;
    // an item refused half-way (a bad key, too deep) may have left dicts behind; emptied only
    // then, as emptying an array gives up its storage (for each of 4.5M rows: 0.30-0.33 s,
    // against 0.07 s when only asked, measured alone)
    if (this.pending.length > 0) this.pending.length = 0;
    const ctx = this.rootContext(rootTable);
    const row = isPlainObject(item) ? item : { value: item };
    this.normalizeRow(row, ctx, 0, undefined, 0, undefined);
  }

  private rootContext(tableName: string): TableContext {
    let ctx = this.roots.get(tableName);
    if (ctx === undefined && this.schema.isDiscarded(tableName)) {
      ctx = this.newContext(
        { name: tableName, columns: {} },
        { maxNesting: 0, rowKeyKind: 'random', primaryKey: [], propagateRootKey: false },
      );
      ctx.discarded = true;
      this.roots.set(tableName, ctx);
    }
    if (ctx === undefined) {
      let table = this.schema.table(tableName);
      if (table === undefined) {
        this.schema.allows(tableName, 'tables');
        table = this.schema.addTable({ name: tableName, columns: {} });
      }
      // its rows would lack the parent key the table holds; dlt writes them and the load fails
      if (table.parent !== undefined)
        throw new NormalizeError(
          `table ${tableName} is nested in ${table.parent} (it holds the items of ${table.parent}'s lists); load these items into a table of another name`,
        );
      const strategy = this.schema.mergeStrategy(tableName);
      const primaryKey = Object.values(table.columns)
        .filter((c) => c.primary_key)
        .map((c) => c.name);
      ctx = this.newContext(table, {
        maxNesting: table['x-normalizer']?.max_nesting ?? DEFAULT_MAX_NESTING,
        rowKeyKind:
          strategy === 'upsert' || strategy === 'insert-only'
            ? 'primary_key'
            : strategy === 'scd2'
              ? 'content'
              : 'random',
        primaryKey,
        propagateRootKey: this.schema.propagatesRootKey(tableName),
      });
      this.roots.set(tableName, ctx);
    }
    return ctx;
  }

  private newContext(
    table: TableSchema,
    inherited: Pick<TableContext, 'maxNesting' | 'rowKeyKind' | 'primaryKey' | 'propagateRootKey'>,
  ): TableContext {
    const required = Object.values(table.columns)
      .filter((c) => c.nullable === false && !c.name.startsWith('_dlt'))
      .map((c) => c.name);
    // registered before any key of the data, which is marked shared should it take one of their names
    const byName = new Map<string, Field>();
    const linkageField = (name: string) => {
      const field = newField(name, name);
      byName.set(name, field);
      return field;
    };
    // every property written out in one order: spread contexts took the maps of their sources,
    // and the scanner's reads of them went megamorphic in the workers (about 3% of a worker's
    // samples; two workers 6% faster without it)
    return {
      table,
      maxNesting: inherited.maxNesting,
      rowKeyKind: inherited.rowKeyKind,
      primaryKey: inherited.primaryKey,
      propagateRootKey: inherited.propagateRootKey,
      required,
      discarded: false,
      names: new Map(),
      scannedDict: undefined,
      readyAt: -1,
      byName,
      linkage: {
        loadId: linkageField(DLT_COLUMNS.loadId),
        id: linkageField(DLT_COLUMNS.id),
        parentId: linkageField(DLT_COLUMNS.parentId),
        listIdx: linkageField(DLT_COLUMNS.listIdx),
        rootId: linkageField(DLT_COLUMNS.rootId),
      },
      children: new Map(),
      refused: new Set(),
    };
  }

  /** Registers a new field of the table; a name another field already has is shared by both. */
  private addField(ctx: TableContext, field: Field): Field {
    const first = ctx.byName.get(field.name);
    if (first === undefined) ctx.byName.set(field.name, field);
    else first.shared = field.shared = true;
    return field;
  }

  /** The table's column a field names, looked up again only after the schema changed. */
  private columnOf(ctx: TableContext, field: Field): ColumnSchema | undefined {
    return fieldColumn(field, ctx.table, this.schema.changes);
  }

  private childContext(parent: TableContext, path: string): TableContext {
    let ctx = parent.children.get(path);
    if (ctx === undefined) {
      const name = this.schema.naming.makePath(parent.table.name, path);
      let table = this.schema.table(name);
      let discarded = false;
      if (table === undefined) {
        const mode = this.schema.allowsNested(name, parent.table.name);
        discarded = mode !== 'evolve';
        table = discarded
          ? { name, columns: {}, parent: parent.table.name }
          : this.schema.addTable({ name, columns: {}, parent: parent.table.name });
      } else if (table.parent === undefined) {
        throw new NormalizeError(
          `the list ${path} of table ${parent.table.name} would go to nested table ${name}, which is a table of its own; load one of the two under another name`,
        );
      }
      ctx = this.newContext(table, {
        maxNesting: parent.maxNesting,
        propagateRootKey: parent.propagateRootKey,
        rowKeyKind: 'random',
        primaryKey: [],
      });
      ctx.discarded = discarded;
      parent.children.set(path, ctx);
    }
    return ctx;
  }

  private normalizeRow(
    item: Record<string, unknown>,
    ctx: TableContext,
    level: number,
    parentKey: string | undefined,
    listIndex: number,
    rootKey: string | undefined,
  ): void {
    if (ctx.discarded) return;
    const flat = this.flat;
    const lists = this.flatten(item, level, ctx, flat);

    const { linkage } = ctx;
    let rowKey: string;
    if (parentKey === undefined) {
      const dataKey = flat.sharedValue(DLT_COLUMNS.id);
      rowKey = typeof dataKey === 'string' ? dataKey : this.rootRowKey(ctx, flat, item);
      flat.set(linkage.loadId, this.loadId);
      flat.set(linkage.id, rowKey);
      rootKey = rowKey;
    } else {
      rowKey = nestedRowKey(parentKey, ctx.table.name, listIndex);
      if (ctx.propagateRootKey) flat.set(linkage.rootId, rootKey);
      flat.set(linkage.parentId, parentKey);
      flat.set(linkage.listIdx, listIndex);
      flat.set(linkage.id, rowKey);
    }

    const row = this.typeRow(ctx, flat);
    if (row === undefined) return;
    this.sink.write(ctx.table, row);

    if (lists !== undefined)
      for (const [path, list] of lists) {
        if (list.length === 0) continue;
        const child = this.childContext(ctx, path);
        for (let i = 0; i < list.length; i++)
          this.normalizeListItem(list[i], child, level + 1, rowKey, i, rootKey);
      }
  }

  private normalizeListItem(
    element: unknown,
    ctx: TableContext,
    level: number,
    parentKey: string,
    index: number,
    rootKey: string | undefined,
  ): void {
    if (isPlainObject(element)) {
      this.normalizeRow(element, ctx, level, parentKey, index, rootKey);
    } else if (Array.isArray(element)) {
      // A list of lists: an intermediate row one level deeper (as dlt counts), its elements in
      // `<table>__list`, or in its `list` json column past the nesting limit.
      this.normalizeRow({ list: element }, ctx, level + 1, parentKey, index, rootKey);
    } else {
      this.normalizeRow({ value: element }, ctx, level, parentKey, index, rootKey);
    }
  }

  private rootRowKey(ctx: TableContext, flat: FlatRow, item: Record<string, unknown>): string {
    if (ctx.rowKeyKind === 'primary_key' && ctx.primaryKey.length > 0)
      return primaryKeyRowKey((name) => flat.get(name), ctx.primaryKey);
    if (ctx.rowKeyKind === 'content') return contentRowKey(item);
    return randomRowKey();
  }

  /**
   * Flattens nested dicts into `path__key` columns and collects lists for nested tables, in
   * dlt's order: a dict's own fields first, then its nested dicts from the last one back (dlt
   * keeps them on a stack). A name seen twice keeps its first place and its last value. Returns
   * the lists, by the column path their nested table is named after.
   */
  private flatten(
    item: Record<string, unknown>,
    level: number,
    ctx: TableContext,
    flat: FlatRow,
  ): NestedLists | undefined {
    // most rows (the nested ones above all) hold no list: the list of lists is made on the first
    let lists: NestedLists | undefined;
    flat.clear();
    const pending = this.pending;
    pending.push(item, '', level, undefined, false);
    while (pending.length > 0) {
      const below = pending.pop() as boolean;
      const field = pending.pop() as Field | undefined;
      const depth = pending.pop() as number;
      const path = pending.pop() as string;
      const dict = pending.pop() as Record<string, unknown>;
      // Only an item this deep can nest too deeply for dlt (a level down is at most two lists and
      // objects deeper): such an item is measured exactly, once.
      if (depth >= DEPTH_WORTH_MEASURING) this.measureItem();
      // Below a key another key shares the name of (`x` and `X`), the same columns can come
      // twice in a row. Asked as the dict is taken up: the other key may have come after it.
      const shared = below || field?.shared === true;
      const fields = this.fieldsAt(ctx, path);
      // the text's key order where JavaScript's differs (integer-like keys)
      for (const key of orderedKeys(dict))
        lists = this.flattenMember(ctx, flat, fields, path, depth, shared, key, dict[key], lists);
    }
    return lists;
  }

  /** Flattens one key of a dict at `path`: a column value, a dict to flatten next, or a list. */
  private flattenMember(
    ctx: TableContext,
    flat: FlatRow,
    fields: Map<string, Field>,
    path: string,
    depth: number,
    shared: boolean,
    key: string,
    value: unknown,
    lists: NestedLists | undefined,
  ): NestedLists | undefined {
    let field = fields.get(key);
    if (field === undefined) {
      field = this.addField(ctx, this.field(ctx, path, key));
      fields.set(key, field);
    }
    if (value !== null && typeof value === 'object' && !(value instanceof JsonFloat)) {
      const nested = depth + 1 <= ctx.maxNesting && this.columnOf(ctx, field)?.data_type !== 'json';
      if (Array.isArray(value)) {
        if (nested) return setList(lists, field.name, value);
        this.measureItem();
        flat.set(field, value, shared);
        return lists;
      }
      if (isPlainObject(value)) {
        if (nested) this.pending.push(value, field.path, depth + 1, field, shared);
        else {
          this.measureItem();
          flat.set(field, value, shared);
        }
        return lists;
      }
    }
    flat.set(field, value, shared);
    return lists;
  }

  /**
   * Refuses the item if it nests too deeply for dlt, measured once: when a row or dict is deep
   * enough that it may (see flatten), or a list or dict goes to a json column, whose text is
   * measured only from where it starts.
   */
  private measureItem(): void {
    if (this.unmeasured === undefined) return;
    checkNestingDepth(this.unmeasured);
    this.unmeasured = undefined;
  }

  private fieldsAt(ctx: TableContext, path: string): Map<string, Field> {
    let fields = ctx.names.get(path);
    if (fields === undefined) {
      fields = new Map();
      ctx.names.set(path, fields);
    }
    return fields;
  }

  private field(ctx: TableContext, path: string, key: string): Field {
    const naming = this.schema.naming;
    let fragment: string;
    try {
      fragment = pythonStrip(key) === '' ? EMPTY_KEY : naming.normalizePath(key);
    } catch (error) {
      if (!(error instanceof InvalidIdentifierError)) throw error;
      // a key of nesting separators only (`__`) names nothing; dlt fails on it too, without a word
      throw new NormalizeError(
        `key ${JSON.stringify(key)} of table ${ctx.table.name} gives no column name: it holds only the nesting separator __`,
        ctx.table.name,
        undefined,
        { cause: error },
      );
    }
    if (path === '') return newField(fragment, fragment);
    return newField(naming.makePath(path, fragment), `${path}${PATH_SEPARATOR}${fragment}`);
  }

  /**
   * Types each value against the table's columns; undefined when the contract drops the row.
   * A dropped row is still read to its end: as in dlt, which checks a row's changes together,
   * the changes the contract allows (other new columns, variants, `_dlt` columns) stay.
   */
  private typeRow(ctx: TableContext, flat: FlatRow): NormalizedRow | undefined {
    // a row holding a key refused before (even as null) drops at once, changing nothing (dlt's filters)
    if (ctx.refused.size > 0) for (const name of ctx.refused) if (flat.indexOf(name) >= 0) return undefined;
    const row: NormalizedRow = {};
    // whether the table was new when this row began; asked only when the row brings a column
    let tableWasNew: boolean | undefined;
    let dropped = false;
    const { fields, values } = flat;
    for (let i = 0; i < flat.length; i++) {
      const field = fields[i]!;
      const name = field.name;
      const value = values[i];
      const column = this.columnOf(ctx, field);
      if (value === null || value === undefined) {
        if (column?.nullable === false) throw this.nullError(ctx, name);
        continue;
      }
      if (column?.data_type !== undefined) {
        const coerced = coerceValue(value, column);
        // text `null` in a json column: dlt's json.loads leaves no value
        if (coerced === null) {
          if (column.nullable === false) throw this.nullError(ctx, name);
          continue;
        }
        if (coerced !== NO_FIT) {
          if (column.precision !== undefined || column.data_type === 'decimal')
            this.checkPrecision(ctx, column, coerced);
          row[name] = coerced;
          continue;
        }
        const variant = this.variant(ctx, column, value);
        if (variant === 'discard_row') dropped = true;
        else if (variant !== undefined) row[variant[0]] = variant[1];
        continue;
      }
      tableWasNew ??= this.schema.isNewTable(ctx.table.name);
      const added = this.newColumn(ctx, name, column, value, tableWasNew);
      if (added === 'discard_row') dropped = true;
      else if (added !== undefined) row[name] = added;
    }
    if (dropped) return undefined;
    for (const name of ctx.required) {
      if (own(row, name) === undefined) throw this.nullError(ctx, name);
    }
    return row;
  }

  private newColumn(
    ctx: TableContext,
    name: string,
    partial: ColumnSchema | undefined,
    value: unknown,
    tableIsNew: boolean,
  ): Coerced | 'discard_row' | undefined {
    const linkage = own(LINKAGE_COLUMNS, name);
    const dataType = linkage?.data_type ?? inferDataType(value);
    if (dataType === undefined) return undefined;
    // as in dlt, a column known only by its hints is still new to the column contract
    const mode = tableIsNew ? 'evolve' : this.schema.allows(ctx.table.name, 'columns', name);
    if (mode === 'discard_row') {
      ctx.refused.add(name);
      return 'discard_row';
    }
    if (mode === 'discard_value') return undefined;
    const column: ColumnSchema = {
      ...(linkage ?? { name, nullable: true }),
      ...partial,
      data_type: dataType,
    };
    const coerced = coerceValue(value, column);
    // null only comes of text read into json, and a column inferred from text is never json
    if (coerced === null) return undefined;
    if (coerced === NO_FIT) {
      throw new NormalizeError(
        `value of column ${name} in table ${ctx.table.name} cannot be stored as ${dataType}`,
        ctx.table.name,
        name,
      );
    }
    if (column.precision !== undefined || column.data_type === 'decimal')
      this.checkPrecision(ctx, column, coerced);
    this.schema.setColumn(ctx.table.name, column);
    return coerced;
  }

  /**
   * A bigint column with a precision is a sized integer (int8/16/32) in Parquet, where a bigger
   * value would wrap silently, and a decimal has its precision (38 unless hinted); dlt fails the
   * load on a value that does not fit, so it is bad input here, with its line, not a failure of
   * the file writer that names no line.
   */
  private checkPrecision(ctx: TableContext, column: ColumnSchema, value: Coerced): void {
    const table = ctx.table.name;
    // a bigint column coerces to a number or a bigint, a decimal column to its text
    if (column.data_type === 'bigint' && !fitsIntegerPrecision(value as number | bigint, column.precision)) {
      throw new NormalizeError(
        `value ${value} of column ${column.name} in table ${table} does not fit bigint of precision ${column.precision}`,
        table,
        column.name,
      );
    }
    if (column.data_type !== 'decimal') return;
    const [precision, scale] = [column.precision ?? DEFAULT_DECIMAL[0], column.scale ?? DEFAULT_DECIMAL[1]];
    if (fitsDecimal(String(value), precision, scale)) return;
    throw new NormalizeError(
      `value ${value} of column ${column.name} in table ${table} does not fit decimal(${precision},${scale})`,
      table,
      column.name,
    );
  }

  /** A value that does not fit its column goes to `<column>__v_<type>`, as in dlt. */
  private variant(
    ctx: TableContext,
    column: ColumnSchema,
    value: unknown,
  ): [string, Coerced] | 'discard_row' | undefined {
    const table = ctx.table.name;
    const dataType = inferDataType(value);
    if (dataType === undefined) return undefined;
    // named by the value's Python type, typed by inference: an ISO string is `x__v_text` of type timestamp
    if (column.variant) {
      throw new NormalizeError(
        `value of variant column ${column.name} in table ${table} does not fit ${column.data_type}`,
        table,
        column.name,
      );
    }
    const name = this.schema.naming.makePath(column.name, `v_${pythonDataType(value)}`);
    const existing = own(ctx.table.columns, name);
    if (existing === undefined) {
      const mode = this.schema.allows(table, 'data_type', column.name);
      if (mode === 'discard_row') return 'discard_row';
      if (mode === 'discard_value') return undefined;
    }
    const variantColumn: ColumnSchema = existing ?? {
      name,
      data_type: dataType,
      nullable: true,
      variant: true,
    };
    const coerced = coerceValue(value, variantColumn);
    if (coerced === null) return undefined;
    if (coerced === NO_FIT) {
      throw new NormalizeError(
        // the variant column was typed by the first value it took (ISO text makes it a timestamp)
        `value of column ${column.name} in table ${table} fits neither ${column.data_type} nor its variant column ${variantColumn.name} (${variantColumn.data_type})`,
        table,
        column.name,
      );
    }
    if (existing === undefined) this.schema.setColumn(table, variantColumn);
    return [name, coerced];
  }

  private nullError(ctx: TableContext, column: string): NormalizeError {
    return new NormalizeError(
      `column ${column} of table ${ctx.table.name} is not nullable but has no value`,
      ctx.table.name,
      column,
    );
  }
}

/** Like a Map's set: a name seen again keeps its place and takes the later list. */
function setList(lists: NestedLists | undefined, name: string, list: unknown[]): NestedLists {
  if (lists === undefined) return [[name, list]];
  for (const entry of lists) {
    if (entry[0] === name) {
      entry[1] = list;
      return lists;
    }
  }
  lists.push([name, list]);
  return lists;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof JsonFloat) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}
