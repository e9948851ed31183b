import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
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
});
