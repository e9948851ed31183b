import { createHash, randomFillSync } from 'node:crypto';
import { latin1Slice, writeAscii } from './ascii.js';
import { LastView } from './byte-view.js';
import {
  createKeccak,
  KEY_LENGTH,
  type KeccakInstance,
  LAYOUT,
  MAX_KEYED_ROWS,
  ROW_ENTRY_BYTES,
  RATE as SHAKE128_RATE,
} from './keccak-wasm.js';

const INPUT_AT = LAYOUT.input;
/** The longest input the module hashes: longer ones go to OpenSSL. */
const INPUT_ROOM = LAYOUT.inputEnd - INPUT_AT - SHAKE128_RATE;
const UNDERSCORE = 0x5f;
const DIGIT_ZERO = 0x30;
const encoder = new TextEncoder();

// compiled on the first hash, not at import: the load function imports this and never hashes
let wasm:
  | (Pick<KeccakInstance, 'absorb' | 'nestedKeys'> & {
      memory: Uint8Array;
      view: DataView;
      input: Uint8Array;
      table: NestedKeyTable;
    })
  | undefined;

function keccak(): NonNullable<typeof wasm> {
  if (wasm === undefined) {
    const { absorb, nestedKeys, memory } = createKeccak();
    const bytes = new Uint8Array(memory.buffer);
    wasm = {
      absorb,
      nestedKeys,
      memory: bytes,
      view: new DataView(memory.buffer),
      input: bytes.subarray(INPUT_AT, LAYOUT.inputEnd),
      table: new NestedKeyTable(
        Buffer.from(memory.buffer, LAYOUT.keys, MAX_KEYED_ROWS * ROW_KEY_LENGTH),
        new Int32Array(memory.buffer, LAYOUT.rows, (ROW_ENTRY_BYTES / 4) * MAX_KEYED_ROWS),
      ),
    };
  }
  return wasm;
}

/** base64 of shake_128(text) truncated to `bytes`, without '=' padding (dlt's digest128). */
export function digest128(text: string | Buffer, bytes = 10): string {
  // short inputs (every row key) go through the WebAssembly permutation, the rest through OpenSSL
  const { input } = keccak();
  if (bytes > SHAKE128_RATE || text.length * 3 > INPUT_ROOM)
    return createHash('shake128', { outputLength: bytes }).update(text).digest('base64').replace(/=+$/, '');
  let length: number;
  if (typeof text === 'string') {
    length = writeAscii(text, input, 0);
    if (length < 0) length = encoder.encodeInto(text, input).written;
  } else {
    input.set(text);
    length = text.length;
  }
  return squeeze(length, bytes);
}

/**
 * digest128 of `${parent}_${name}_${index}` (dlt's text for a nested row's key), written into the
 * hash's input part by part: building the text first costs about as much as the rest of the hash
 * around the permutation.
 */
export function digest128Joined(parent: string, name: string, index: number): string {
  const length = writeJoined(parent, name, index, INPUT_AT, INPUT_ROOM);
  if (length < 0) return digest128(`${parent}_${name}_${index}`);
  return squeeze(length, 10);
}

/** The length of a row key: base64 of 10 bytes without padding. */
export const ROW_KEY_LENGTH = KEY_LENGTH;

/**
 * digest128Joined for a parent key kept as bytes (ROW_KEY_LENGTH ASCII bytes at `parentAt` in
 * `keys`), the key written as bytes at `at`: keys that go into columns as bytes are never strings.
 */
export function digest128JoinedInto(
  keys: Buffer,
  parentAt: number,
  name: string,
  index: number,
  at: number,
): void {
  const length = writeKeyJoined(keys, parentAt, name, index, INPUT_AT, INPUT_ROOM);
  if (length < 0) {
    const parent = latin1Slice(keys, parentAt, parentAt + ROW_KEY_LENGTH);
    writeAscii(digest128(`${parent}_${name}_${index}`), keys, at);
    return;
  }
  squeezeInto(length, keys, at);
}

/**
 * The rows' table nestedKeys reads (see LAYOUT), in the module's memory: each nested row's
 * parent, table name and list position, and each row's key at r * ROW_KEY_LENGTH in `keys`.
 */
export class NestedKeyTable {
  /** Rows one call of hashNestedKeys takes at most. */
  readonly capacity = MAX_KEYED_ROWS;

  constructor(
    readonly keys: Buffer,
    private readonly rows: Int32Array,
  ) {}

  /** Row r's parent row, table name (a nestedKeyName reference) and list position. */
  setRow(r: number, parent: number, name: number, index: number): void {
    const at = (ROW_ENTRY_BYTES / 4) * r;
    this.rows[at] = parent;
    this.rows[at + 1] = name;
    this.rows[at + 2] = index;
  }
}

export function nestedKeyTable(): NestedKeyTable {
  return keccak().table;
}

