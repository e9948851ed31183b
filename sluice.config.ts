import { defineConfig } from './shared/config/pipelines.js';

/**
 * The pipelines this deployment runs; `cdk synth` and the three functions read this file.
 * Files dropped in the inbox bucket under a resource's `drop.prefix` load into its table.
 */
export default defineConfig({
  pipelines: [
    {
      name: 'shop',
      dataset: 'shop',
      resources: [
        { name: 'orders', writeDisposition: 'merge', primaryKey: ['id'], drop: { prefix: 'inbox/orders/' } },
        {
          name: 'customers',
          writeDisposition: 'merge',
          primaryKey: ['id'],
          drop: { prefix: 'inbox/customers/' },
        },
        { name: 'events', writeDisposition: 'append', drop: { prefix: 'inbox/events/' } },
      ],
    },
  ],
});
