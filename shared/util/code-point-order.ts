/**
 * Compares strings by Unicode code points, as Python and orjson sort keys. JavaScript's own
 * comparison goes by UTF-16 units, which puts characters past U+FFFF (emoji) before U+E000-U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