/** `_${name}_` in the module's memory, by name: where << 8 | length. */
const nameReferences = new Map<string, number>();
let namesEnd: number = LAYOUT.names;
/** The longest `_${name}_` whose message fits one block: a 14-byte key, it, 10 digits and padding. */
const MAX_NAME_BYTES = SHAKE128_RATE - 1 - ROW_KEY_LENGTH - 10;

/**
 * A nested table name's reference for the rows' table, or -1 where hashNestedKeys cannot take it:
 * not ASCII, too long for a one-block message, or no room left for more names.
 */
export function nestedKeyName(name: string): number {
  const known = nameReferences.get(name);
  if (known !== undefined) return known;
  const { memory } = keccak();
  const length = name.length + 2;
  let reference = -1;
  if (length <= MAX_NAME_BYTES && namesEnd + length <= LAYOUT.namesEnd) {
    memory[namesEnd] = UNDERSCORE;
    if (writeAscii(name, memory, namesEnd + 1) >= 0) {
      memory[namesEnd + length - 1] = UNDERSCORE;
      reference = (namesEnd << 8) | length;
      namesEnd += length;
    }
  }
  nameReferences.set(name, reference);
  return reference;
}

/**
 * Makes the keys of rows 1 to count - 1 of the table (at most its capacity), in the module: the
 * root's key (row 0) is the caller's to write first, and a row's parent comes before it. Each
 * key is nestedRowKey's, two at a time where one is not the other's parent.
 */
export function hashNestedKeys(count: number): void {
  keccak().nestedKeys(count);
}

/**
 * Writes `${parent}_${name}_${index}` as ASCII at `at`, the parent's key copied from `keys`; its
 * length, or -1 when the name is not ASCII or the text is longer than `room`.
 */
function writeKeyJoined(
  keys: Uint8Array,
  parentAt: number,
  name: string,
  index: number,
  at: number,
  room: number,
): number {
  const length = ROW_KEY_LENGTH + name.length + indexDigits(index) + 2;
  if (length > room) return -1;
  copyKey(keys, parentAt, at);
  return writeNameAndIndex(name, index, at + ROW_KEY_LENGTH) ? length : -1;
}

/** A view of the keys read and written: one scanner's key list, mostly. */
const keyViews = new LastView();

/** Copies a row key into the module's memory, four bytes at a time. */
function copyKey(keys: Uint8Array, start: number, at: number): void {
  const keysView = keyViews.of(keys);
  const { view } = keccak();
  view.setUint32(at, keysView.getUint32(start));
  view.setUint32(at + 4, keysView.getUint32(start + 4));
  view.setUint32(at + 8, keysView.getUint32(start + 8));
  view.setUint16(at + 12, keysView.getUint16(start + 12));
}

/**
 * Writes `${parent}_${name}_${index}` as ASCII at `at`; its length, or -1 when a character is not
 * ASCII or the text is longer than `room`.
 */
function writeJoined(parent: string, name: string, index: number, at: number, room: number): number {
  const { memory } = keccak();
  const length = parent.length + name.length + indexDigits(index) + 2;
  if (length > room) return -1;
  const end = writeAscii(parent, memory, at);
  return end >= 0 && writeNameAndIndex(name, index, end) ? length : -1;
}

/** Writes `_${name}_${index}` as ASCII at `at`; false when the name is not ASCII. */
function writeNameAndIndex(name: string, index: number, at: number): boolean {
  const { memory } = keccak();
  memory[at] = UNDERSCORE;
  const end = writeAscii(name, memory, at + 1);
  if (end < 0) return false;
  memory[end] = UNDERSCORE;
  writeIndex(index, end + 1);
  return true;
}

/** The decimal digits of a list index. */
function indexDigits(index: number): number {
  return index < 10 ? 1 : String(index).length;
}

/** Writes a list index's digits at `at`: one digit without a string (most lists are short). */
function writeIndex(index: number, at: number): void {
  const { memory } = keccak();
  if (index < 10) memory[at] = DIGIT_ZERO + index;
  else writeAscii(String(index), memory, at);
}

/** Pads the `length` bytes of input, permutes, and encodes the first `bytes` of the state. */
function squeeze(length: number, bytes: number): string {
  const { memory } = keccak();
  absorbInput(length);
  return bytes === 10 ? base64Of10(memory, 0) : base64Unpadded(memory, 0, bytes);
}

/** squeeze, the key (10 bytes in base64) written into `keys` at `at`. */
function squeezeInto(length: number, keys: Uint8Array, at: number): void {
  absorbInput(length);
  base64Of10Into(keccak().memory, 0, keys, at);
}

/** Pads the `length` bytes of input and absorbs them into a fresh state. */
function absorbInput(length: number): void {
  const blocks = Math.floor(length / SHAKE128_RATE) + 1;
  pad(INPUT_AT, length, blocks);
  keccak().absorb(INPUT_AT, blocks);
}

