import { describe, expect, it } from 'vitest';
import { JsonItemSplitter } from '../../shared/sources/json-item-texts.js';

/** The item texts of `text` handed over in chunks of `size` characters. */
function split(text: string, size = text.length, maxItemChars?: number): string[] {
  const splitter = new JsonItemSplitter(maxItemChars);
  const items: string[] = [];
  for (let at = 0; at < text.length; at += size) items.push(...splitter.push(text.slice(at, at + size)));
  items.push(...splitter.end());
  return items;
}

describe('JSON item splitter', () => {
  const pretty = `\ufeff[
  {"a": "x, y ] } { [", "b": [1, [2, {"c": null}]]},
  {"q": "say \\"hi\\" \\\\", "n": -1.5e3},
  "text",
  [1, 2],
  42,
  true,
  null
]`;

  it('gives the elements of a top-level array, each on one line, wherever the chunks end', () => {
    const expected = (JSON.parse(pretty.slice(1)) as unknown[]).map((item) => JSON.stringify(item));
    for (const size of [1, 2, 3, 7, 64, pretty.length]) {
      const items = split(pretty, size);
      expect(items.every((item) => !item.includes('\n'))).toBe(true);
      expect(items.map((item) => JSON.stringify(JSON.parse(item)))).toEqual(expected);
    }
  });

  it('gives documents one after another whole, top-level arrays element by element', () => {
    const text = '{"a":1}{"a":2}\n[{"a":3}] "s" 7\n{"b":\n[]}\n12';
    for (const size of [1, 5, text.length])
      expect(split(text, size)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}', '"s"', '7', '{"b": []}', '12']);
    expect(split('  \n ')).toEqual([]);
    expect(split('[]')).toEqual([]);
    expect(split('[ ]\n[]')).toEqual([]);
  });

  it('refuses what is not an array of values: commas, brackets and ends out of place', () => {
    const cases: [string, string][] = [
      ['[1,]', 'unexpected ] where a value should start'],
      ['[1,,2]', 'unexpected , where a value should start'],
      ['[,1]', 'unexpected , where a value should start'],
      ['[1 2]', 'expected , or ] after an array element, found 2'],
      ['[{"a":1}{"a":2}]', 'expected , or ] after an array element, found {'],
      ['[1, 2', 'unexpected end of the JSON text'],
      ['[{"a": [1}', 'unexpected end of the JSON text'],
      ['{"a": "open', 'unexpected end of the JSON text'],
      [']', 'unexpected ] where a value should start'],
      ['{"a":1},', 'unexpected , where a value should start'],
    ];
    for (const [text, message] of cases) expect(() => split(text, 2), text).toThrow(message);
  });

  it('refuses an item too long to be one string, pointing to a JSON path', () => {
    const envelope = `{"data": {"items": [${'{"a": 1},'.repeat(2000)}{"a": 2}]}}`;
    expect(() => split(envelope, 1000, 4 * 2 ** 20)).not.toThrow();
    expect(() => split(envelope, 1000, 2 ** 13)).toThrow(
      'is too large to read whole; if the records are in an array under a key, name it with a JSON path',
    );
  });
});
