import { describe, expect, it } from 'vitest';
import { applyResourceHints } from '../../shared/normalize/resource.js';
import { loadPipelineSchema } from '../../shared/pipeline/schema-store.js';
import { mergeSchemas } from '../../shared/schema/merge.js';
import { emptySchema, Schema } from '../../shared/schema/schema.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { tempDir } from '../support/temp-dir.js';

describe("dlt's parts of a schema", () => {
  it("gives a new schema dlt's own tables, default hints and normalizers", () => {
    const schema = emptySchema('shop');
    expect(Object.keys(schema.tables)).toEqual(['_dlt_version', '_dlt_loads']);
    expect(schema.tables._dlt_loads?.columns.load_id).toMatchObject({ data_type: 'text', precision: 64 });
    expect(schema.tables._dlt_version?.write_disposition).toBe('skip');
    expect(schema.settings.default_hints?.row_key).toEqual(['_dlt_id']);
    expect(schema.normalizers).toEqual({
      names: 'snake_case',
      json: { module: 'dlt.common.normalizers.json.relational' },
    });
  });

  it('adds them to a schema stored without them, which then takes a new version', async () => {
    const storage = new LocalFileStorage(await tempDir());
    const old = {
      name: 'shop',
      version: 3,
      version_hash: 'old-hash',
      previous_hashes: [],
      engine_version: 11,
      tables: { users: { name: 'users', columns: { id: { name: 'id', data_type: 'bigint' } } } },
      settings: { detections: ['iso_timestamp'] },
    };
    await storage.put('shop/schemas/shop.json', JSON.stringify(old));

    const loaded = await loadPipelineSchema(storage, 'shop', 'shop');

    expect(Object.keys(loaded.tables)).toEqual(['users', '_dlt_version', '_dlt_loads']);
    expect(loaded.normalizers?.names).toBe('snake_case');
    const stored = new Schema(loaded).toStored();
    expect(stored.version).toBe(4);
    expect(stored.previous_hashes).toEqual(['old-hash']);
  });

  it('records root key propagation for merge tables that delete by root key, and merges it', () => {
    const a = new Schema(emptySchema('shop'));
    applyResourceHints(a, { name: 'orders', writeDisposition: 'merge', primaryKey: ['id'] });
    applyResourceHints(a, { name: 'history', writeDisposition: 'merge', mergeStrategy: 'scd2' });
    const b = new Schema(emptySchema('shop'));
    applyResourceHints(b, {
      name: 'users',
      writeDisposition: 'merge',
      mergeStrategy: 'upsert',
      primaryKey: ['id'],
    });

    const merged = mergeSchemas(a.toStored(), b.toStored());

    // scd2 hashes whole rows and keeps no root key: no propagation for it
    expect(merged.normalizers?.json.config?.propagation?.tables).toEqual({
      orders: { _dlt_id: '_dlt_root_id' },
      users: { _dlt_id: '_dlt_root_id' },
    });
  });
});
