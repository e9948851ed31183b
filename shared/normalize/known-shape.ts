import { constants } from 'node:buffer';
import type { BatchColumn, ColumnBatch, ColumnKind } from '../formats/column-batch.js';
import { exactNumber } from '../formats/json-parse.js';
import { type Coerced, coerceValue, NO_FIT } from '../schema/coerce.js';
import { OTHER_FORM, readExtendedTimestampBytes } from '../schema/date-text.js';
import { pythonDataType } from '../schema/infer.js';
import type { Schema } from '../schema/schema.js';
import { type ColumnSchema, type DataType, DLT_COLUMNS } from '../schema/types.js';
import { latin1Slice, writeAscii } from '../util/ascii.js';
import type { JsonFloat } from '../util/json-values.js';
import { own } from '../util/own.js';
import { LONE_SURROGATE } from '../util/surrogates.js';
import { LINKAGE_COLUMNS } from './dlt-columns.js';
import { type Field, fieldColumn, newField, type ScannedDict } from './flat-row.js';
import type { NormalizedRow, RowSink, TableContext } from './relational.js';
import {
  hashNestedKeys,
  type NestedKeyTable,
  nestedKeyName,
  nestedKeyTable,
  nestedRowKeyInto,
  primaryKeyRowKey,
  ROW_KEY_LENGTH,
  randomRowKeyInto,
} from './row-keys.js';

const { MAX_STRING_LENGTH } = constants;

/** Dicts this deep go to the general path, which measures deep items (see relational.ts). */
const MAX_SCANNED_DEPTH = 32;

/** Thrown (and caught in `scan`) where the item needs the general path. */
const UNKNOWN = Symbol('unknown shape');

/** The `_dlt` columns normalize sets on a root row and on a nested one (and `_dlt_root_id`). */
const ROOT_LINKAGE = [DLT_COLUMNS.loadId, DLT_COLUMNS.id];
const NESTED_LINKAGE = [DLT_COLUMNS.id, DLT_COLUMNS.parentId, DLT_COLUMNS.listIdx];

const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * Normalizes an item straight from the UTF-8 bytes of its JSON line, where its table already
 * has every key it holds and every value fits the column it goes to: the rows come out as the
 * general path (RelationalNormalizer.normalize after parseJson) makes them, without the parse,
 * the flattening pass or a string per key. Anything else gives up before a row is written and
 * the caller takes the general path: a key or nested table not seen before, a value for another
 * type whose variant column the table lacks yet, a null in a required column, a key written with
 * escapes, duplicate keys, names several keys share, a row key made of the whole item (scd2), JSON
 * columns and deep nesting, a contract that refused a key, and malformed JSON, whose error the
 * general path reports.
 */
export class KnownShapeScanner {
  private bytes: Buffer = Buffer.alloc(0);
  /** `bytes`, for reading several of them at once. */
  private view = new DataView(this.bytes.buffer, 0, 0);
  private at = 0;
  /** Where the line ends: its line end and the next line are not the item's. */
  private end = 0;
  /** The value of the last number parseNumber read in the common form. */
  private parsed = 0;
  /** Whether the last string stringEnd found is ASCII, and whether it holds escapes. */
  private ascii = false;
  private escaped = false;
  /**
   * The item's rows (the root row first, then in document order): each row's table, its parent
   * row and list position (their keys are made once the whole item is read, two at a time, see
   * assignKeys), and where its values start on the tape.
   */
  private readonly contexts: TableContext[] = [];
  private readonly parentRows: number[] = [];
  private readonly listIndexes: number[] = [];
  /**
   * The rows' keys as ASCII bytes, ROW_KEY_LENGTH a row: written into columns, never made strings.
   * The nested key table's (hashNestedKeys), or for an item it cannot take, `ownKeys`.
   */
  private rowKeys: Buffer = Buffer.alloc(0);
  private ownKeys = Buffer.alloc(64 * ROW_KEY_LENGTH);
  /** The last table whose name went into the key table, and its reference there. */
  private keyedTable = '';
  private keyedName = -1;
  private readonly tapeStarts: number[] = [];
  private rowsInItem = 0;
  /**
   * Where the sink takes rows as objects: the item's values in the order read, each with its row
   * and field (rows interleave), made rows once the whole item is read.
   */
  private readonly tapeRows: number[] = [];
  private readonly tapeFields: Field[] = [];
  private readonly tapeValues: (Coerced | typeof ASCII_TEXT)[] = [];
  /** Where the text of an ASCII_TEXT value is in the line's bytes. */
  private readonly textStarts: number[] = [];
  private readonly textEnds: number[] = [];
  private tapeLength = 0;
  /**
   * Where the sink takes rows column by column: the root table's batch, into which (and the nested
   * tables' batches) values go as they are read; each row's batch, its index there, and the
   * batch's text count before the row, to take the item's rows back out if it is refused.
   */
  private rootBatch: ColumnBatch | undefined;
  private readonly batches: ColumnBatch[] = [];
  private readonly positions: number[] = [];
  private readonly charsBefore: number[] = [];
  /** For a root key made of data, the primary key and its values. */
  private keyColumns: readonly string[] | undefined;
  private readonly keyValues = new Map<string, unknown>();
  /** Rows begun so far, which numbers them: a field read twice in one row is a duplicate key. */
  private rowCount = 0;
  /** Each field's variant fields by type (see variantField). */
  private readonly variants = new WeakMap<Field, Map<DataType, Field>>();

