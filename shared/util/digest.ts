import { createHash, randomFillSync } from 'node:crypto';
import { writeAscii } from './ascii.js';
import { createKeccak, type KeccakInstance } from './keccak-wasm.js';

// the module's memory: the state at 0, its round constants at 200, the two one-block messages of
// a pair at 512 and 680, the input of one message (of any length that fits) from 1024 on
const SHAKE128_RATE = 168;
const PAIR_FIRST = 512;
const PAIR_SECOND = PAIR_FIRST + SHAKE128_RATE;
const INPUT_AT = 1024;
const UNDERSCORE = 0x5f;
const DIGIT_ZERO = 0x30;
const encoder = new TextEncoder();

// compiled on the first hash, not at import: the load function imports this and never hashes
let wasm:
  | (Pick<KeccakInstance, 'absorb' | 'absorbPair'> & { memory: Uint8Array; input: Uint8Array })
  | undefined;

function keccak(): NonNullable<typeof wasm> {
  if (wasm === undefined) {
    const { absorb, absorbPair, memory } = createKeccak();
    const bytes = new Uint8Array(memory.buffer);
    wasm = {
      absorb,
      absorbPair,
      memory: bytes,
      input: bytes.subarray(INPUT_AT),
    };
  }
  return wasm;
}

/** base64 of shake_128(text) truncated to `bytes`, without '=' padding (dlt's digest128). */
export function digest128(text: string | Buffer, bytes = 10): string {
  // short inputs (every row key) go through the WebAssembly permutation, the rest through OpenSSL
  const { memory, input } = keccak();
  const room = memory.length - INPUT_AT - SHAKE128_RATE;
  if (bytes > SHAKE128_RATE || text.length * 3 > room)
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
  const { memory } = keccak();
  const length = writeJoined(parent, name, index, INPUT_AT, memory.length - INPUT_AT - SHAKE128_RATE);
  if (length < 0) return digest128(`${parent}_${name}_${index}`);
  return squeeze(length, 10);
}

/**
 * digest128Joined of two texts into keys[at] and keys[at + 1], hashed side by side in the two
 * lanes of one permutation (about 1.4 times as fast as two calls). Texts that do not fit one
 * block (or are not ASCII) are hashed one by one.
 */
export function digest128JoinedPair(
  parent: string,
  name: string,
  index: number,
  secondParent: string,
  secondName: string,
  secondIndex: number,
  keys: string[],
  at: number,
): void {
  const { memory, absorbPair } = keccak();
  const [first, second] = PAIR_AREAS;
  const firstLength = writePairJoined(first, parent, name, index);
  const secondLength = firstLength < 0 ? -1 : writePairJoined(second, secondParent, secondName, secondIndex);
  if (secondLength < 0) {
    // what was written lies past the areas' last padding, which must then be zeroed in full
    first.length = second.length = SHAKE128_RATE - 1;
    keys[at] = digest128Joined(parent, name, index);
    keys[at + 1] = digest128Joined(secondParent, secondName, secondIndex);
    return;
  }
  padBlock(first, firstLength);
  padBlock(second, secondLength);
  absorbPair(first.at, second.at);
  keys[at] = base64Of10(memory, 0);
  keys[at + 1] = base64Of10(memory, 16);
}

/** Where the two one-block messages of a pair are written, and what each area last held. */
interface PairArea {
  at: number;
  /** The length of its last message: bytes past it are zero but for the padding. */
  length: number;
  /** The table name it holds after a parent key of `parentLength` characters, if known. */
  name: string | undefined;
  parentLength: number;
}

const PAIR_AREAS: [PairArea, PairArea] = [
  { at: PAIR_FIRST, length: 0, name: undefined, parentLength: -1 },
  { at: PAIR_SECOND, length: 0, name: undefined, parentLength: -1 },
];

/**
 * writeJoined into a pair area (one block), but the name and the underscores around it are left
 * as the area's last message wrote them when it had the same name after a parent key of the same
 * length: the rows of one list, mostly. Padding never reaches them: a message with that name and
 * parent length ends after them.
 */
