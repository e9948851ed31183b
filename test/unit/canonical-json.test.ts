import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/util/canonical-json.js';

describe('canonicalJson', () => {
  it('sorts keys at every level, also of objects holding constructor or __proto__ keys', () => {
    const record = JSON.parse(
      '{"b": 1, "constructor": "x", "__proto__": 2, "a": {"d": 1, "c": [{"f": 1, "e": 2}]}}',
    );

    expect(canonicalJson(record)).toBe(
      '{"__proto__":2,"a":{"c":[{"e":2,"f":1}],"d":1},"b":1,"constructor":"x"}',
    );
    expect(canonicalJson({ '😀': 1, ｆ: 2, a: 3 })).toBe('{"a":3,"ｆ":2,"😀":1}');
  });

  it('sorts integer-like keys as text, as orjson does, though JavaScript lists them first by number', () => {
    expect(canonicalJson({ a: [{ '9': 1, '10': 2, '!': 3 }], '2': null })).toBe(
      '{"2":null,"a":[{"!":3,"10":2,"9":1}]}',
    );
    // what JSON.stringify leaves out or writes as null, so is it here
    expect(canonicalJson({ u: undefined, f: () => 1, l: [undefined, Number.NaN], d: new Date(0) })).toBe(
      '{"d":"1970-01-01T00:00:00.000Z","l":[null,null]}',
    );
  });
});
