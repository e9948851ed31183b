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
 * Streams the values of a JSON text: the elements of a top-level array, or else each top-level
 * document; with `path`, the elements of the array at that path. The first token decides, so
 * leading whitespace or a byte-order mark cannot hide an array. Only one element is held at a
 * time; big integers and integral floats come out as `parseJson` gives them.
 */
export async function* jsonValues(text: Readable, path?: string): AsyncIterable<unknown> {
  const tokens: Readable =
    path !== undefined
      ? text.pipe(pick.withParserAsStream({ filter: path, streamValues: false }))
      : text.pipe(parser.asStream({ streamValues: false }));
  // pipe does not pass a failing source on: without this the tokens would wait for it forever
  text.on('error', (error) => tokens.destroy(error));
  const assembler = new ExactAssembler();
  let elements: boolean | undefined;
  for await (const token of tokens as AsyncIterable<Token>) {
    if (elements === undefined) {
      elements = token.name === 'startArray';
      if (path !== undefined && !elements) throw new Error(`${path} is not an array`);
    }
    assembler.consume(token as never);
    if (elements) {
      const array = assembler.current;
      if (assembler.depth === 1 && Array.isArray(array) && array.length > 0) yield array.pop();
    } else if (assembler.done && VALUE_ENDS.has(token.name)) {
      yield assembler.current;
    }
  }
}
