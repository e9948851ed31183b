import { describe, expect, it } from 'vitest';
import { parseStoredSchema } from '../../shared/schema/stored-schema.js';
import type { StoredSchema } from '../../shared/schema/types.js';
import { normalizeItems } from './normalize-helpers.js';

const KEY = 'shop/schemas/shop.json';

/** A real stored schema (orders with a nested items table), edited by `edit`. */
function schemaText(edit: (schema: StoredSchema) => void = () => {}): string {
  const { schema } = normalizeItems([{ id: 1, items: [{ sku: 'a' }] }], { name: 'orders' });
  const stored = schema.toStored();
  edit(stored);
  return JSON.stringify(stored);
}

describe('stored schemas', () => {
  it('reads back what normalize stores, keeping keys it does not know', () => {
    const text = schemaText((s) => {
      Object.assign(s.tables.orders!.columns.id!, { 'x-comment': 'kept' });
      Object.assign(s.tables.orders!, { 'x-owner': 'team' });
    });
    const schema = parseStoredSchema(text, KEY);
    expect(Object.keys(schema.tables)).toEqual(['_dlt_version', '_dlt_loads', 'orders', 'orders__items']);
    expect(schema.tables.orders?.columns.id).toMatchObject({ data_type: 'bigint', 'x-comment': 'kept' });
    expect(JSON.parse(JSON.stringify(schema))).toEqual(JSON.parse(text));
  });

  it.each<[(s: StoredSchema) => unknown, RegExp]>([
    [
      (s) => Object.assign(s.tables.orders!.columns.id!, { data_type: 'integer' }),
      /tables\.orders\.columns\.id\.data_type: /,
    ],
    [
      (s) => Object.assign(s.tables.orders!.columns.id!, { nullable: 'no' }),
      /tables\.orders\.columns\.id\.nullable: /,
    ],
    [
      (s) => Object.assign(s.tables.orders!, { write_disposition: 'upsert' }),
      /tables\.orders\.write_disposition: /,
    ],
    [(s) => Object.assign(s.tables.orders!, { name: 'order' }), /tables\.orders\.name: is order, not orders/],
    [
      (s) => Object.assign(s.tables.orders!.columns.id!, { name: 'ID' }),
      /tables\.orders\.columns\.id\.name: is ID, not id/,
    ],
    [
      (s) => delete s.tables.orders,
      /tables\.orders__items\.parent: names table orders, which the schema lacks/,
    ],
    [
      (s) => delete (s as Partial<StoredSchema>).tables,
      /^invalid schema shop\/schemas\/shop\.json: tables: /,
    ],
  ])('refuses an edit that breaks it, naming the object and the field (%#)', (edit, message) => {
    expect(() => parseStoredSchema(schemaText(edit), KEY)).toThrow(message);
  });

  it('refuses text that is not JSON, naming the object', () => {
    expect(() => parseStoredSchema('{"name": ', KEY)).toThrow(
      /^invalid schema shop\/schemas\/shop\.json: not JSON/,
    );
  });
});
