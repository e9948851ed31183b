import { describe, expect, it } from 'vitest';
import { parseJson } from '../../shared/formats/json-parse.js';
import { type Coerced, coerceValue, NO_FIT } from '../../shared/schema/coerce.js';
import type { DataType } from '../../shared/schema/types.js';
import { JsonFloat } from '../../shared/util/json-values.js';
import { orjsonText, pythonFloatRepr } from '../../shared/util/python-text.js';
import { columnsOf, normalizeItems } from './normalize-helpers.js';

const coerce = (type: DataType, value: unknown) => coerceValue(value, { name: 'c', data_type: type });

// Each expectation is what dlt 1.26.0's coerce_value gives for the same value (an error there
// means a variant column here: NO_FIT).
describe('coercion into an existing column, as dlt does it', () => {
  it('writes floats into text as Python prints them, and JSON as orjson writes it', () => {
    const cases: [unknown, string][] = [
      [new JsonFloat(1), '1.0'],
      [2.5e-7, '2.5e-07'],
      [new JsonFloat(1e16), '1e+16'],
      [0.0001, '0.0001'],
      [true, 'True'],
      [parseJson('{"a": 1.0, "b": [1e-6, null]}'), '{"a":1.0,"b":[1e-6,null]}'],
    ];
    for (const [value, text] of cases) expect(coerce('text', value), text).toBe(text);
  });

  it('reads bools from numbers (anything but zero) and only the exact words of str2bool', () => {
    const cases: [unknown, Coerced | typeof NO_FIT][] = [
      [2, true],
      [0, false],
      [0.5, true],
      ['Yes', true],
      ['F', false],
      [' true', NO_FIT],
      ['on', NO_FIT],
    ];
    for (const [value, expected] of cases) expect(coerce('bool', value), String(value)).toBe(expected);
  });

  it("reads numbers from text as Python's int() and float() do", () => {
    expect(coerce('bigint', '1_000')).toBe(1000);
    expect(coerce('bigint', ' -12 ')).toBe(-12);
    expect(coerce('bigint', '0x1F')).toBe(31);
    // digits of any script, and what int(rest, 16) takes after dlt's `0x` (dlt 1.26.0 gives the same)
    const cases: [DataType, string, Coerced | typeof NO_FIT][] = [
      ['bigint', '١٢٣', 123],
      ['bigint', '４５', 45],
      ['bigint', '0x -1f', -31],
      ['bigint', '0x0X1F', 31],
      ['bigint', '0x_1f', NO_FIT],
      ['bigint', '0X1F', NO_FIT],
      ['bigint', '0x', NO_FIT],
      ['bigint', '0x1__f', NO_FIT],
      ['double', '١٢٣.٥', 123.5],
      ['double', '0x1f', 31],
      ['decimal', '١٢٣.٥', '123.5'],
      ['decimal', '0x1f', '31'],
      ['decimal', '0X1F', NO_FIT],
    ];
    for (const [type, text, expected] of cases) expect(coerce(type, text), `${type} ${text}`).toBe(expected);
    expect(coerce('bigint', new JsonFloat(3))).toBe(3);
    // integral floats past 2^53 too, exactly (a float of 1e16 is 10^16); past 64 bits a variant
    expect(coerce('bigint', new JsonFloat(1e16))).toBe(10n ** 16n);
    expect(coerce('bigint', new JsonFloat(-(2 ** 63)))).toBe(-(2n ** 63n));
    expect(coerce('bigint', new JsonFloat(2 ** 63))).toBe(NO_FIT);
    expect(coerce('bigint', new JsonFloat(1e300))).toBe(NO_FIT);
    expect(coerce('bigint', 2.5)).toBe(NO_FIT);
    // JSON's -0 is Python's int 0, which float() makes 0.0; -0.0 and the text -0 keep their sign
    expect(coerce('double', parseJson('-0'))).toBe(0);
    expect(coerce('double', parseJson('-0.0'))).toBe(-0);
    expect(coerce('double', '-0')).toBe(-0);
    expect(coerce('double', '1_000.5')).toBe(1000.5);
    expect(coerce('double', 'inf')).toBe(Infinity);
    expect(coerce('double', '-Infinity')).toBe(-Infinity);
    expect(coerce('double', ' 1e3 ')).toBe(1000);
    // Python strips its own whitespace: U+001F and U+0085 are, U+FEFF is not
    expect(coerce('bigint', '\u001f7\u0085')).toBe(7);
    expect(coerce('double', '\u001f7\u0085')).toBe(7);
    expect(coerce('bigint', '\ufeff7')).toBe(NO_FIT);
    expect(coerce('double', '\ufeff7')).toBe(NO_FIT);
  });

  it('reads epoch seconds, as numbers or as text, into timestamps and dates', () => {
    expect(coerce('timestamp', '1700000000')).toBe(1_700_000_000_000_000);
    expect(coerce('timestamp', '1700000000.5')).toBe(1_700_000_000_500_000);
    expect(coerce('timestamp', 1_700_000_000)).toBe(1_700_000_000_000_000);
    expect(coerce('timestamp', 's12')).toBe(NO_FIT);
    // digits of any script, as float() reads them; in a time too, but not in ISO dates (dlt 1.26.0)
    expect(coerce('timestamp', '١٢٣')).toBe(123_000_000);
    expect(coerce('date', '١٢٣٤٥٦٧٨')).toBe(142);
    expect(coerce('time', '١٢:٣٠')).toBe(45_000_000_000);
    expect(coerce('timestamp', '٢٠٢٤-٠١-٠٢T00:00:00Z')).toBe(NO_FIT);
    expect(coerce('date', '٢٠٢٤-٠١-٠٢')).toBe(NO_FIT);
    expect(coerce('date', 1_700_000_000)).toBe(19_675);
    expect(coerce('date', 1_700_000_000.5)).toBe(19_675);
  });

  it('takes only dicts, lists and JSON text into json columns, and little-endian bytes of ints into binary', () => {
    expect(coerce('json', '{"a": 1, "b": [1.0, 2]}')).toBe('{"a":1,"b":[1.0,2]}');
    expect(coerce('json', 5)).toBe(NO_FIT);
    expect(coerce('json', true)).toBe(NO_FIT);
    expect(coerce('json', 'not json')).toBe(NO_FIT);
    // dlt's json.loads makes None of it: no value, not the JSON text `null`
    expect(coerce('json', ' null ')).toBeNull();
    expect(coerce('json', '"null"')).toBe('"null"');
    expect(coerce('binary', 258)).toEqual(Uint8Array.from([2, 1]));
    expect(coerce('binary', 0)).toEqual(new Uint8Array(0));
    expect(coerce('binary', -1)).toBe(NO_FIT);
  });

  it('leaves no value where text `null` arrives in a json column, as dlt 1.26 does', () => {
    const { rows, schema } = normalizeItems(
      [
        { id: 1, j: 'null' },
        { id: 2, j: ['x'] },
      ],
      {
        name: 'js',
        maxTableNesting: 0,
        columns: { j: { data_type: 'json' } },
      },
    );
    expect(rows.js).toEqual([{ id: 1 }, { id: 2, j: '["x"]' }].map((row) => expect.objectContaining(row)));
    expect(rows.js![0]).not.toHaveProperty('j');
    expect(schema.tables.js!.columns.j!.data_type).toBe('json');
    // a column not nullable refuses it, naming the column
    expect(() =>
      normalizeItems([{ j: 'null' }], { name: 'js', columns: { j: { data_type: 'json', nullable: false } } }),
    ).toThrow('column j of table js is not nullable but has no value');
  });

  it('names a variant column by the value’s Python type and types it by inference', () => {
    // dlt 1.26.0: an ISO string arriving in a bool column goes to flag__v_text, of type timestamp
    const { rows, schema } = normalizeItems([{ flag: true }, { flag: '2024-01-02T03:04:05Z' }, { flag: 7 }], {
      name: 'v',
    });
    expect(columnsOf(schema, 'v')).toEqual([
      ['flag', 'bool', true],
      ['_dlt_load_id', 'text', false],
      ['_dlt_id', 'text', false],
      ['flag__v_text', 'timestamp', true],
    ]);
    expect(rows.v!.map((r) => [r.flag, r.flag__v_text])).toEqual([
      [true, undefined],
      [undefined, 1_704_164_645_000_000],
      [true, undefined],
    ]);
  });
});