  /** The load id as ASCII bytes, copied into each root row as text read from a line is. */
  private readonly loadIdBytes: Buffer | undefined;

  constructor(
    private readonly schema: Schema,
    private readonly sink: RowSink,
    private readonly loadId: string,
  ) {
    const bytes = Buffer.from(loadId, 'utf8');
    // one given with --load-id may hold any characters: those are set as a string
    this.loadIdBytes = bytes.length === loadId.length ? bytes : undefined;
  }

  /** Normalizes the item in bytes [start, end) into `ctx`'s table; false, having written nothing, if it cannot. */
  scan(ctx: TableContext, bytes: Buffer, start: number, end: number): boolean {
    // a line too long for one string is refused by the general path, as before it is read
    if (end - start > MAX_STRING_LENGTH || ctx.rowKeyKind === 'content' || !this.ready(ctx)) return false;
    const keyed = ctx.rowKeyKind === 'primary_key' && ctx.primaryKey.length > 0;
    if (bytes !== this.bytes) {
      this.bytes = bytes;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    }
    this.at = start;
    this.end = end;
    this.rowsInItem = 0;
    this.tapeLength = 0;
    this.keyColumns = keyed ? ctx.primaryKey : undefined;
    // only a keyed item reads them; clearing an empty Map still costs (75 ms a million items)
    if (keyed) this.keyValues.clear();
    this.rootBatch = this.sink.columns?.(ctx.table);
    try {
      this.skipSpace();
      this.newRow(ctx, -1, -1);
      this.dict(ctx, undefined, 0, this.rowCount, 0, 0);
      this.finishRow(ctx, 0);
      this.skipSpace();
      // more than one value on the line: the general path reports it, once this item is taken back
      if (this.at !== end) throw UNKNOWN;
      this.assignKeys(keyed ? this.keyHash() : undefined);
    } catch {
      // UNKNOWN, or whatever else stops the scan: the general path reads the item or reports it
      this.takeBack();
      return false;
    }
    if (this.rootBatch === undefined) this.writeRows();
    else this.writeLinkage();
    return true;
  }

  /** Takes the rows of a refused item back out of their batches, last first. */
  private takeBack(): void {
    if (this.rootBatch === undefined) return;
    for (let r = this.rowsInItem - 1; r >= 0; r--)
      this.batches[r]!.truncate(this.positions[r]!, this.charsBefore[r]!);
  }

  /** Writes the item's rows as objects, in order, linkage columns last as typeRow sets them. */
  private writeRows(): void {
    const rows: NormalizedRow[] = [];
    for (let r = 0; r < this.rowsInItem; r++) rows.push({});
    for (let t = 0; t < this.tapeLength; t++) {
      const value = this.tapeValues[t]!;
      rows[this.tapeRows[t]!]![this.tapeFields[t]!.name] =
        value === ASCII_TEXT ? latin1Slice(this.bytes, this.textStarts[t]!, this.textEnds[t]!) : value;
    }
    const root = rows[0]!;
    root[DLT_COLUMNS.loadId] = this.loadId;
    root[DLT_COLUMNS.id] = this.rowKey(0);
    for (let r = 1; r < rows.length; r++) {
      const row = rows[r]!;
      if (this.contexts[r]!.propagateRootKey) row[DLT_COLUMNS.rootId] = this.rowKey(0);
      row[DLT_COLUMNS.parentId] = this.rowKey(this.parentRows[r]!);
      row[DLT_COLUMNS.listIdx] = this.listIndexes[r]!;
      row[DLT_COLUMNS.id] = this.rowKey(r);
    }
    for (let r = 0; r < rows.length; r++) this.sink.write(this.contexts[r]!.table, rows[r]!);
  }

