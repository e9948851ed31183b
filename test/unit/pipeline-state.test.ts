import { describe, expect, it } from 'vitest';
import { nextState, pipelineStateSchema } from '../../shared/pipeline/state.js';

const SHOP = { pipeline: 'shop', dataset: 'shop_data', schemaName: 'shop' };
const DATABRICKS = { type: 'dlt.destinations.databricks', staging: 'dlt.destinations.filesystem' };

describe('the pipeline state', () => {
  it('names the destination and its staging as dlt does, keeping a name dlt was given while the type stays', () => {
    const first = nextState(undefined, { ...SHOP, destination: DATABRICKS })!;
    expect(first).toMatchObject({
      _state_version: 1,
      destination_type: 'dlt.destinations.databricks',
      destination_name: null,
      staging_type: 'dlt.destinations.filesystem',
      staging_name: null,
    });
    // nothing changed: no new version, as dlt writes no state row then
    expect(nextState(first, { ...SHOP, destination: DATABRICKS })).toBeUndefined();

    const named = { ...first, destination_name: 'warehouse', staging_name: 'landing' };
    expect(nextState(named, { ...SHOP, destination: DATABRICKS })).toMatchObject({
      destination_name: 'warehouse',
      staging_name: 'landing',
    });
    // into another destination: its type, no name, and dlt's staging keys stay as dlt leaves them
    expect(nextState(named, { ...SHOP, destination: { type: 'dlt.destinations.duckdb' } })).toMatchObject({
      _state_version: 2,
      destination_type: 'dlt.destinations.duckdb',
      destination_name: null,
      staging_type: 'dlt.destinations.filesystem',
      staging_name: 'landing',
    });
  });

  it('keeps the keys of a state written by dlt that Sluice does not use', () => {
    const fromDlt = pipelineStateSchema.parse({
      _state_version: 7,
      _state_engine_version: 4,
      _version_hash: 'old',
      pipeline_name: 'shop',
      dataset_name: 'shop_data',
      default_schema_name: 'shop',
      schema_names: ['shop'],
      sources: {},
      destination_type: 'dlt.destinations.duckdb',
      destination_name: null,
      a_future_key: { kept: true },
    });

    const next = nextState(fromDlt, { ...SHOP, destination: { type: 'dlt.destinations.duckdb' } })!;

    expect(next).toMatchObject({ _state_version: 8, a_future_key: { kept: true } });
    expect(nextState(next, { ...SHOP, destination: { type: 'dlt.destinations.duckdb' } })).toBeUndefined();
  });
});