describe('Python text of floats', () => {
  it('matches repr() and orjson at the edges of their notations', () => {
    const cases: [number, string, string][] = [
      [1e-5, '1e-05', '0.00001'],
      [1e-6, '1e-06', '1e-6'],
      [1.5e-4, '0.00015', '0.00015'],
      [1e15, '1000000000000000.0', '1000000000000000.0'],
      [1e16, '1e+16', '1e+16'],
      [-0, '-0.0', '-0.0'],
      [123456789012345.6, '123456789012345.6', '123456789012345.6'],
      [5e-324, '5e-324', '5e-324'],
    ];
    for (const [value, repr, orjson] of cases) {
      expect(pythonFloatRepr(value), String(value)).toBe(repr);
      expect(orjsonText(new JsonFloat(value)), String(value)).toBe(orjson);
    }
    expect(orjsonText({ b: 1, a: [12345678901234567890n, 'é'] }, true)).toBe(
      '{"a":[12345678901234567890,"é"],"b":1}',
    );
  });
});

describe('sized integers', () => {
  it('refuses a value beyond the int16 a precision-16 column is stored in, instead of wrapping it', () => {
    const hints = { name: 'sized', columns: { n: { data_type: 'bigint' as const, precision: 16 } } };
    expect(normalizeItems([{ n: 32_767 }, { n: -32_768 }], hints).rows.sized!.map((r) => r.n)).toEqual([
      32_767, -32_768,
    ]);
    expect(() => normalizeItems([{ n: 1 }, { n: 40_000 }], hints)).toThrow(
      /value 40000 of column n in table sized does not fit bigint of precision 16/,
    );
    expect(() => normalizeItems([{ n: -(10n ** 18n) }], hints)).toThrow(
      /does not fit bigint of precision 16/,
    );
  });
});

