import { isArrayIndex, keepKeyOrder } from '../util/key-order.js';

/**
 * What of one JSON object the parsed value needs: its keys in the text's order, when one is
 * integer-like (else undefined), and the shapes of the members that hold such objects.
 */
interface ObjectShape {
  keys: string[] | undefined;
  /** by key, the shape of the key's last value (the one a parser keeps) */
  members: Map<string, Shape> | undefined;
}
/** An object's shape, or an array's: the shape of each item (undefined where there is none). */
type Shape = ObjectShape | (Shape | undefined)[];

/**
 * Gives each object of `value`, parsed from the valid JSON `text`, the key order of the text where
 * JavaScript's differs (see KEY_ORDER). The text is walked again alongside the parsed value; only
 * documents holding an integer-like key come here, and only the objects on the way to one are
 * described.
 */
export function restoreKeyOrder(text: string, value: unknown): void {
  const scanner = new ShapeScanner(text);
  apply(value, scanner.value());
}

function apply(value: unknown, shape: Shape | undefined): void {
  if (shape === undefined || value === null || typeof value !== 'object') return;
  if (Array.isArray(shape)) {
    if (Array.isArray(value)) for (let i = 0; i < shape.length; i++) apply(value[i], shape[i]);
    return;
  }
  if (Array.isArray(value)) return;
  if (shape.keys !== undefined) keepKeyOrder(value, shape.keys);
  if (shape.members !== undefined)
    for (const [key, inner] of shape.members)
      if (Object.hasOwn(value, key)) apply((value as Record<string, unknown>)[key], inner);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** Reads the nesting and the keys of JSON text already known to be valid; scalars are skipped. */
class ShapeScanner {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): Shape | undefined {
    this.skipSpace();
    const code = this.text.charCodeAt(this.at);
    if (code === OPEN_BRACE) return this.object();
    if (code === OPEN_BRACKET) return this.array();
    if (code === QUOTE) this.skipString();
    else this.scalar();
    return undefined;
  }

  private object(): ObjectShape | undefined {
    const keys: string[] = [];
    let integerLike = false;
    let members: Map<string, Shape> | undefined;
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACE) {
      this.at++;
      return undefined;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      keys.push(key);
      integerLike ||= isArrayIndex(key);
      this.skipSpace();
      this.at++; // the colon
      // a key seen twice takes its last value, as a parser does
      const inner = this.value();
      if (inner !== undefined) (members ??= new Map()).set(key, inner);
      else members?.delete(key);
      this.skipSpace();
      if (this.text.charCodeAt(this.at++) !== COMMA) break;
    }
    if (!integerLike && members === undefined) return undefined;
    // and its first place: a Set keeps the order keys were first added in
    return { keys: integerLike ? [...new Set(keys)] : undefined, members };
  }

  private array(): (Shape | undefined)[] | undefined {
    const items: (Shape | undefined)[] = [];
    let described = false;
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACKET) {
      this.at++;
      return undefined;
    }
    for (;;) {
      const item = this.value();
      items.push(item);
      described ||= item !== undefined;
      this.skipSpace();
      if (this.text.charCodeAt(this.at++) !== COMMA) return described ? items : undefined;
    }
  }

  /** A string literal's value; the scanner stands after it. */
  private string(): string {
    const start = this.at;
    const end = this.skipString();
    const raw = this.text.slice(start + 1, end - 1);
    return raw.includes('\\') ? (JSON.parse(this.text.slice(start, end)) as string) : raw;
  }

  /** Moves past a string literal (found by its quotes: searching beats reading each character). */
  private skipString(): number {
    const text = this.text;
    let quote = text.indexOf('"', this.at + 1);
    // a quote after an odd number of backslashes is part of the text
    for (;;) {
      let backslashes = 0;
      while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
      if (backslashes % 2 === 0) break;
      quote = text.indexOf('"', quote + 1);
    }
    this.at = quote + 1;
    return this.at;
  }

  /** A number, true, false or null: up to the next delimiter. */
  private scalar(): void {
    const text = this.text;
    let at = this.at;
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code === COMMA || code === CLOSE_BRACE || code === CLOSE_BRACKET || isSpace(code)) break;
      at++;
    }
    this.at = at;
  }

  private skipSpace(): void {
    while (isSpace(this.text.charCodeAt(this.at))) this.at++;
  }
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