  /** Sets the `_dlt` columns of the item's rows, whose values are in their batches already. */
  private writeLinkage(): void {
    const { contexts, batches, positions, rowKeys } = this;
    const { loadIds, ids } = batches[0]!.rootLinkage;
    const { loadIdBytes } = this;
    if (loadIdBytes === undefined) loadIds.set(positions[0]!, this.loadId);
    else loadIds.setAscii(positions[0]!, loadIdBytes, 0, loadIdBytes.length);
    ids.setAscii(positions[0]!, rowKeys, 0, ROW_KEY_LENGTH);
    for (let r = 1; r < this.rowsInItem; r++) {
      const batch = batches[r]!;
      const at = positions[r]!;
      const linkage = batch.nestedLinkage;
      if (contexts[r]!.propagateRootKey)
        batch.column(DLT_COLUMNS.rootId, 'text').setAscii(at, rowKeys, 0, ROW_KEY_LENGTH);
      const parentAt = this.parentRows[r]! * ROW_KEY_LENGTH;
      linkage.parentIds.setAscii(at, rowKeys, parentAt, parentAt + ROW_KEY_LENGTH);
      linkage.listIdx.set(at, this.listIndexes[r]!);
      linkage.ids.setAscii(at, rowKeys, r * ROW_KEY_LENGTH, (r + 1) * ROW_KEY_LENGTH);
      batch.chars += 2 * ROW_KEY_LENGTH;
    }
  }

  /** Row `r`'s key as a string. */
  private rowKey(r: number): string {
    return latin1Slice(this.rowKeys, r * ROW_KEY_LENGTH, (r + 1) * ROW_KEY_LENGTH);
  }

  /**
   * A root key made of the primary key's values (upsert, insert-only): the values as the item
   * holds them, before they are typed, as the general path hashes them.
   */
  private keyHash(): string {
    const values = this.keyValues;
    return primaryKeyRowKey((name) => values.get(name), this.keyColumns ?? []);
  }

  /**
   * Makes the rows' keys: the root's (`rootKey`, else random), then the nested rows', each a hash
   * of its parent's key, table and list position (rows come parent first). All in one call into
   * the hash's module where its key table takes the item, else one by one.
   */
  private assignKeys(rootKey: string | undefined): void {
    const count = this.rowsInItem;
    const table = nestedKeyTable();
    if (count <= table.capacity && this.fillKeyTable(table, count)) {
      this.rowKeys = table.keys;
      this.writeRootKey(rootKey);
      if (count > 1) hashNestedKeys(count);
      return;
    }
    if (this.ownKeys.length < count * ROW_KEY_LENGTH)
      this.ownKeys = Buffer.alloc(Math.max(2 * this.ownKeys.length, count * ROW_KEY_LENGTH));
    const keys = (this.rowKeys = this.ownKeys);
    this.writeRootKey(rootKey);
    const { contexts, parentRows, listIndexes } = this;
    for (let r = 1; r < count; r++)
      nestedRowKeyInto(
        keys,
        parentRows[r]! * ROW_KEY_LENGTH,
        contexts[r]!.table.name,
        listIndexes[r]!,
        r * ROW_KEY_LENGTH,
      );
  }

  /** The root row's key into rowKeys: `rootKey`, else a random one. */
  private writeRootKey(rootKey: string | undefined): void {
    if (rootKey === undefined) randomRowKeyInto(this.rowKeys, 0);
    // a hash's key is always base64 of ROW_KEY_LENGTH characters; another is the general path's
    else if (rootKey.length !== ROW_KEY_LENGTH || writeAscii(rootKey, this.rowKeys, 0) < 0) throw UNKNOWN;
  }

  /** Writes the item's nested rows into the key table; false if a table's name does not fit it. */
  private fillKeyTable(table: NestedKeyTable, count: number): boolean {
    const { contexts, parentRows, listIndexes } = this;
    for (let r = 1; r < count; r++) {
      const name = contexts[r]!.table.name;
      if (name !== this.keyedTable) {
        this.keyedTable = name;
        this.keyedName = nestedKeyName(name);
      }
      if (this.keyedName < 0) return false;
      // an i32 holds any list position: a line is at most MAX_STRING_LENGTH (2^29) characters
      table.setRow(r, parentRows[r]!, this.keyedName, listIndexes[r]!);
    }
    return true;
  }

