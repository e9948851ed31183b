import { createHash, randomFillSync } from 'node:crypto';
import { createKeccak, type KeccakInstance } from './keccak-wasm.js';

const INPUT_AT = 512;
const SHAKE128_RATE = 168;
const encoder = new TextEncoder();

// compiled on the first hash, not at import: the load function imports this and never hashes
let wasm:
  | { absorb: KeccakInstance['absorb']; memory: Uint8Array; input: Uint8Array; state: Buffer }
  | undefined;

function keccak(): NonNullable<typeof wasm> {
  if (wasm === undefined) {
    const { absorb, memory } = createKeccak();
    const bytes = new Uint8Array(memory.buffer);
    wasm = {
      absorb,
      memory: bytes,
      input: bytes.subarray(INPUT_AT),
      state: Buffer.from(memory.buffer, 0, SHAKE128_RATE),
    };
  }
  return wasm;
}

/** base64 of shake_128(text) truncated to `bytes`, without '=' padding (dlt's digest128). */
export function digest128(text: string | Buffer, bytes = 10): string {
  // short inputs (every row key) go through the WebAssembly permutation, the rest through OpenSSL
  const { absorb, memory, input, state } = keccak();
  const room = memory.length - INPUT_AT - SHAKE128_RATE;
  if (bytes > SHAKE128_RATE || text.length * 3 > room)
    return createHash('shake128', { outputLength: bytes }).update(text).digest('base64').replace(/=+$/, '');
  let length: number;
  if (typeof text === 'string') length = encoder.encodeInto(text, input).written;
  else {
    input.set(text);
    length = text.length;
  }
  // SHAKE's padding: the domain bits 1111 then pad10*1, to a whole number of blocks
  const blocks = Math.floor(length / SHAKE128_RATE) + 1;
  const end = INPUT_AT + blocks * SHAKE128_RATE;
  memory.fill(0, INPUT_AT + length, end);
  memory[INPUT_AT + length] = 0x1f;
  memory[end - 1]! |= 0x80;
  absorb(INPUT_AT, blocks);
  const encoded = state.toString('base64', 0, bytes);
  return encoded.endsWith('=') ? encoded.slice(0, Math.ceil((bytes * 4) / 3)) : encoded;
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
  const start = randomAt(bytes);
  // encoded straight from the pool, the padding cut by length: a third of the time of a regex
  return pool.toString('base64', start, start + bytes).slice(0, Math.ceil((bytes * 4) / 3));
}

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  const start = randomAt(bytes);
  return pool.toString('hex', start, start + bytes);
}
