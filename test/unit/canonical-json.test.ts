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
});