  /**
   * Whether rows of this table can be written without a schema change: its linkage columns exist
   * with dlt's types (LINKAGE_COLUMNS, unsized), no contract refused a key, the table is kept.
   * Checked again after a change.
   */
  private ready(ctx: TableContext): boolean {
    // a refusal changes no schema: asked each time
    if (ctx.discarded || ctx.refused.size > 0) return false;
    const changes = this.schema.changes;
    if (ctx.readyAt === changes) return true;
    const linkage =
      ctx.table.parent === undefined
        ? ROOT_LINKAGE
        : ctx.propagateRootKey
          ? [...NESTED_LINKAGE, DLT_COLUMNS.rootId]
          : NESTED_LINKAGE;
    const linked = linkage.every((name) => {
      const column = own(ctx.table.columns, name);
      return column?.data_type === LINKAGE_COLUMNS[name]?.data_type && column?.precision === undefined;
    });
    if (!linked) return false;
    ctx.readyAt = changes;
    return true;
  }

  /** Begins row `listIndex` in a list of row `parentRow` (-1 for the root row); its index in the item. */
  private newRow(ctx: TableContext, parentRow: number, listIndex: number): number {
    const at = this.rowsInItem;
    if (this.rootBatch !== undefined) {
      const batch =
        at === 0
          ? this.rootBatch
          : ctx === this.contexts[at - 1]
            ? this.batches[at - 1]!
            : this.sink.columns?.(ctx.table);
      // before the row is counted: takeBack reads the batch and place of every row counted
      if (batch === undefined) throw new Error(`no batch for the rows of table ${ctx.table.name}`);
      this.batches[at] = batch;
      this.charsBefore[at] = batch.chars;
      this.positions[at] = batch.length++;
    }
    this.rowsInItem++;
    this.contexts[at] = ctx;
    this.parentRows[at] = parentRow;
    this.listIndexes[at] = listIndex;
    this.tapeStarts[at] = this.tapeLength;
    this.rowCount++;
    return at;
  }

  /** As typeRow's last check: a required column the row lacks is the general path's error to give. */
  private finishRow(ctx: TableContext, row: number): void {
    for (const name of ctx.required) if (!this.holds(row, name)) throw UNKNOWN;
  }

  /** Whether row `row` has a value in column `name` so far: in its batch, or on the tape. */
  private holds(row: number, name: string): boolean {
    if (this.rootBatch !== undefined)
      return this.batches[row]!.columnOf(name).valueAt(this.positions[row]!) !== undefined;
    for (let t = this.tapeStarts[row]!; t < this.tapeLength; t++)
      if (this.tapeRows[t] === row && this.tapeFields[t]!.name === name) return true;
    return false;
  }

  /**
   * Reads the dict at `at` into the item's row `row` (0 for the root row; number `rowNumber` of
   * all rows scanned), or a dict flattened into it at `path`.
   */
  private dict(
    ctx: TableContext,
    parent: Field | undefined,
    row: number,
    rowNumber: number,
    level: number,
    depth: number,
  ): void {
    const bytes = this.bytes;
    if (bytes[this.at] !== 0x7b || depth >= MAX_SCANNED_DEPTH) throw UNKNOWN;
    this.at++;
    this.skipSpace();
    if (bytes[this.at] === 0x7d) {
      this.at++;
      return;
    }
    const dict = this.scannedDict(ctx, parent);
    const changes = this.schema.changes;
    for (let k = 0; ; k++) {
      const field = this.key(dict, k);
      if (field.shared || field.scannedInRow === rowNumber) throw UNKNOWN;
      field.scannedInRow = rowNumber;
      const column = fieldColumn(field, ctx.table, changes);
      const next = bytes[this.at];
      if (next === 0x7b || next === 0x5b) {
        // as flattenMember: nested while within max_nesting and not a json column
        if (depth + 1 > ctx.maxNesting || column?.data_type === 'json') throw UNKNOWN;
        if (next === 0x7b) this.dict(ctx, field, row, rowNumber, level, depth + 1);
        else this.list(ctx, field, level, row);
      } else {
        // a value of the root key is kept as read, which a text column's bytes are not
        const keyValue = row === 0 && this.keyColumns?.includes(field.name) === true;
        if (next === 0x22 && isText(column) && !keyValue) this.text(ctx, row, field, column);
        else if (next === 0x22 && isTimestamp(column) && !keyValue) this.timestamp(ctx, row, field, column);
        else if (isNumberStart(next) && isPlainNumber(column) && !keyValue && this.rootBatch !== undefined)
          this.numeric(ctx, row, field, column);
        else {
          const value = this.scalar();
          if (keyValue) this.keyValues.set(field.name, value);
          this.member(ctx, row, field, column, value);
        }
      }
      this.skipSpace();
      const after = bytes[this.at++];
      if (after === 0x7d) return;
      if (after !== 0x2c) throw UNKNOWN;
      this.skipSpace();
    }
  }

