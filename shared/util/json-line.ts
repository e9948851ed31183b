/**
 * One item as a JSON line. Big integers stay exact (JSON.stringify refuses bigint), bytes become
 * base64 text.
 */
export function toJsonLine(item: unknown): string {
  let hasBigint = false;
  const text = JSON.stringify(item, (_key, value: unknown) => {
    if (typeof value === 'bigint') {
      hasBigint = true;
      return `\u0000${value}`;
    }
    if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
    return value;
  });
  return hasBigint ? text.replace(/"\\u0000(-?\d+)"/g, '$1') : text;
}