describe('decimal precision', () => {
  it('refuses a decimal with more digits than its column holds when the row is normalized, rounding its fraction first', () => {
    const hints = {
      name: 'priced',
      columns: { amount: { data_type: 'decimal' as const, precision: 10, scale: 2 } },
    };
    const rows = normalizeItems([{ amount: '99999999.99' }, { amount: '-12.345' }, { amount: 10 }], hints);
    expect(rows.rows.priced!.map((r) => r.amount)).toEqual(['99999999.99', '-12.345', '10.00']);
    expect(() => normalizeItems([{ amount: '123456789.5' }], hints)).toThrow(
      /value 123456789.5 of column amount in table priced does not fit decimal\(10,2\)/,
    );
    // rounded to its scale, 99999999.995 is 100000000.00: one digit too many
    expect(() => normalizeItems([{ amount: '99999999.995' }], hints)).toThrow(/does not fit decimal\(10,2\)/);
    // without hints a decimal column is dlt's decimal(38,9)
    const unhinted = { name: 'wide', columns: { d: { data_type: 'decimal' as const } } };
    expect(normalizeItems([{ d: `${'9'.repeat(29)}.5` }], unhinted).rows.wide).toHaveLength(1);
    expect(() => normalizeItems([{ d: '1'.repeat(30) }], unhinted)).toThrow(/does not fit decimal\(38,9\)/);
  });
});