  /**
   * The keys read last at the dict's path: the row's own (`parent` undefined) or those of the dict
   * `parent` holds. Kept on the context or field, whose map of keys at that path never changes.
   */
  private scannedDict(ctx: TableContext, parent: Field | undefined): ScannedDict {
    const cached = parent === undefined ? ctx.scannedDict : parent.scannedDict;
    if (cached !== undefined) return cached;
    const names = ctx.names.get(parent === undefined ? '' : parent.path);
    if (names === undefined) throw UNKNOWN;
    const dict: ScannedDict = { names, keys: [], heads: [], tails: [], fields: [] };
    if (parent === undefined) ctx.scannedDict = dict;
    else parent.scannedDict = dict;
    return dict;
  }

  /** The field of the key at `at`, matched against the key the last item held at position k. */
  private key(dict: ScannedDict, k: number): Field {
    const bytes = this.bytes;
    if (bytes[this.at] !== 0x22) throw UNKNOWN;
    const start = this.at + 1;
    const expected = dict.keys[k];
    let field: Field | undefined;
    if (expected !== undefined && this.sameKey(start, expected, dict.heads[k]!, dict.tails[k]!)) {
      this.at = start + expected.length;
      field = dict.fields[k];
    } else {
      const end = this.stringEnd(start);
      // keys are matched by their bytes: one written with escapes is left to the general path
      if (this.escaped) throw UNKNOWN;
      field = dict.names.get(bytes.toString('utf8', start, end));
      if (field === undefined) throw UNKNOWN;
      this.at = end + 1;
      this.skipSpace();
      if (bytes[this.at++] !== 0x3a) throw UNKNOWN;
      this.remember(dict, k, start, field);
    }
    this.skipSpace();
    return field as Field;
  }

  /** Keeps the key at `start` up to `at` (its closing quote and colon) as the dict's key k. */
  private remember(dict: ScannedDict, k: number, start: number, field: Field): void {
    // a copy: a subarray would keep the whole chunk of lines alive
    const key = Uint8Array.prototype.slice.call(this.bytes, start, this.at);
    dict.keys[k] = key;
    dict.heads[k] = keyWord(key, false);
    dict.tails[k] = keyWord(key, true);
    dict.fields[k] = field;
  }

  /**
   * Whether the bytes at `at` are `key` (up to its colon), whose first and last eight bytes (four,
   * for a key shorter than eight) read as numbers are `head` and `tail`. Two doubles are equal
   * exactly when their bits are, but for NaN (never equal: the key is then read again each time,
   * which only costs) and zeros (a key's bytes are never zero: control characters are refused in
   * strings).
   */
  private sameKey(at: number, key: Uint8Array, head: number, tail: number): boolean {
    const length = key.length;
    if (at + length > this.end) return false;
    const view = this.view;
    if (length >= 8) {
      if (view.getFloat64(at, true) !== head || view.getFloat64(at + length - 8, true) !== tail) return false;
      const bytes = this.bytes;
      for (let i = 8; i < length - 8; i++) if (bytes[at + i] !== key[i]) return false;
      return true;
    }
    if (length >= 4) return view.getInt32(at, true) === head && view.getInt32(at + length - 4, true) === tail;
    const bytes = this.bytes;
    for (let i = 0; i < length; i++) if (bytes[at + i] !== key[i]) return false;
    return true;
  }

  /** A list at `at`: its elements become rows of the nested table, as normalizeListItem makes them. */
  private list(parent: TableContext, field: Field, level: number, parentRow: number): void {
    const bytes = this.bytes;
    this.at++;
    this.skipSpace();
    if (bytes[this.at] === 0x5d) {
      this.at++;
      return;
    }
    // a table's nested contexts are made once and kept
    const ctx = (field.listContext ??= parent.children.get(field.name));
    if (ctx === undefined || !this.ready(ctx)) throw UNKNOWN;
    // scalars in the list go to the nested table's `value` column, as normalizeListItem puts them
    let value: Field | undefined;
    for (let index = 0; ; index++) {
      const row = this.newRow(ctx, parentRow, index);
      const next = bytes[this.at];
      if (next === 0x7b) this.dict(ctx, undefined, row, this.rowCount, level + 1, level + 1);
      else if (next === 0x5b) throw UNKNOWN;
      else {
        value ??= ctx.names.get('')?.get('value');
        if (value === undefined || value.shared) throw UNKNOWN;
        const column = fieldColumn(value, ctx.table, this.schema.changes);
        if (next === 0x22 && isText(column)) this.text(ctx, row, value, column);
        else this.member(ctx, row, value, column, this.scalar());
      }
      this.finishRow(ctx, row);
      this.skipSpace();
      const after = bytes[this.at++];
      if (after === 0x5d) return;
      if (after !== 0x2c) throw UNKNOWN;
      this.skipSpace();
    }
  }

