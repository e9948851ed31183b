/**
 * Splits a JSON text into the texts of its items without building them: the elements of a
 * top-level array, and any other top-level document whole, documents one after another (JSON
 * Lines saved as .json, Firehose's concatenated records). Each text is one line: JSON has no line
 * break inside a string, so those between tokens become spaces. The structure between items (the
 * array's brackets and commas) is checked here; each item's own syntax is left to its parser.
 */
export class JsonItemSplitter {
  private inArray = false;
  private expect: 'item' | 'item or end' | 'comma or end' = 'item or end';
  /** What the item being read is, if one is open. */
  private item: 'none' | 'container' | 'string' | 'scalar' = 'none';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The open item's text from earlier chunks. */
  private parts: string[] = [];
  private partsLength = 0;
  private started = false;

  constructor(private readonly maxItemChars = MAX_ITEM_CHARS) {}

  /** The items that end in this chunk of text (chunks end on whole characters). */
  push(text: string): string[] {
    const items: string[] = [];
    let at = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) at = 1;
    }
    let itemStart = this.item === 'none' ? -1 : at;
    while (at < text.length) {
      if (this.item !== 'none') {
        const end = this.scanItem(text, at);
        if (end === -1) {
          this.hold(text.slice(itemStart));
          return items;
        }
        items.push(this.finishItem(text.slice(itemStart, end)));
        at = end;
        continue;
      }
      const c = text.charCodeAt(at);
      if (c === SPACE || c === TAB || c === LF || c === CR) {
        at++;
        continue;
      }
      if (this.inArray) {
        if (c === CLOSE_BRACKET && this.expect !== 'item') {
          this.inArray = false;
          at++;
          continue;
        }
        if (this.expect === 'comma or end') {
          if (c !== COMMA) throw new SyntaxError(`expected , or ] after an array element, found ${text[at]}`);
          this.expect = 'item';
          at++;
          continue;
        }
        this.expect = 'comma or end';
      } else if (c === OPEN_BRACKET) {
        this.inArray = true;
        this.expect = 'item or end';
        at++;
        continue;
      }
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === COLON)
        throw new SyntaxError(`unexpected ${text[at]} where a value should start`);
      itemStart = at;
      this.openItem(c);
      at++;
    }
    if (this.item !== 'none') this.hold(text.slice(itemStart));
    return items;
  }

  /** The item still open at the end of the text, if it can end there (a number, say). */
  end(): string[] {
    if (this.inArray || this.item === 'container' || this.item === 'string')
      throw new SyntaxError('unexpected end of the JSON text');
    return this.item === 'scalar' ? [this.finishItem('')] : [];
  }

  private openItem(c: number): void {
    this.item = c === OPEN_BRACE || c === OPEN_BRACKET ? 'container' : c === QUOTE ? 'string' : 'scalar';
    this.depth = 1;
    this.inString = c === QUOTE;
    this.escaped = false;
  }

  /** Where the open item ends in `text` from `at` on (the index after it), or -1 past the text. */
  private scanItem(text: string, at: number): number {
    if (this.item === 'scalar') {
      for (let i = at; i < text.length; i++) if (ENDS_SCALAR[text.charCodeAt(i)] === 1) return i;
      return -1;
    }
    let { depth, inString, escaped } = this;
    for (let i = at; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) {
          inString = false;
          if (this.item === 'string') return i + 1;
        }
      } else if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return -1;
  }

  /** Keeps part of an open item, which must stay within the longest string V8 makes. */
  private hold(part: string): void {
    this.parts.push(part);
    this.partsLength += part.length;
    if (this.partsLength > this.maxItemChars)
      throw new ItemTooLargeError(
        `an item of over ${(this.maxItemChars / 2 ** 20).toFixed(0)}M characters is too large to read whole; if the records are in an array under a key, name it with a JSON path (--json-path data.items, drop.jsonPath)`,
      );
  }

  private finishItem(tail: string): string {
    const text = this.parts.length === 0 ? tail : this.parts.join('') + tail;
    this.parts = [];
    this.partsLength = 0;
    this.item = 'none';
    return text.includes('\n') || text.includes('\r') ? text.replace(LINE_BREAKS, ' ') : text;
  }
}

/** An item (a whole document, when the records are not in a top-level array) longer than this fails. */
export const MAX_ITEM_CHARS = 512 * 2 ** 20;

export class ItemTooLargeError extends Error {
  override name = 'ItemTooLargeError';
}

const LINE_BREAKS = /[\r\n]/g;
const [SPACE, TAB, LF, CR, COMMA, COLON, QUOTE, BACKSLASH] = [32, 9, 10, 13, 44, 58, 34, 92];
const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET] = [123, 125, 91, 93];

/** Characters that end a bare number, true, false or null. */
const ENDS_SCALAR = new Uint8Array(128);
for (const c of [
  SPACE,
  TAB,
  LF,
  CR,
  COMMA,
  COLON,
  QUOTE,
  OPEN_BRACE,
  CLOSE_BRACE,
  OPEN_BRACKET,
  CLOSE_BRACKET,
])
  ENDS_SCALAR[c] = 1;

/** The item texts of a stream of JSON text (see JsonItemSplitter). */
export async function* jsonItemTexts(chunks: AsyncIterable<Buffer | string>): AsyncIterable<string> {
  const splitter = new JsonItemSplitter();
  for await (const chunk of chunks)
    yield* splitter.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
  yield* splitter.end();
}
