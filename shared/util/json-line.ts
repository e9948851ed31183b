/**
 * One item as a JSON line. Big integers stay exact (JSON.stringify refuses bigint), bytes become
 * base64 text.
 */
export function toJsonLine(item: unknown): string {
  let hasBigint = false;
  // `this[key]` is the value before toJSON: a Buffer would otherwise arrive as {type, data}
  const text = JSON.stringify(item, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    if (typeof value === 'bigint') {
      hasBigint = true;
      return `\u0000${value}`;
    }
    if (original instanceof Uint8Array) return Buffer.from(original).toString('base64');
    return value;
  });
  return hasBigint ? text.replace(/"\\u0000(-?\d+)"/g, '$1') : text;
}