function writePairJoined(area: PairArea, parent: string, name: string, index: number): number {
  const room = SHAKE128_RATE - 1;
  if (area.name !== name || area.parentLength !== parent.length) {
    area.name = undefined;
    const length = writeJoined(parent, name, index, area.at, room);
    if (length >= 0) {
      area.name = name;
      area.parentLength = parent.length;
    }
    return length;
  }
  const { memory } = keccak();
  const indexAt = area.at + parent.length + name.length + 2;
  const length = indexAt - area.at + indexDigits(index);
  // a parent key of the cached length that is not ASCII stops before the name
  if (length > room || writeAscii(parent, memory, area.at) < 0) return -1;
  writeIndex(index, indexAt);
  return length;
}

/**
 * SHAKE's padding of a one-block message in a pair area (see pad), zeroing only what the area's
 * last message left past this one's end instead of filling the whole block.
 */
function padBlock(area: PairArea, length: number): void {
  const { memory } = keccak();
  const { at } = area;
  const last = SHAKE128_RATE - 1;
  for (let i = length + 1; i <= Math.min(area.length, last - 1); i++) memory[at + i] = 0;
  area.length = length;
  if (length < last) memory[at + length] = 0x1f;
  memory[at + last] = length < last ? 0x80 : 0x9f;
}

/**
 * Writes `${parent}_${name}_${index}` as ASCII at `at`; its length, or -1 when a character is not
 * ASCII or the text is longer than `room`.
 */
function writeJoined(parent: string, name: string, index: number, at: number, room: number): number {
  const { memory } = keccak();
  const length = parent.length + name.length + indexDigits(index) + 2;
  if (length > room) return -1;
  let end = writeAscii(parent, memory, at);
  if (end < 0) return -1;
  memory[end] = UNDERSCORE;
  end = writeAscii(name, memory, end + 1);
  if (end < 0) return -1;
  memory[end] = UNDERSCORE;
  writeIndex(index, end + 1);
  return length;
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
  const { absorb, memory } = keccak();
  const blocks = Math.floor(length / SHAKE128_RATE) + 1;
  pad(INPUT_AT, length, blocks);
  absorb(INPUT_AT, blocks);
  return bytes === 10 ? base64Of10(memory, 0) : base64Unpadded(memory, 0, bytes);
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

/**
 * base64Unpadded of the 10 bytes of a row key, written out: one call with its 14 codes costs half
 * of the general loop's apply over an array.
 */
function base64Of10(bytes: Uint8Array, s: number): string {
  const c = BASE64_CODES;
  // one constant a byte: an array of them would be allocated for each key
  const b0 = bytes[s]!;
  const b1 = bytes[s + 1]!;
  const b2 = bytes[s + 2]!;
  const b3 = bytes[s + 3]!;
  const b4 = bytes[s + 4]!;
  const b5 = bytes[s + 5]!;
  const b6 = bytes[s + 6]!;
  const b7 = bytes[s + 7]!;
  const b8 = bytes[s + 8]!;
  const b9 = bytes[s + 9]!;
  return String.fromCharCode(
    c[b0 >> 2]!,
    c[((b0 & 3) << 4) | (b1 >> 4)]!,
    c[((b1 & 15) << 2) | (b2 >> 6)]!,
    c[b2 & 63]!,
    c[b3 >> 2]!,
    c[((b3 & 3) << 4) | (b4 >> 4)]!,
    c[((b4 & 15) << 2) | (b5 >> 6)]!,
    c[b5 & 63]!,
    c[b6 >> 2]!,
    c[((b6 & 3) << 4) | (b7 >> 4)]!,
    c[((b7 & 15) << 2) | (b8 >> 6)]!,
    c[b8 & 63]!,
    c[b9 >> 2]!,
    c[(b9 & 3) << 4]!,
  );
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

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  const start = randomAt(bytes);
  return pool.toString('hex', start, start + bytes);
}
