import { describe, expect, it } from 'vitest';
import { toJsonLine } from '../../shared/util/json-line.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import {
  checkNestingDepth,
  MAX_NESTING_DEPTH,
  NestingTooDeepError,
} from '../../shared/util/nesting-depth.js';
import { orjsonText } from '../../shared/util/python-text.js';

/** Lists and objects `levels` deep, alternating, the outermost counted; `leaf` innermost. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let level = levels; level >= 1; level--) value = level % 2 === 0 ? [value] : { a: value };
  return value;
}

describe('nesting depth', () => {
  it('lets items through to the limit and refuses one level more, in every writer', () => {
    for (const write of [checkNestingDepth, toJsonLine, (v: unknown) => orjsonText(v, true)]) {
      expect(() => write(nested(MAX_NESTING_DEPTH))).not.toThrow();
      expect(() => write(nested(MAX_NESTING_DEPTH + 1))).toThrow(NestingTooDeepError);
    }
  });

  it('measures items far past what V8 can recurse into without running out of stack', () => {
    const deep = nested(200_000);
    for (const write of [checkNestingDepth, toJsonLine, orjsonText])
      expect(() => write(deep)).toThrow(NestingTooDeepError);
  });

  it('counts floats, dates and bytes as values, not as lists or objects', () => {
    for (const leaf of [new JsonFloat(1), new Date(0), new Uint8Array([1])]) {
      expect(() => checkNestingDepth(nested(MAX_NESTING_DEPTH, leaf))).not.toThrow();
      expect(() => toJsonLine(nested(MAX_NESTING_DEPTH, leaf))).not.toThrow();
      expect(() => orjsonText(nested(MAX_NESTING_DEPTH, leaf))).not.toThrow();
    }
  });
});