  /**
   * A number into a double or unsized bigint column's batch, as member() puts it there, read and
   * set in one place: a double returned from a call V8 does not inline, or passed to one, is boxed
   * in a heap number. Any other number takes member().
   */
  private numeric(ctx: TableContext, row: number, field: Field, column: ColumnSchema): void {
    const start = this.at;
    if (this.parseNumber()) {
      const value = this.parsed;
      // as coerceKnown: JSON's `-0` is Python's int 0 (a double 0); a fraction is no bigint
      const double = column.data_type === 'double';
      if (double || Number.isInteger(value)) {
        const batch = this.batches[row]!;
        this.columnOf(batch, field).set(this.positions[row]!, double && value === 0 ? 0 : value);
        return;
      }
    }
    this.at = start;
    this.member(ctx, row, field, column, this.number());
  }

  /** A scalar's column value, as typeRow sets it: in its column, else in a variant column. */
  private member(
    ctx: TableContext,
    row: number,
    field: Field,
    column: ColumnSchema | undefined,
    value: unknown,
  ): void {
    if (value === null) {
      if (column?.nullable === false) throw UNKNOWN;
      return;
    }
    // a new column, one hinted without a type, or one whose values typeRow checks for size
    if (!isUnsized(column)) throw UNKNOWN;
    const coerced = coerceKnown(value, column);
    if (coerced === null) throw UNKNOWN;
    if (coerced !== NO_FIT) this.setValue(row, field, coerced);
    else this.variantMember(ctx, row, field, column, value);
  }

  /**
   * A value that does not fit its column goes to `<column>__v_<type>`, as typeRow's variant puts
   * it, where the table has that column already: a new one is the general path's to add (the
   * contract may refuse it), and a value that fits neither is its error to give.
   */
  private variantMember(
    ctx: TableContext,
    row: number,
    field: Field,
    column: ColumnSchema,
    value: unknown,
  ): void {
    const type = column.variant ? undefined : pythonDataType(value);
    if (type === undefined) throw UNKNOWN;
    const variant = this.variantField(ctx, field, column, type);
    const variantColumn = fieldColumn(variant, ctx.table, this.schema.changes);
    // typeRow checks no size of a variant's value, so neither may a value here need checking
    if (!isUnsized(variantColumn)) throw UNKNOWN;
    const coerced = coerceValue(value, variantColumn);
    if (coerced === null || coerced === NO_FIT) throw UNKNOWN;
    this.setValue(row, variant, coerced);
  }

  /**
   * The field of `field`'s variant column for values of `type`, registered as the table's fields
   * are: should a key of the data take its name, both are shared, and the scanner refuses them.
   * A name some field holds already (a key of the data, another column's variant) could put two
   * values in one column of a row: that is the general path's.
   */
  private variantField(ctx: TableContext, field: Field, column: ColumnSchema, type: DataType): Field {
    let variants = this.variants.get(field);
    if (variants === undefined) this.variants.set(field, (variants = new Map()));
    let variant = variants.get(type);
    if (variant === undefined) {
      const name = this.schema.naming.makePath(column.name, `v_${type}`);
      if (ctx.byName.has(name)) throw UNKNOWN;
      variant = newField(name, name);
      ctx.byName.set(name, variant);
      variants.set(type, variant);
    }
    if (variant.shared) throw UNKNOWN;
    return variant;
  }

  /** A value of row `row`: into its column, or onto the tape where rows are made as objects. */
  private setValue(row: number, field: Field, value: Coerced): void {
    if (this.rootBatch === undefined) {
      this.onTape(row, field, value);
      return;
    }
    const batch = this.batches[row]!;
    this.columnOf(batch, field).set(this.positions[row]!, value);
    if (typeof value === 'string') batch.chars += value.length;
    // the one object a value is: binary
    else if (typeof value === 'object') batch.chars += value.byteLength;
  }

  /** `field`'s column in `batch`, kept on the field for as long as its table's batch is that one. */
  private columnOf(batch: ColumnBatch, field: Field): BatchColumn {
    if (field.batch !== batch) {
      field.batch = batch;
      field.batchColumn = batch.column(field.name, columnKind(field.column));
    }
    return field.batchColumn!;
  }

  /** Adds a value of row `row` to the tape; its place there. */
  private onTape(row: number, field: Field, value: Coerced | typeof ASCII_TEXT): number {
    const t = this.tapeLength++;
    this.tapeRows[t] = row;
    this.tapeFields[t] = field;
    this.tapeValues[t] = value;
    return t;
  }

