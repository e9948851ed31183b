import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
import { toJsonLine } from '../../shared/util/json-line.js';
import { JsonFloat } from '../../shared/util/json-values.js';

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
