/**
 * A decimal text ("-12.345", "1e3") as an integer scaled by `scale`, extra fraction digits rounded
 * half up; undefined when the text is not a decimal number.
 */
export function scaleDecimalText(text: string, scale: number): bigint | undefined {
  const match = /^([-+]?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '') || '0';
  const shift = scale - fraction.length + Number(exponent);
  let value: bigint;
  if (shift >= 0) value = BigInt(digits) * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    const big = BigInt(digits);
    value = big / divisor + ((big % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return sign === '-' ? -value : value;
}

/** Whether a scaled decimal has at most `precision` digits. */
export function withinPrecision(unscaled: bigint, precision: number): boolean {
  const limit = 10n ** BigInt(precision);
  return unscaled < limit && unscaled > -limit;
}

/** Whether a decimal text, rounded to `scale`, has at most `precision` digits. */
export function fitsDecimal(text: string, precision: number, scale: number): boolean {
  const unscaled = scaleDecimalText(text, scale);
  return unscaled !== undefined && withinPrecision(unscaled, precision);
}
