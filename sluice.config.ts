import { defineConfig } from './shared/config/pipelines.js';

/**
 * The pipelines this deployment runs; `cdk synth` and the three functions read this file, and
 * `npx sluice pull --pipeline NAME` runs a pulled pipeline locally. Files dropped in the inbox
 * bucket under a resource's `drop.prefix` load into its table; `npx sluice drop --pipeline NAME
 * inbox/orders/a.jsonl` loads a local file the same way, before deploying.
 *
 * A pulled pipeline, for example (secrets come from Secrets Manager, or `{ env: 'NAME' }` locally):
 *
 *   {
 *     name: 'crm',
 *     dataset: 'crm',
 *     schedules: [{ expression: 'rate(1 hour)' }],
 *     resources: [
 *       {
 *         name: 'contacts',
 *         writeDisposition: 'merge',
 *         primaryKey: ['id'],
 *         source: {
 *           kind: 'rest_api',
 *           baseUrl: 'https://api.example.com/v2/',
 *           path: 'contacts',
 *           dataSelector: 'data',
 *           paginator: { type: 'cursor', cursorPath: 'next_cursor', cursorParam: 'cursor' },
 *           auth: { type: 'bearer', token: { secretId: 'crm/api', key: 'token' } },
 *           incremental: { cursorPath: 'updated_at', param: 'updated_since', initialValue: '2024-01-01T00:00:00Z' },
 *         },
 *       },
 *       {
 *         name: 'invoices',
 *         writeDisposition: 'merge', // the primary key comes from the Postgres catalog
 *         source: {
 *           kind: 'postgres',
 *           connection: { secretId: 'neon/billing', key: 'url' },
 *           table: 'public.invoices',
 *           incremental: { cursorColumn: 'updated_at', initialValue: '2024-01-01T00:00:00Z' },
 *         },
 *       },
 *     ],
 *   }
 */
export default defineConfig({
  pipelines: [
    {
      name: 'shop',
      dataset: 'shop',
      resources: [
        {
          name: 'orders',
          writeDisposition: 'merge',
          primaryKey: ['id'],
          drop: { prefix: 'inbox/orders/' },
        },
        {
          name: 'customers',
          writeDisposition: 'merge',
          primaryKey: ['id'],
          drop: { prefix: 'inbox/customers/' },
        },
        {
          name: 'events',
          writeDisposition: 'append',
          onBadRecord: 'quarantine',
          drop: { prefix: 'inbox/events/' },
        },
      ],
    },
  ],
});
