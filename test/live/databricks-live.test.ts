import { randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseDatabricksConfig } from '../../shared/destinations/databricks/databricks-config.js';
import { DatabricksDestination } from '../../shared/destinations/databricks/databricks-destination.js';
import { run } from '../../shared/pipeline/run.js';
import { S3FileStorage } from '../../shared/storage/s3-storage.js';

// The same scenario as the local-warehouse suite, against a real workspace and bucket. It runs
// only when these are set; CI has neither, so it reports itself skipped.
const env = process.env;
const live =
  env.DATABRICKS_SERVER_HOSTNAME !== undefined &&
  env.DATABRICKS_HTTP_PATH !== undefined &&
  (env.DATABRICKS_TOKEN !== undefined ||
    (env.DATABRICKS_CLIENT_ID !== undefined && env.DATABRICKS_CLIENT_SECRET !== undefined)) &&
  env.SLUICE_LIVE_STAGING_URL !== undefined &&
  env.DATABRICKS_STAGING_CREDENTIAL !== undefined;

if (!live) {
  console.log(
    'live Databricks suite skipped: set DATABRICKS_SERVER_HOSTNAME, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN (or DATABRICKS_CLIENT_ID and DATABRICKS_CLIENT_SECRET), SLUICE_LIVE_STAGING_URL (s3://bucket/prefix) and DATABRICKS_STAGING_CREDENTIAL (a Unity Catalog storage credential for it) to run it',
  );
}

describe.skipIf(!live)('live Databricks workspace (skipped unless its credentials are set)', () => {
  it('loads nested data with a named storage credential and records the load', async () => {
    const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(env.SLUICE_LIVE_STAGING_URL!)!;
    const config = parseDatabricksConfig(
      {
        server_hostname: env.DATABRICKS_SERVER_HOSTNAME,
        http_path: env.DATABRICKS_HTTP_PATH,
        catalog: env.DATABRICKS_CATALOG ?? 'main',
        access_token: env.DATABRICKS_TOKEN,
        client_id: env.DATABRICKS_CLIENT_ID,
        client_secret: env.DATABRICKS_CLIENT_SECRET,
        staging_credentials_mode: 'credential',
        staging_credentials_name: env.DATABRICKS_STAGING_CREDENTIAL,
      },
      'live test environment',
    );
    const dataset = `sluice_live_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
    const storage = new S3FileStorage(new S3Client({}), bucket!, `${prefix}/${dataset}`);
    const destination = await DatabricksDestination.open(config);
    try {
      const info = await run({
        storage,
        pipeline: 'live',
        dataset,
        destination,
        resources: [
          {
            // a date before 1582-10-15 (Go's zero time): the Parquet COPY INTO names the files' calendar
            hints: { name: 'users', columns: { born: { data_type: 'date' } } },
            items: [{ id: 1, name: 'Alice', born: '0001-01-01', pets: [{ id: 1, name: 'Fluffy' }] }],
          },
        ],
      });
      expect(info.outcome.status).toBe('loaded');
      expect(await destination.client.query(`SELECT count(*) AS n FROM ${dataset}.users__pets`)).toEqual([
        { n: 1 },
      ]);
      expect(
        await destination.client.query(`SELECT CAST(born AS STRING) AS born FROM ${dataset}.users`),
      ).toEqual([{ born: '0001-01-01' }]);
      await destination.client.execute(`DROP SCHEMA ${dataset} CASCADE`);
    } finally {
      await destination.close();
    }
  });
});
