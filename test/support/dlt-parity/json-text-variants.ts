/**
 * The same JSON written otherwise, as files from other writers come: whitespace between tokens,
 * characters of strings and keys as `\uXXXX` escapes (surrogates left alone, so no pair is split),
 * `\/`, and numbers in other notations of the same value (`1e0`, `1E+00`, `1.0`, `10e-1`,
 * `1.500`). Seeded, so a failing case can be written again.
 */
export function jsonTextVariant(line: string, seed: number): string {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const space = () => (random() < 0.15 ? SPACES[Math.floor(random() * SPACES.length)]! : '');
  let out = space();
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '"') {
      const end = stringEnd(line, i);
      out += `"${escapeSome(line.slice(i + 1, end), random)}"`;
      i = end;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let end = i + 1;
      while (end < line.length && NUMBER_CHAR.test(line[end]!)) end++;
      out += numberVariant(line.slice(i, end), random());
      i = end - 1;
    } else if (c === '{' || c === '[') out += c + space();
    else if (c === '}' || c === ']' || c === ':' || c === ',') out += space() + c + space();
    else out += c;
  }
  return out + space();
}

const SPACES = [' ', '  ', '\t', ' \t '];
const NUMBER_CHAR = /[0-9.eE+-]/;

/** Where the string opened at `start` closes. */
function stringEnd(line: string, start: number): number {
  for (let i = start + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i;
  }
  throw new Error(`unterminated string in ${line}`);
}

/** A string's inner text with some characters escaped; escapes already there stay whole. */
function escapeSome(text: string, random: () => number): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') {
      const length = text[i + 1] === 'u' ? 6 : 2;
      out += text.slice(i, i + length);
      i += length - 1;
      continue;
    }
    const code = text.charCodeAt(i);
    const r = random();
    if (r < 0.03 && (code < 0xd800 || code > 0xdfff)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (r < 0.04 && text[i] === '/') out += '\\/';
    else out += text[i];
  }
  return out;
}

/** The number literal `token` in another notation of the same value, now and then. */
function numberVariant(token: string, r: number): string {
  const integer = /^-?\d+$/.test(token);
  const exponent = /[eE]/.test(token);
  if (r < 0.05 && !exponent) return `${token}e0`;
  if (r < 0.08 && !exponent) return `${token}E+00`;
  if (r < 0.11 && integer) return `${token}.0`;
  if (r < 0.13 && !integer && !exponent) return `${token}00`;
  // (a leading zero may not take another digit)
  if (r < 0.15 && integer && token.length < 16 && !/^-?0/.test(token)) return `${token}0e-1`;
  return token;
}
