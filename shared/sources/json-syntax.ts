import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import verifier from 'stream-json/utils/verifier.js';

/** Where a JSON text breaks: its line, and what is wrong at which column. */
export interface JsonSyntaxError {
  line: number;
  reason: string;
}

/**
 * Finds the first syntax error of a JSON text (documents may follow one another) with its line:
 * the streaming parser that reads items reports what is wrong but not where. Undefined when the
 * text is well-formed (the failure was of another kind).
 */
export async function jsonSyntaxError(text: Readable): Promise<JsonSyntaxError | undefined> {
  try {
    await pipeline(text, verifier.asStream({ jsonStreaming: true }));
    return undefined;
  } catch (error) {
    const { line, pos, message } = error as Error & { line?: number; pos?: number };
    if (line === undefined) throw error;
    // "ERROR at 25 (3, 10): Verifier cannot parse input: unexpected token '}'"
    const what = message
      .replace(/^ERROR at \d+ \(\d+, \d+\): /, '')
      .replace(/^Verifier (cannot parse input: )?/, '');
    return { line, reason: `${what} (column ${pos})` };
  }
}
