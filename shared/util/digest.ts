import { createHash } from 'node:crypto';

/** base64 of shake_128(text) truncated to `bytes`, without '=' padding (dlt's digest128). */
export function digest128(text: string | Buffer, bytes = 10): string {
  return createHash('shake128', { outputLength: bytes }).update(text).digest('base64').replace(/=+$/, '');
}

/** base64 of `bytes` random bytes without padding (dlt's uniq_id_base64). */
export function uniqIdBase64(bytes = 10): string {
  return randomBytesBase64(bytes);
}

import { randomBytes } from 'node:crypto';

function randomBytesBase64(bytes: number): string {
  return randomBytes(bytes).toString('base64').replace(/=+$/, '');
}

/** `bytes` random bytes as lower-case hex (dlt's uniq_id). */
export function uniqIdHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
