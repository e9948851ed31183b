import { constants } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a JSON text into the texts of its items without building them: the elements of a
 * top-level array, and any other top-level document whole, documents one after another (JSON
 * Lines saved as .json, Firehose's concatenated records); with a path (`data.items`), the
 * elements of the array at that path of each document, everything else skipped unread. Each text
 * is one line: JSON has no line break inside a string, so those between tokens become spaces.
 * The structure around items (brackets, commas, keys) is checked here; each item's own syntax
 * is left to its parser.
 */
export class JsonItemSplitter {
  /** Inside the array whose elements are the items (top-level, or at the path). */
  private inArray = false;
  private expect: 'item' | 'item or end' | 'comma or end' = 'item or end';
  /** Containers on the way to the path, outermost first. */
  private readonly frames: Frame[] = [];
  /** What the value being read is, if one is open, and what it is read for. */
  private item: 'none' | 'container' | 'string' | 'scalar' = 'none';
  private role: 'emit' | 'skip' | 'key' = 'emit';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The open value's text from earlier chunks. */
  private parts: string[] = [];
  private partsLength = 0;
  private started = false;

  constructor(
    private readonly path?: string,
    private readonly maxItemChars = MAX_ITEM_CHARS,
  ) {}

  /** The items that end in this chunk of text (chunks end on whole characters). */
  push(text: string): string[] {
    const items: string[] = [];
    let at = 0;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) at = 1;
    }
    let itemStart = at;
    while (at < text.length) {
      if (this.item !== 'none') {
        const end = this.scanItem(text, at);
        if (end === -1) break;
        this.finishItem(text.slice(itemStart, end), items);
        at = end;
        continue;
      }
      const c = text.charCodeAt(at);
      if (c === SPACE || c === TAB || c === LF || c === CR) {
        at++;
        continue;
      }
      itemStart = at;
      this.structure(c, text[at]!);
      at++;
    }
    if (this.item !== 'none') this.hold(text.slice(itemStart));
    return items;
  }

  /** The item still open at the end of the text, if it can end there (a number, say). */
  end(): string[] {
    if (this.inArray || this.frames.length > 0 || this.item === 'container' || this.item === 'string')
      throw new SyntaxError('unexpected end of the JSON text');
    const items: string[] = [];
    if (this.item === 'scalar') this.finishItem('', items);
    return items;
  }

  /**
   * Takes the character `c` outside any value: it moves the structure on, or opens a value to
   * emit, skip or read as a key.
   */
  private structure(c: number, char: string): void {
    if (this.inArray) {
      if (c === CLOSE_BRACKET && this.expect !== 'item') this.inArray = false;
      else if (this.expect !== 'comma or end') {
        this.expect = 'comma or end';
        this.openItem(c, char, 'emit');
      } else if (c === COMMA) this.expect = 'item';
      else throw new SyntaxError(`expected , or ] after an array element, found ${char}`);
      return;
    }
    const frame = this.frames.at(-1);
    if (frame === undefined) {
      if (this.path !== undefined) this.valueAt('', c, char);
      else if (c === OPEN_BRACKET) {
        this.inArray = true;
        this.expect = 'item or end';
      } else this.openItem(c, char, 'emit');
      return;
    }
    const close = frame.kind === 'object' ? CLOSE_BRACE : CLOSE_BRACKET;
    const step = () => (frame.kind === 'object' ? frame.key : String(frame.index));
    switch (frame.expect) {
      case 'key or end':
      case 'key':
        if (c === QUOTE) this.openItem(c, char, 'key');
        else if (c === CLOSE_BRACE && frame.expect === 'key or end') this.frames.pop();
        else throw new SyntaxError(`expected a key, found ${char}`);
        return;
      case 'colon':
        if (c !== COLON) throw new SyntaxError(`expected : after a key, found ${char}`);
        frame.expect = 'value';
        return;
      case 'value or end':
        if (c === CLOSE_BRACKET) this.frames.pop();
        else this.valueAt(joinPath(frame.path, step()), c, char);
        return;
      case 'value':
        this.valueAt(joinPath(frame.path, step()), c, char);
        return;
      case 'comma or end':
        if (c === COMMA) {
          frame.index++;
          frame.expect = frame.kind === 'object' ? 'key' : 'value';
        } else if (c === close) this.frames.pop();
        else throw new SyntaxError(`expected , or ${String.fromCharCode(close)}, found ${char}`);
    }
  }

  /** A value at `path` starts: the array of items, a container on the way to it, or one to skip. */
  private valueAt(path: string, c: number, char: string): void {
    const parent = this.frames.at(-1);
    if (parent !== undefined) parent.expect = 'comma or end';
    if (path === this.path) {
      if (c !== OPEN_BRACKET) throw new Error(`${this.path} is not an array`);
      this.inArray = true;
      this.expect = 'item or end';
      return;
    }
    const onTheWay = path === '' || this.path!.startsWith(`${path}.`);
    if (onTheWay && (c === OPEN_BRACE || c === OPEN_BRACKET)) {
      const kind = c === OPEN_BRACE ? 'object' : 'array';
      this.frames.push({
        kind,
        path,
        key: '',
        index: 0,
        expect: kind === 'object' ? 'key or end' : 'value or end',
      });
      return;
    }
    this.openItem(c, char, 'skip');
  }

  private openItem(c: number, char: string, role: JsonItemSplitter['role']): void {
    if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || c === COLON)
      throw new SyntaxError(`unexpected ${char} where a value should start`);
    this.item = c === OPEN_BRACE || c === OPEN_BRACKET ? 'container' : c === QUOTE ? 'string' : 'scalar';
    this.role = role;
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
    // a skipped value is only scanned, however long
    if (this.role === 'skip') return;
    this.parts.push(part);
    this.partsLength += part.length;
    if (this.partsLength > this.maxItemChars)
      throw new ItemTooLargeError(
        `an item of over ${(this.maxItemChars / 2 ** 20).toFixed(0)}M characters is too large to read whole; if the records are in an array under a key, name it with a JSON path (--json-path data.items, drop.jsonPath)`,
      );
  }

  private finishItem(tail: string, items: string[]): void {
    const { role } = this;
    const text = role === 'skip' || this.parts.length === 0 ? tail : this.parts.join('') + tail;
    this.parts = [];
    this.partsLength = 0;
    this.item = 'none';
    if (role === 'emit')
      items.push(text.includes('\n') || text.includes('\r') ? text.replace(LINE_BREAKS, ' ') : text);
    else if (role === 'key') {
      const frame = this.frames.at(-1)!;
      frame.key = JSON.parse(text) as string;
      frame.expect = 'colon';
    }
  }
}

/** An object or array on the way to the path's array. */
interface Frame {
  kind: 'object' | 'array';
  /** Its place: keys and indexes joined by dots, as the path names places. */
  path: string;
  /** The key of the member being read (objects). */
  key: string;
  /** The index of the element being read (arrays). */
  index: number;
  expect: 'key or end' | 'key' | 'colon' | 'value' | 'value or end' | 'comma or end';
}

function joinPath(path: string, step: string): string {
  return path === '' ? step : `${path}.${step}`;
}

/** An item (a whole document, when the records are not in a top-level array) longer than one string fails. */
const MAX_ITEM_CHARS = constants.MAX_STRING_LENGTH;

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
export async function* jsonItemTexts(
  chunks: AsyncIterable<Buffer | string>,
  path?: string,
): AsyncIterable<string> {
  const splitter = new JsonItemSplitter(path);
  // a character whose bytes two chunks share is decoded whole, once its last byte has come
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks)
    yield* splitter.push(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  const rest = decoder.end();
  if (rest !== '') yield* splitter.push(rest);
  yield* splitter.end();
}
