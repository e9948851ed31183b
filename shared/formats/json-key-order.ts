import { keepKeyOrder } from '../util/key-order.js';

/** The keys of one JSON object in the text's order, and what each of them holds. */
interface ObjectKeys {
  keys: string[];
  /** the last value of each key (the one a parser keeps), when it is an object or array */
  members: Map<string, Shape | undefined>;
}
type Shape = ObjectKeys | (Shape | undefined)[];

/**
 * Gives each object of `value`, parsed from the valid JSON `text`, the key order of the text where
 * JavaScript's differs (see KEY_ORDER). The text is walked again alongside the parsed value; only
 * documents holding an integer-like key come here.
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
  keepKeyOrder(value, shape.keys);
  for (const [key, inner] of shape.members)
    if (inner !== undefined && Object.hasOwn(value, key))
      apply((value as Record<string, unknown>)[key], inner);
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
    if (code === QUOTE) this.string();
    else this.scalar();
    return undefined;
  }

  private object(): ObjectKeys {
    const shape: ObjectKeys = { keys: [], members: new Map() };
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACE) {
      this.at++;
      return shape;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.at++; // the colon
      const inner = this.value();
      // as a parser does: a key seen twice keeps its first place and takes its last value
      if (!shape.members.has(key)) shape.keys.push(key);
      shape.members.set(key, inner);
      this.skipSpace();
      if (this.text.charCodeAt(this.at++) !== COMMA) return shape;
    }
  }

  private array(): (Shape | undefined)[] {
    const items: (Shape | undefined)[] = [];
    this.at++;
    this.skipSpace();
    if (this.text.charCodeAt(this.at) === CLOSE_BRACKET) {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      this.skipSpace();
      if (this.text.charCodeAt(this.at++) !== COMMA) return items;
    }
  }

  /** A string literal's value; the scanner stands after it. */
  private string(): string {
    const start = this.at;
    let escaped = false;
    let at = start + 1;
    for (;;) {
      const code = this.text.charCodeAt(at);
      if (code === QUOTE) break;
      if (code === BACKSLASH) {
        escaped = true;
        at++;
      }
      at++;
    }
    this.at = at + 1;
    return escaped ? (JSON.parse(this.text.slice(start, this.at)) as string) : this.text.slice(start + 1, at);
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
