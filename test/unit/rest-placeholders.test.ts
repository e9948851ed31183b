import { describe, expect, it } from 'vitest';
import {
  barePathFields,
  fillPathPlaceholders,
  fillPlaceholders,
  parentFieldReferences,
} from '../../shared/sources/rest/placeholders.js';

const values = {
  incremental: { start_value: 5, initial_value: 1, last_value: 5, end_value: undefined },
  parent: { id: 7, 'owner.login': 'ann b' },
};

describe("dlt's rest_api placeholders", () => {
  it('fill texts, keep a whole placeholder typed, and leave other braces alone', () => {
    expect(
      fillPlaceholders(
        {
          since: '{incremental.start_value}',
          range: 'from {incremental.initial_value} to {incremental.last_value}',
          nested: [{ repo: '{resources.repos.id}' }],
          template: '{"not": "a placeholder"} {name}',
          'repo_{resources.repos.id}': true,
        },
        values,
      ),
    ).toEqual({
      since: 5,
      range: 'from 1 to 5',
      nested: [{ repo: 7 }],
      template: '{"not": "a placeholder"} {name}',
      repo_7: true,
    });
  });

  it('say which value is missing', () => {
    expect(() => fillPlaceholders('{incremental.end_value}', values)).toThrow(
      '{incremental.end_value} is used without an endValue',
    );
    expect(() =>
      fillPlaceholders('x {incremental.start_value}', { ...values, incremental: undefined }),
    ).toThrow('{incremental.start_value} is used without an incremental cursor');
    expect(() => fillPlaceholders('{resources.repos.name}', values)).toThrow(
      '{resources.repos.name}: the parent record has no field name',
    );
  });

  it('fill a path URL-encoded, bare names from the parent record', () => {
    expect(
      fillPathPlaceholders('r/{id}/{resources.repos.owner.login}/{incremental.start_value}', values),
    ).toBe('r/7/ann%20b/5');
    expect(() => fillPathPlaceholders('r/{missing}', values)).toThrow(
      'no value for {missing} in path r/{missing}',
    );
  });

  it('name the parent fields a request refers to, keys of json included', () => {
    expect(
      parentFieldReferences([
        'a/{resources.repos.id}',
        { '{resources.repos.owner.login}': '{incremental.start_value}' },
      ]),
    ).toEqual([
      { resource: 'repos', field: 'id' },
      { resource: 'repos', field: 'owner.login' },
    ]);
    expect(barePathFields('a/{id}/{resources.repos.id}/{incremental.start_value}')).toEqual(['id']);
  });
});
