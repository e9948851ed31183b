import { describe, expect, it } from 'vitest';
import { JsonItemSplitter, jsonItemTexts } from '../../shared/sources/json-item-texts.js';

/** The item texts of `text` handed over in chunks of `size` characters. */
function split(
  text: string,
  size = text.length,
  options: { path?: string; maxItemChars?: number } = {},
): string[] {
  const splitter = new JsonItemSplitter(options.path, options.maxItemChars);
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
    expect(() => split(envelope, 1000, { maxItemChars: 4 * 2 ** 20 })).not.toThrow();
    expect(() => split(envelope, 1000, { maxItemChars: 2 ** 13 })).toThrow(
      'is too large to read whole; if the records are in an array under a key, name it with a JSON path',
    );
  });

  it('with a path, gives the elements of the array there in each document, skipping the rest', () => {
    const text = `{"meta": {"items": [0], "n": "a]}\\"{"}, "d\\u0061ta": {"items": [{"a": 1},
      {"a": [2, {"items": []}]}], "after": [[]]}}
      {"data": {"other": 1}} "s" [1] {"data": {"items": []}} {"data": {"items": ["x"]}}`;
    for (const size of [1, 3, 10, text.length])
      expect(split(text, size, { path: 'data.items' })).toEqual([
        '{"a": 1}',
        '{"a": [2, {"items": []}]}',
        '"x"',
      ]);
    // indexes are steps of the path; a key holding a dot matches it whole, as stream-json's paths do
    expect(split('{"results": [{"items": [1]}, {"items": [2]}]}', 4, { path: 'results.1.items' })).toEqual([
      '2',
    ]);
    expect(split('{"a.b": [1], "a": {"b": [2]}}', 4, { path: 'a.b' })).toEqual(['1', '2']);
    expect(() => split('{"data": {"items": 5}}', 4, { path: 'data.items' })).toThrow(
      'data.items is not an array',
    );
    expect(() => split('{"data": {"items": [1}', 4, { path: 'data.items' })).toThrow(SyntaxError);
    expect(() => split('{"data" {"items": [1]}}', 4, { path: 'data.items' })).toThrow(
      'expected : after a key',
    );
    expect(() => split('{"data": 1 "items": [1]}', 4, { path: 'data.items' })).toThrow('expected , or }');
  });

  it('with a path, agrees with a parse of the whole text on generated documents', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
    const strings = ['plain', 'a"b', 'c\\d', '{[', ']}', ',:', 'items', 'é😀', ''];
    const value = (depth: number): unknown => {
      const kind = depth > 3 ? pick(['s', 'n']) : pick(['s', 'n', 'o', 'a', 'b']);
      if (kind === 's') return pick(strings);
      if (kind === 'n') return Math.round(random() * 1e6) / 100;
      if (kind === 'b') return pick([true, false, null]);
      if (kind === 'a') return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 4) }, () => [pick(strings), value(depth + 1)]),
      );
    };
    for (let round = 0; round < 200; round++) {
      const documents = Array.from({ length: 1 + Math.floor(random() * 3) }, () => {
        const document = value(1) as Record<string, unknown>;
        if (random() < 0.7)
          return {
            ...(typeof document === 'object' && document !== null && !Array.isArray(document)
              ? document
              : {}),
            data: { items: Array.from({ length: Math.floor(random() * 4) }, () => value(2)), x: value(2) },
          };
        return document;
      });
      const text = documents
        .map((d) => JSON.stringify(d, null, random() < 0.5 ? 2 : undefined))
        .join(pick(['', '\n', ' ']));
      const expected = documents.flatMap((d) => {
        const items = (d as { data?: { items?: unknown } } | null)?.data?.items;
        return Array.isArray(items) ? items.map((item) => JSON.stringify(item)) : [];
      });
      const size = 1 + Math.floor(random() * 40);
      expect(
        split(text, size, { path: 'data.items' }).map((item) => JSON.stringify(JSON.parse(item))),
      ).toEqual(expected);
    }
  });
});

describe('jsonItemTexts', () => {
  it('decodes characters whose bytes two chunks share whole', async () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ n: i, s: 'é日😀'.repeat(i % 5) }));
    const bytes = Buffer.from(JSON.stringify(items));
    for (const size of [1, 2, 3, 7]) {
      async function* chunks() {
        for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
      }
      const texts: string[] = [];
      for await (const text of jsonItemTexts(chunks())) texts.push(text);
      expect(texts.map((text) => JSON.parse(text))).toEqual(items);
    }
  });
});
