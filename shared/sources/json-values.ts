import type { Readable } from 'node:stream';
import { Assembler } from 'stream-json/assembler.js';
import pick from 'stream-json/filters/pick.js';
import parser from 'stream-json/parser.js';
import { exactNumber } from '../formats/json-parse.js';

type Token = { name: string; value?: unknown };

/** Builds values like stream-json's, but reads numbers exactly (stream-json uses parseFloat). */
class ExactAssembler extends Assembler {
  override numberValue(literal: string): void {
    // stringValue is the handler that stores any finished value in place
    this.stringValue(exactNumber(literal) as unknown as string);
  }
}

const VALUE_ENDS = new Set([
  'endObject',
  'endArray',
  'stringValue',
  'numberValue',
  'nullValue',
  'trueValue',
  'falseValue',
]);

/**
 * Streams the values of a JSON text: the elements of the top-level array (`elements`), or each
 * top-level document. With `path`, the elements of the array at that path. Only one element is
 * held at a time; big integers and integral floats come out as `parseJson` gives them.
 */
export async function* jsonValues(
  text: Readable,
  mode: { elements: boolean; path?: string },
): AsyncIterable<unknown> {
  const tokens: Readable =
    mode.path !== undefined
      ? text.pipe(pick.withParserAsStream({ filter: mode.path, streamValues: false }))
      : text.pipe(parser.asStream({ streamValues: false }));
  const assembler = new ExactAssembler();
  const elements = mode.elements || mode.path !== undefined;
  let first = true;
  for await (const token of tokens as AsyncIterable<Token>) {
    if (first && elements && token.name !== 'startArray')
      throw new Error(mode.path === undefined ? 'expected an array' : `${mode.path} is not an array`);
    first = false;
    assembler.consume(token as never);
    if (elements) {
      const array = assembler.current;
      if (assembler.depth === 1 && Array.isArray(array) && array.length > 0) yield array.pop();
    } else if (assembler.done && VALUE_ENDS.has(token.name)) {
      yield assembler.current;
    }
  }
}