  /**
   * The string at `at` into a text column: as is (coerceValue keeps text in text), and when ASCII
   * without escapes, copied from the line into the column's bytes (or onto the tape as a place in
   * the line).
   */
  private text(ctx: TableContext, row: number, field: Field, column: ColumnSchema): void {
    const start = this.at + 1;
    const end = this.stringEnd(start);
    this.at = end + 1;
    if (this.escaped || !this.ascii) {
      this.member(ctx, row, field, column, this.stringOf(start, end));
      return;
    }
    if (this.rootBatch !== undefined) {
      const batch = this.batches[row]!;
      this.columnOf(batch, field).setAscii(this.positions[row]!, this.bytes, start, end);
      batch.chars += end - start;
      return;
    }
    const t = this.onTape(row, field, ASCII_TEXT);
    this.textStarts[t] = start;
    this.textEnds[t] = end;
  }

  /**
   * The string at `at` into a timestamp column: the common ISO form read from its bytes, anything
   * else as coerceValue reads the string.
   */
  private timestamp(ctx: TableContext, row: number, field: Field, column: ColumnSchema): void {
    const start = this.at + 1;
    const end = this.stringEnd(start);
    this.at = end + 1;
    const micros =
      this.ascii && !this.escaped ? readExtendedTimestampBytes(this.bytes, start, end) : OTHER_FORM;
    if (micros === OTHER_FORM || micros === undefined)
      this.member(ctx, row, field, column, this.stringOf(start, end));
    else this.setValue(row, field, micros);
  }

  /** A string, number, true, false or null at `at`, as JSON.parse reads it. */
  private scalar(): unknown {
    const bytes = this.bytes;
    const first = bytes[this.at];
    if (first === 0x22) {
      const start = this.at + 1;
      const end = this.stringEnd(start);
      this.at = end + 1;
      return this.stringOf(start, end);
    }
    if (first === 0x74) return this.literal(TRUE, true);
    if (first === 0x66) return this.literal(FALSE, false);
    if (first === 0x6e) return this.literal(NULL, null);
    return this.number();
  }

  /**
   * Where a string opened before `start` ends, noting whether it is ASCII and whether it holds
   * escapes; one holding a control character is JSON.parse's to refuse.
   */
  private stringEnd(start: number): number {
    const { bytes, end } = this;
    let high = 0;
    let escaped = false;
    for (let i = start; i < end; i++) {
      const byte = bytes[i]!;
      high |= byte;
      if (byte === 0x22) {
        this.ascii = high < 0x80;
        this.escaped = escaped;
        return i;
      }
      if (byte < 0x20) throw UNKNOWN;
      if (byte === 0x5c) {
        escaped = true;
        i++;
      }
    }
    throw UNKNOWN;
  }

  /** The string between quotes at [start, end), as stringEnd found it (ASCII, escaped). */
  private stringOf(start: number, end: number): string {
    if (this.escaped) return this.unescaped(start - 1, end + 1);
    return this.ascii ? latin1Slice(this.bytes, start, end) : this.bytes.toString('utf8', start, end);
  }

  /** A string with escapes, [start, end) with its quotes, read by JSON.parse, which checks them. */
  private unescaped(start: number, end: number): string {
    const text = JSON.parse(this.bytes.toString('utf8', start, end)) as string;
    // half a surrogate pair is refused by the general path, naming where it is
    if (LONE_SURROGATE.test(text)) throw UNKNOWN;
    return text;
  }

  private literal<T>(text: Uint8Array, value: T): T {
    const bytes = this.bytes;
    for (let i = 1; i < text.length; i++) if (bytes[this.at + i] !== text[i]) throw UNKNOWN;
    this.at += text.length;
    return value;
  }

  /**
   * A number as parseJson reads it: exactly (see exactNumber), so an integer past 2^53 is a
   * bigint and an integral fraction or exponent (`1.0`, `2e3`) a float to dlt. Most have at most
   * 15 significant digits and no exponent, which JSON.parse and Python read alike and are read
   * here: their digits and the power of ten are exact doubles, so one division rounds them
   * correctly, and a fraction that short cannot round to an integer.
   */
  private number(): number | bigint | JsonFloat {
    const start = this.at;
    if (this.parseNumber()) return this.parsed;
    return exactNumber(latin1Slice(this.bytes, start, this.at));
  }

