import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageStorage, packageStorageSpec } from '../../shared/cli/targets.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';

describe('where the CLI keeps packages', () => {
  const env = { DESTINATION__FILESYSTEM__BUCKET_URL: 's3://staging/sluice/dev', AWS_REGION: 'eu-west-1' };

  it('is a local folder for DuckDB and the dlt staging bucket URL for Databricks, as a spec workers open', () => {
    expect(packageStorageSpec('duckdb', '.sluice', env)).toEqual({ kind: 'local', root: resolve('.sluice') });
    expect(packageStorageSpec('databricks', '.sluice', env)).toEqual({
      kind: 's3',
      bucket: 'staging',
      prefix: 'sluice/dev',
    });
    expect(
      packageStorageSpec('databricks', '.sluice', { DESTINATION__FILESYSTEM__BUCKET_URL: 's3://b' }),
    ).toEqual({ kind: 's3', bucket: 'b', prefix: '' });
    expect(packageStorage('duckdb', '.sluice', env)).toBeInstanceOf(LocalFileStorage);
    const s3 = packageStorage('databricks', '.sluice', env);
    expect(s3).toBeInstanceOf(S3FileStorage);
    expect(s3.url('p/x.parquet')).toBe('s3://staging/sluice/dev/p/x.parquet');
  });

  it('refuses Databricks without an S3 staging URL, saying which variable to set', () => {
    for (const url of [undefined, 'gs://bucket/x', 'staging'])
      expect(() =>
        packageStorageSpec('databricks', '.sluice', { DESTINATION__FILESYSTEM__BUCKET_URL: url }),
      ).toThrow(/DESTINATION__FILESYSTEM__BUCKET_URL to s3:\/\/bucket/);
  });
});
