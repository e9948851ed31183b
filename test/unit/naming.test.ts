import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError, SnakeCaseNaming } from '../../shared/schema/naming.js';

// Expected values were produced by dlt 1.26.0's snake_case NamingConvention for the same input.
const IDENTIFIERS: [string, string, string, string][] = [
  // input, normalize_identifier, with max_length=10, normalize_path
  ['DealFlow', 'deal_flow', 'deal_flow', 'deal_flow'],
  ['userID', 'user_id', 'user_id', 'user_id'],
  ['HTTPResponseCode', 'http_response_code', 'htk6rauade', 'http_response_code'],
  ['getHTTPResponse', 'get_http_response', 'geuhi4jgse', 'get_http_response'],
  ['camelCase2Go', 'camel_case2_go', 'cafrvpaggo', 'camel_case2_go'],
  ['first name', 'first_name', 'first_name', 'first_name'],
  ['1st_place', '_1st_place', '_1st_place', '_1st_place'],
  ['price$', 'pricex', 'pricex', 'pricex'],
  ['trailing__', 'trailingxx', 'trailingxx', 'trailing'],
  ['a--b', 'a_b', 'a_b', 'a_b'],
  ['e-mail@home', 'e_mailahome', 'e_12bdkgme', 'e_mailahome'],
  ['a|b', 'alb', 'alb', 'alb'],
  ['x+y*z', 'xxyxz', 'xxyxz', 'xxyxz'],
  ['Ünïcode', '_n_code', '_n_code', '_n_code'],
  ['__private', '_private', '_private', 'private'],
  ['_dlt_id', '_dlt_id', '_dlt_id', '_dlt_id'],
  ['a__b', 'a_b', 'a_b', 'a__b'],
  ['a___b', 'a_b', 'a_b', 'a___b'],
  ['__a__b__', '_a_bxx', '_a_bxx', 'a__b'],
  ['Some__Path__X', 'some_path_x', 'so18lwbw_x', 'some__path__x'],
  ['ÄpfelBäume', '_pfel_b_ume', '_pwgwuaqme', '_pfel_b_ume'],
  ['value_', 'valuex', 'valuex', 'valuex'],
  ['123', '_123', '_123', '_123'],
  ['_', 'x', 'x', 'x'],
  ['a'.repeat(20), 'a'.repeat(20), 'aawtpi9gaa', 'a'.repeat(20)],
  // stripped as Python strips: U+FEFF is not whitespace there, U+001C-U+001F and U+0085 are
  ['\ufeffid', '_id', '_id', '_id'],
  ['id\u001f', 'id', 'id', 'id'],
  ['\u0085name\u0085', 'name', 'name', 'name'],
  [' a\u001cb ', 'a_b', 'a_b', 'a_b'],
];

describe('snake_case naming convention', () => {
  it.each(IDENTIFIERS)('normalizes %j like dlt', (input, identifier, short, path) => {
    expect(new SnakeCaseNaming().normalizeIdentifier(input)).toBe(identifier);
    expect(new SnakeCaseNaming(10).normalizeIdentifier(input)).toBe(short);
    expect(new SnakeCaseNaming().normalizePath(input)).toBe(path);
  });

  it('shortens at 255 with the tag in the middle, keeping 125 + tag + 124 characters', () => {
    const long = `${'left_'.repeat(40)}${'right'.repeat(40)}`;
    const shortened = new SnakeCaseNaming(255).normalizeIdentifier(long);
    expect(shortened).toHaveLength(255);
    expect(shortened.slice(0, 125)).toBe(long.slice(0, 125));
    expect(shortened.slice(131)).toBe(long.slice(-124));
    expect(shortened.slice(125, 131)).toMatch(/^[a-z0-9]{6}$/);
    expect(new SnakeCaseNaming(255).normalizeIdentifier('x'.repeat(255))).toBe('x'.repeat(255));
  });

  it('shortens joined table paths from their normalized fragments, like dlt', () => {
    expect(new SnakeCaseNaming(10).makePath('verylongtablename', 'children')).toBe('veid2e7gen');
    expect(new SnakeCaseNaming().makePath('users', 'pets')).toBe('users__pets');
  });

  it('rejects empty identifiers', () => {
    expect(() => new SnakeCaseNaming().normalizeIdentifier('  ')).toThrow(InvalidIdentifierError);
  });
});
