import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import { keyOrderOf, orderedKeys } from '../../shared/util/key-order.js';

describe('parseJson', () => {
  it('reads numbers as dlt does: 1.0 a float, integers past 2^53 exact, inside documents and as the whole document', () => {
    expect(parseJson('{"a": 1.0, "b": [2e3, 9007199254740993], "c": 1.5, "d": "1.0"}')).toEqual({
      a: new JsonFloat(1),
      b: [new JsonFloat(2000), 9007199254740993n],
      c: 1.5,
      d: '1.0',
    });
    expect(parseJson('1.0')).toEqual(new JsonFloat(1));
    expect(parseJson(' 9007199254740993 ')).toBe(9007199254740993n);
    expect(parseJson('-2')).toBe(-2);
    expect(parseJson('0.5')).toBe(0.5);
    expect(parseJson('"x"')).toBe('x');
  });

  it('takes the exact path for every literal JSON.parse would alter, and reads the rest the same either way', () => {
    expect(parseJson('[1E+2 , -1.00 ]')).toEqual([new JsonFloat(100), new JsonFloat(-1)]);
    expect(parseJson('{"a":-12345678901234567890}')).toEqual({ a: -12345678901234567890n });
    // fractions JSON.parse rounds to an integer stay floats, as Python reads them
    expect(parseJson('{"a":1.00000000000000000001,"b":[-1.9999999999999999999]}')).toEqual({
      a: new JsonFloat(1),
      b: [new JsonFloat(-2)],
    });
    expect(parseJson('1.00000000000000000001')).toEqual(new JsonFloat(1));
    // 16 digits still safe, an exponent that is not integral, and look-alikes inside strings
    expect(parseJson('{"a":1234567890123456,"b":1e-2,"c":"[1.0, 2e3]"}')).toEqual({
      a: 1234567890123456,
      b: 0.01,
      c: '[1.0, 2e3]',
    });
  });

  it("keeps the text's order of integer-like keys, at any depth and on the exact path too", () => {
    for (const n of ['1.0', '1.5']) {
      const value = parseJson(
        `{"b":1,"2":{"z":1,"10":2,"9":3},"a":[{"3":1,"x\\u0041":2}],"2":{"y":1,"5":0,"4":0},"n":${n}}`,
      ) as Record<string, Record<string, unknown>>;
      expect(orderedKeys(value)).toEqual(['b', '2', 'a', 'n']);
      // a key seen twice keeps its first place and its last value, as JSON.parse and Python do
      expect(orderedKeys(value['2']!)).toEqual(['y', '5', '4']);
      expect(orderedKeys((value.a as unknown as Record<string, unknown>[])[0]!)).toEqual(['3', 'xA']);
      // and is written out in that order
      expect(toJsonLine(value)).toBe(`{"b":1,"2":{"y":1,"5":0,"4":0},"a":[{"3":1,"xA":2}],"n":${n}}`);
    }
    // quotes, backslashes and key look-alikes inside strings are text
    const escaped = parseJson(String.raw`{"s":"a\\\"}\"1\":","2":1,"k\\":{"b":1,"3":0}}`) as Record<
      string,
      object
    >;
    expect(orderedKeys(escaped)).toEqual(['s', '2', 'k\\']);
    expect(escaped.s).toBe('a\\"}"1":');
    expect(orderedKeys(escaped['k\\']!)).toEqual(['b', '3']);
    // an integer-like key with its digits written as escapes is one too
    for (const key of [String.raw`20\u00324`, String.raw`\u0032\u0030\u0032\u0034`])
      expect(orderedKeys(parseJson(`{"b":1,"${key}":2}`) as object)).toEqual(['b', '2024']);
    // objects JavaScript already lists in the text's order carry nothing
    expect(keyOrderOf(parseJson('{"1":{"2":0},"a":1}') as object)).toBeUndefined();
  });

  it('reads a key given twice on the exact path as JSON.parse does: its first place, its last value', () => {
    expect(parseJson('{"a":1.0,"b":2,"a":{"c":3}}')).toEqual({ a: { c: 3 }, b: 2 });
    expect(Object.keys(parseJson('{"a":1.0,"b":2,"a":3}') as object)).toEqual(['a', 'b']);
  });

  it('never reads a literal with a fraction as an integer, however near one it lies', () => {
    const misread: string[] = [];
    for (let digits = 1; digits <= 17; digits++) {
      for (let run = 0; run <= 18; run++) {
        for (const [fill, tail] of [
          ['0', '1'],
          ['9', '5'],
          ['0', '49'],
          ['9', '1'],
        ]) {
          const literal = `${'987654321'.repeat(2).slice(0, digits)}.${fill!.repeat(run)}${tail}`;
          const value = (parseJson(`{"a":${literal}}`) as { a: unknown }).a;
          const isFloat =
            value instanceof JsonFloat || (typeof value === 'number' && !Number.isInteger(value));
          if (!isFloat) misread.push(literal);
        }
      }
    }
    expect(misread).toEqual([]);
  });
});

describe('toJsonLine', () => {
  it('writes big integers, integral floats and bytes at any depth, and plain items as JSON.stringify does', () => {
    const plain = { a: 1, b: 'x\n"', c: [null, true, { d: 2.5, e: [] }], f: new Date(0) };
    expect(toJsonLine(plain)).toBe(JSON.stringify(plain));
    expect(toJsonLine({ a: [{ b: 9007199254740993n }], c: 'd' })).toBe(
      '{"a":[{"b":9007199254740993}],"c":"d"}',
    );
    expect(toJsonLine([1, [new JsonFloat(2)]])).toBe('[1,[2.0]]');
    expect(toJsonLine({ bytes: { raw: Buffer.from('hi') } })).toBe('{"bytes":{"raw":"aGk="}}');
    expect(toJsonLine({ bytes: new Uint8Array([104, 105]) })).toBe('{"bytes":"aGk="}');
    // each line parses back to the same values
    const item = { n: [new JsonFloat(1), 12345678901234567890n, -0.5] };
    expect(parseJson(toJsonLine(item))).toEqual(item);
  });
});
