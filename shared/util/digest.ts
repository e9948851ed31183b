import { createHash, randomFillSync } from 'node:crypto';
import { createKeccak, type KeccakInstance } from './keccak-wasm.js';

const INPUT_AT = 512;
const SHAKE128_RATE = 168;
const encoder = new TextEncoder();

// compiled on the first hash, not at import: the load function imports this and never hashes
let wasm: { absorb: KeccakInstance['absorb']; memory: Uint8Array; input: Uint8Array } | undefined;

function keccak(): NonNullable<typeof wasm> {
  if (wasm === undefined) {
    const { absorb, memory } = createKeccak();
    const bytes = new Uint8Array(memory.buffer);
    wasm = {
      absorb,
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
  const { memory, input } = keccak();
  const fits = parent.length + name.length + 20 <= memory.length - INPUT_AT - SHAKE128_RATE;
  let at = fits ? writeAscii(parent, input, 0) : -1;
  if (at >= 0) {
    input[at] = UNDERSCORE;
    at = writeAscii(name, input, at + 1);
  }
  if (at < 0) return digest128(`${parent}_${name}_${index}`);
  input[at] = UNDERSCORE;
  return squeeze(writeAscii(String(index), input, at + 1), 10);
}

const UNDERSCORE = 0x5f;

/** Writes ASCII text at `at` and returns where it ends; -1 when a character is not ASCII. */
function writeAscii(text: string, into: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    into[at + i] = code;
  }
  return at + text.length;
}

/** Pads the `length` bytes of input, permutes, and encodes the first `bytes` of the state. */
function squeeze(length: number, bytes: number): string {
  const { absorb, memory } = keccak();
  // SHAKE's padding: the domain bits 1111 then pad10*1, to a whole number of blocks
  const blocks = Math.floor(length / SHAKE128_RATE) + 1;
  const end = INPUT_AT + blocks * SHAKE128_RATE;
  memory.fill(0, INPUT_AT + length, end);
  memory[INPUT_AT + length] = 0x1f;
  memory[end - 1]! |= 0x80;
  absorb(INPUT_AT, blocks);
  return base64Unpadded(memory, 0, bytes);
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
  return base64Unpadded(pool, randomAt(bytes), bytes);
}

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  const start = randomAt(bytes);
  return pool.toString('hex', start, start + bytes);
}
