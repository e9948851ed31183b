import { scaleDecimalText, withinPrecision } from '../util/decimal-text.js';

/** Raised when a decimal value does not fit the column's precision. */
export class DecimalOverflowError extends Error {
  override name = 'DecimalOverflowError';
}

/**
 * A decimal text ("-12.345", "1e3") as the four little-endian 32-bit words of a two's
 * complement 128-bit integer scaled by `scale`. Extra fraction digits are rounded half up.
 */
export function decimalToWords(text: string, scale: number, precision: number, column: string): Uint32Array {
  const unscaled = scaleDecimalText(text, scale);
  if (unscaled === undefined) throw new DecimalOverflowError(`${text} is not a decimal number`);
  if (!withinPrecision(unscaled, precision)) {
    throw new DecimalOverflowError(
      `value ${text} of column ${column} does not fit decimal(${precision},${scale})`,
    );
  }
  let v = BigInt.asUintN(128, unscaled);
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    words[i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
  return words;
}

/** The decimal text of a scaled 128-bit integer, for read-back and JSON output. */
export function scaledToText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}
