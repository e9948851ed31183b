import { createHash, randomFillSync } from 'node:crypto';

/** base64 of shake_128(text) truncated to `bytes`, without '=' padding (dlt's digest128). */
export function digest128(text: string | Buffer, bytes = 10): string {
  return createHash('shake128', { outputLength: bytes }).update(text).digest('base64').replace(/=+$/, '');
}

// Random ids are cut from a pool refilled in bulk: one randomFillSync per row is the single
// most expensive call in normalize otherwise.
const pool = Buffer.allocUnsafe(64 * 1024);
let offset = pool.length;

function randomSlice(bytes: number): Buffer {
  if (offset + bytes > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return slice;
}

/** base64 of `bytes` random bytes without padding (dlt's uniq_id_base64). */
export function uniqIdBase64(bytes = 10): string {
  return randomSlice(bytes).toString('base64').replace(/=+$/, '');
}

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  return randomSlice(bytes).toString('hex');
}
