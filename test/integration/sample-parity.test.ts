import { describe, expect, it } from 'vitest';
import type { StoredSchema } from '../../shared/schema/types.js';
import { localPipeline } from '../support/local-run.js';
import { tempDir } from '../support/temp-dir.js';

// What dlt 1.26.0 infers for the same files (pipeline.run(orders, table_name="orders") etc.).
const DLT_SCHEMA: Record<string, [string | undefined, string[]]> = {
  orders: [
    undefined,
    [
      'order_id:bigint',
      'placed_at:timestamp',
      'customer_name:text',
      'totalx:double',
      'is_gift:bool',
      'status_code:bigint',
      'shipping_address__city:text',
      'shipping_address__zip_code:text',
      'shipping_address__geo__lat:double',
      'shipping_address__geo__lon:double',
      '_dlt_load_id:text',
      '_dlt_id:text',
      'coupon:text',
      'status_code__v_text:text',
    ],
  ],
  orders__items: [
    'orders',
    [
      'sku:text',
      'qty:bigint',
      'unit_price:double',
      '_dlt_parent_id:text',
      '_dlt_list_idx:bigint',
      '_dlt_id:text',
    ],
  ],
  orders__items__tags: [
    'orders__items',
    ['value:text', '_dlt_parent_id:text', '_dlt_list_idx:bigint', '_dlt_id:text'],
  ],
  orders__dimensions: ['orders', ['_dlt_parent_id:text', '_dlt_list_idx:bigint', '_dlt_id:text']],
  orders__dimensions__list: [
    'orders__dimensions',
    ['value:bigint', '_dlt_parent_id:text', '_dlt_list_idx:bigint', '_dlt_id:text'],
  ],
  events: [
    undefined,
    [
      'event_type:text',
      'at:timestamp',
      'payload__page:text',
      'payload__meta__ref:text',
      '_dlt_load_id:text',
      '_dlt_id:text',
    ],
  ],
  events__scores: ['events', ['value:double', '_dlt_parent_id:text', '_dlt_list_idx:bigint', '_dlt_id:text']],
};

describe('the shipped sample dataset', () => {
  it('gives the tables, columns, types and parents dlt gives', async () => {
    const p = await localPipeline(await tempDir());

    await p.run({ name: 'orders' }, { files: ['test/fixtures/sample/orders.jsonl'] });
    const info = await p.run({ name: 'events' }, { files: ['test/fixtures/sample/events.json.gz'] });

    const stored = JSON.parse(
      (await p.storage.get('test_pipeline/schemas/test_pipeline.json'))!.body.toString(),
    ) as StoredSchema;
    const ours = Object.fromEntries(
      Object.values(stored.tables)
        .filter((t) => !t.name.startsWith('_dlt'))
        .map((t) => [t.name, [t.parent, Object.values(t.columns).map((c) => `${c.name}:${c.data_type}`)]]),
    );
    expect(ours).toEqual(DLT_SCHEMA);
    expect(info.jobs.tables.events__scores?.rows).toBe(43);
    const variants = await p.query(
      'SELECT count(*) AS n FROM test_data.orders WHERE status_code__v_text IS NOT NULL',
    );
    expect(Number(variants[0]!.n)).toBeGreaterThan(0);
  });
});
