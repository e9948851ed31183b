import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePipeline } from '../../shared/cli/info.js';
import { packageKeys, pipelineKeys } from '../../shared/package/layout.js';
import { nextState } from '../../shared/pipeline/state.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { tempDir } from '../support/temp-dir.js';
import { normalizeItems } from './normalize-helpers.js';

describe('sluice info', () => {
  it("shows the data tables and each package's stage, and why a failed one failed, whatever its marker holds", async () => {
    const storage = new LocalFileStorage(join(await tempDir(), 'storage'));
    const { schema } = normalizeItems([{ id: 1, tags: ['a'] }], { name: 'orders' });
    await storage.put(pipelineKeys.schema('shop', 'shop'), JSON.stringify(schema.toStored()));
    const pkg = (id: string) => `shop/packages/${id}/`;
    await storage.put(packageKeys.stage(pkg('1700000001.000000'), 'extracted'), '');
    await storage.put(
      packageKeys.stage(pkg('1700000001.000000'), 'failed'),
      JSON.stringify({ stage: 'load', error: 'COPY INTO refused the file' }),
    );
    await storage.put(packageKeys.stage(pkg('1700000002.000000'), 'extracted'), '');
    // a marker written by an older version, or by hand, is not JSON
    await storage.put(packageKeys.stage(pkg('1700000002.000000'), 'failed'), 'disk full\n');
    await storage.put(packageKeys.stage(pkg('1700000003.000000'), 'extracted'), '');

    const text = await describePipeline(storage, 'shop');

    expect(text).toMatch(/^\s+orders__tags \(nested in orders\)$/m);
    // dlt's own bookkeeping tables are in every schema and not listed
    expect(text).not.toMatch(/_dlt_version|_dlt_loads/);
    expect(text).toMatch(/^\s+1700000003\.000000\s+extracted \(pending\)\s*$/m);
    expect(text).toMatch(/^\s+1700000002\.000000\s+failed\s+disk full$/m);
    expect(text).toMatch(/^\s+1700000001\.000000\s+failed\s+COPY INTO refused the file$/m);
    expect(text).not.toContain('state version');
  });

  it("shows a column's precision, scale and naive time as its type says them", async () => {
    const storage = new LocalFileStorage(join(await tempDir(), 'storage'));
    const { schema } = normalizeItems([{ amount: '10.50', small: 3, at: '2024-05-01T10:00:00', note: 'x' }], {
      name: 'orders',
      columns: {
        amount: { data_type: 'decimal', precision: 10, scale: 2 },
        small: { data_type: 'bigint', precision: 16 },
        at: { data_type: 'timestamp', precision: 3, timezone: false },
      },
    });
    await storage.put(pipelineKeys.schema('shop', 'shop'), JSON.stringify(schema.toStored()));

    const text = await describePipeline(storage, 'shop');

    expect(text).toMatch(/^\s+amount\s+decimal\(10,2\)\s*$/m);
    expect(text).toMatch(/^\s+small\s+bigint\(16\)\s*$/m);
    expect(text).toMatch(/^\s+at\s+timestamp\(3\) naive\s*$/m);
    expect(text).toMatch(/^\s+note\s+text\s*$/m);
  });

  it('shows the state version and where each incremental cursor stands', async () => {
    const storage = new LocalFileStorage(join(await tempDir(), 'storage'));
    const { schema } = normalizeItems([{ id: 1 }], { name: 'users' });
    await storage.put(pipelineKeys.schema('shop', 'shop'), JSON.stringify(schema.toStored()));
    const cursor = (last: unknown) => ({ initial_value: 0, last_value: last, unique_hashes: [] });
    const state = nextState(undefined, {
      pipeline: 'shop',
      dataset: 'shop_data',
      schemaName: 'shop',
      sources: {
        shop_api: { resources: { users: { incremental: { updated_at: cursor('2024-05-01T00:00:00Z') } } } },
        ledger: { resources: { entries: { incremental: { id: cursor(42) } } } },
        // what a source keeps besides cursors is not listed
        notes: { something: ['else'] },
      },
    })!;
    await storage.put(pipelineKeys.state('shop'), JSON.stringify(state));

    const text = await describePipeline(storage, 'shop');

    expect(text).toContain(`state version 1 (${state._version_hash})`);
    expect(text).toMatch(/^\s+shop_api\s+users\s+updated_at\s+"2024-05-01T00:00:00Z"$/m);
    expect(text).toMatch(/^\s+ledger\s+entries\s+id\s+42$/m);
    expect(text).not.toContain('notes');
  });
});