/** SHAKE's padding of a message at `at`: the domain bits 1111 then pad10*1, to `blocks` blocks. */
function pad(at: number, length: number, blocks: number): void {
  const { memory } = keccak();
  const end = at + blocks * SHAKE128_RATE;
  memory.fill(0, at + length, end);
  memory[at + length] = 0x1f;
  memory[end - 1]! |= 0x80;
}

const BASE64_CODES = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) =>
  c.charCodeAt(0),
);
// one array of character codes per output length, reused: a fresh one costs a third of the encoding
const codeArrays: number[][] = [];

/**
 * Standard base64 of `count` bytes from `start`, without padding. Encoded here rather than by
 * Buffer#toString, whose call into C++ costs more than the encoding of a 14-character row key.
 */
function base64Unpadded(bytes: Uint8Array, start: number, count: number): string {
  const length = Math.ceil((count * 4) / 3);
  let codes = codeArrays[length];
  if (codes === undefined) codes = codeArrays[length] = new Array<number>(length);
  const end = start + count;
  let out = 0;
  for (let i = start; i < end; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < end ? bytes[i + 1]! : 0;
    const c = i + 2 < end ? bytes[i + 2]! : 0;
    codes[out++] = BASE64_CODES[a >> 2]!;
    codes[out++] = BASE64_CODES[((a & 3) << 4) | (b >> 4)]!;
    if (out < length) codes[out++] = BASE64_CODES[((b & 15) << 2) | (c >> 6)]!;
    if (out < length) codes[out++] = BASE64_CODES[c & 63]!;
  }
  return String.fromCharCode.apply(null, codes);
}

// the codes keyCodes makes, in one array for all keys: an array a key would be allocated each time
const KEY_CODES = new Uint8Array(ROW_KEY_LENGTH);

/** The 14 base64 codes of the 10 bytes of a row key from `s`, in KEY_CODES. */
function keyCodes(bytes: Uint8Array, s: number): Uint8Array {
  const c = BASE64_CODES;
  const codes = KEY_CODES;
  for (let i = 0; i < 3; i++) {
    const a = bytes[s + 3 * i]!;
    const b = bytes[s + 3 * i + 1]!;
    const d = bytes[s + 3 * i + 2]!;
    codes[4 * i] = c[a >> 2]!;
    codes[4 * i + 1] = c[((a & 3) << 4) | (b >> 4)]!;
    codes[4 * i + 2] = c[((b & 15) << 2) | (d >> 6)]!;
    codes[4 * i + 3] = c[d & 63]!;
  }
  const last = bytes[s + 9]!;
  codes[12] = c[last >> 2]!;
  codes[13] = c[(last & 3) << 4]!;
  return codes;
}

/**
 * base64Unpadded of the 10 bytes of a row key, written out: one call with its 14 codes costs half
 * of the general loop's apply over an array.
 */
function base64Of10(bytes: Uint8Array, s: number): string {
  const k = keyCodes(bytes, s);
  return String.fromCharCode(
    k[0]!,
    k[1]!,
    k[2]!,
    k[3]!,
    k[4]!,
    k[5]!,
    k[6]!,
    k[7]!,
    k[8]!,
    k[9]!,
    k[10]!,
    k[11]!,
    k[12]!,
    k[13]!,
  );
}

/** base64Of10, written as ASCII bytes into `into` at `at`, four at a time. */
function base64Of10Into(bytes: Uint8Array, s: number, into: Uint8Array, at: number): void {
  const writtenView = keyViews.of(into);
  const k = keyCodes(bytes, s);
  writtenView.setUint32(at, (k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!);
  writtenView.setUint32(at + 4, (k[4]! << 24) | (k[5]! << 16) | (k[6]! << 8) | k[7]!);
  writtenView.setUint32(at + 8, (k[8]! << 24) | (k[9]! << 16) | (k[10]! << 8) | k[11]!);
  writtenView.setUint16(at + 12, (k[12]! << 8) | k[13]!);
}

// Random ids are cut from a pool refilled in bulk: one randomFillSync per row is the single
// most expensive call in normalize otherwise.
const pool = Buffer.allocUnsafe(64 * 1024);
let offset = pool.length;

/** Where `bytes` fresh random bytes start in the pool. */
function randomAt(bytes: number): number {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += bytes;
  return offset - bytes;
}

/** base64 of `bytes` random bytes without padding (dlt's uniq_id_base64). */
export function uniqIdBase64(bytes = 10): string {
  // encoded straight from the pool
  const start = randomAt(bytes);
  return bytes === 10 ? base64Of10(pool, start) : base64Unpadded(pool, start, bytes);
}

/** uniqIdBase64 of 10 bytes (a random row key), written as ASCII bytes into `into` at `at`. */
export function uniqIdBase64Into(into: Uint8Array, at: number): void {
  base64Of10Into(pool, randomAt(10), into, at);
}

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  const start = randomAt(bytes);
  return pool.toString('hex', start, start + bytes);
}