  /**
   * Reads the number at `at`, past which it moves: true, its value in `parsed`, in the common form;
   * false for one that only exactNumber reads right.
   */
  private parseNumber(): boolean {
    const bytes = this.bytes;
    const start = this.at;
    let at = start;
    const negative = bytes[at] === 0x2d;
    if (negative) at++;
    const integerStart = at;
    let digits = 0;
    let mantissa = 0;
    let byte = bytes[at]!;
    while (byte >= 0x30 && byte <= 0x39) {
      mantissa = mantissa * 10 + (byte - 0x30);
      digits++;
      byte = bytes[++at]!;
    }
    // no digits, or a leading zero (`01`), is not JSON
    if (digits === 0 || (bytes[integerStart] === 0x30 && digits > 1)) throw UNKNOWN;
    let scale = 0;
    let integral = true;
    if (byte === 0x2e) {
      byte = bytes[++at]!;
      while (byte >= 0x30 && byte <= 0x39) {
        if (byte !== 0x30) integral = false;
        mantissa = mantissa * 10 + (byte - 0x30);
        digits++;
        scale++;
        byte = bytes[++at]!;
      }
      if (scale === 0) throw UNKNOWN;
    }
    let exponent = false;
    if (byte === 0x65 || byte === 0x45) {
      exponent = true;
      byte = bytes[++at]!;
      if (byte === 0x2b || byte === 0x2d) byte = bytes[++at]!;
      if (!(byte >= 0x30 && byte <= 0x39)) throw UNKNOWN;
      while (byte >= 0x30 && byte <= 0x39) byte = bytes[++at]!;
    }
    this.at = at;
    if (digits > 15 || exponent || (scale > 0 && integral)) return false;
    const value = scale === 0 ? mantissa : mantissa / POWERS_OF_TEN[scale]!;
    this.parsed = negative ? -value : value;
    return true;
  }

  private skipSpace(): void {
    const { bytes, end } = this;
    let at = this.at;
    for (
      let byte = bytes[at];
      at < end && (byte === 0x20 || byte === 0x09 || byte === 0x0d);
      byte = bytes[++at]
    );
    this.at = at;
  }
}

/**
 * coerceValue, with the commonest cases first: a number read as parseJson reads it (a JsonFloat
 * is an object) into a double or an unsized bigint column, a bool into a bool column.
 */
function coerceKnown(value: unknown, column: ColumnSchema): Coerced | null | typeof NO_FIT {
  const type = column.data_type;
  if (typeof value === 'number') {
    // JSON's `-0` is Python's int 0 (toDouble)
    if (type === 'double') return value === 0 ? 0 : value;
    if (type === 'bigint' && column.precision === undefined && Number.isInteger(value)) return value;
  } else if (typeof value === 'boolean' && type === 'bool') return value;
  return coerceValue(value, column);
}

/**
 * The number sameKey compares the first (or `last`) bytes of a key with: eight as a double, or
 * four as an integer for a key shorter than eight; 0 for a key shorter than four, which sameKey
 * compares byte by byte.
 */
function keyWord(key: Uint8Array, last: boolean): number {
  if (key.length < 4) return 0;
  const view = new DataView(key.buffer, key.byteOffset, key.length);
  const width = key.length >= 8 ? 8 : 4;
  const at = last ? key.length - width : 0;
  return width === 8 ? view.getFloat64(at, true) : view.getInt32(at, true);
}

/** Text columns keep their values as UTF-8 bytes, columns of numbers as doubles, as Arrow takes them. */
function columnKind(column: ColumnSchema | undefined): ColumnKind {
  switch (column?.data_type) {
    case 'text':
      return 'text';
    case 'double':
    case 'bigint':
    case 'timestamp':
    case 'date':
      return 'numbers';
    default:
      return 'values';
  }
}

/** A tape value: ASCII text, at textStarts/textEnds in the line. */
const ASCII_TEXT = Symbol('ASCII text');

/** A typed column whose values typeRow stores without checking their size (no precision, no decimal). */
function isUnsized(column: ColumnSchema | undefined): column is ColumnSchema {
  return column?.data_type !== undefined && column.precision === undefined && column.data_type !== 'decimal';
}

/** A double or bigint column whose values member() takes as numbers are (no size to check). */
function isPlainNumber(column: ColumnSchema | undefined): column is ColumnSchema {
  return (column?.data_type === 'double' || column?.data_type === 'bigint') && column.precision === undefined;
}

/** A byte a JSON number starts with: a minus sign or a digit. */
function isNumberStart(byte: number | undefined): boolean {
  return byte === 0x2d || (byte !== undefined && byte >= 0x30 && byte <= 0x39);
}

/** A timestamp column member() takes values of (no precision to check). */
function isTimestamp(column: ColumnSchema | undefined): column is ColumnSchema {
  return column?.data_type === 'timestamp' && column.precision === undefined;
}

/** A text column whose values member() takes as they are (no size to check). */
function isText(column: ColumnSchema | undefined): column is ColumnSchema {
  return column?.data_type === 'text' && column.precision === undefined;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');
