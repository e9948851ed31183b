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
 * Streams the values of a JSON text: the elements of a top-level array, and any other top-level
 * document whole. Documents may follow one another (JSON Lines saved as .json, Firehose's
 * concatenated records). With `path`, the elements of the array at that path of each document.
 * Only one element is held at a time; big integers and integral floats come out as `parseJson`
 * gives them.
 */
export async function* jsonValues(text: Readable, path?: string): AsyncIterable<unknown> {
  const options = { streamValues: false, jsonStreaming: true };
  const tokens: Readable =
    path !== undefined
      ? text.pipe(pick.withParserAsStream({ ...options, filter: path }))
      : text.pipe(parser.asStream(options));
  // pipe does not pass a failing source on: without this the tokens would wait for it forever
  text.on('error', (error) => tokens.destroy(error));
  const assembler = new ExactAssembler();
  let first = true;
  for await (const batch of batchesOf<Token>(tokens)) {
    for (const token of batch) {
      if (first && path !== undefined && token.name !== 'startArray')
        throw new Error(`${path} is not an array`);
      first = false;
      assembler.consume(token as never);
      const current = assembler.current;
      // a top-level array is given out element by element, as each one completes
      if (assembler.depth === 1 && Array.isArray(current) && current.length > 0) yield current.pop();
      else if (assembler.done && VALUE_ENDS.has(token.name) && !Array.isArray(current)) yield current;
    }
  }
}

/**
 * The objects of a stream in the batches that arrive together: a token stream read one object
 * per await spent most of its time between promises.
 */
async function* batchesOf<T>(stream: Readable): AsyncIterable<T[]> {
  let batch: T[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const signal = () => wake?.();
  stream.on('data', (item: T) => {
    if (batch.push(item) >= 10_000) stream.pause();
    signal();
  });
  stream.on('end', () => {
    ended = true;
    signal();
  });
  stream.on('error', (error) => {
    failure = { error };
    signal();
  });
  try {
    for (;;) {
      if (batch.length > 0) {
        const full = batch;
        batch = [];
        yield full;
        stream.resume();
      } else if (failure !== undefined) throw failure.error;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.destroy();
  }
}
