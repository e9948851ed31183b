import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, inject, it } from 'vitest';
import { DatabricksSecret } from '../../shared/config/databricks-secret.js';

const stack = inject('localStack');
const client = () =>
  new SecretsManagerClient({
    endpoint: stack.aws.endpoint,
    region: stack.aws.region,
    credentials: stack.aws,
  });
const settings = (token: string) => ({
  credentials: {
    server_hostname: 'dbc-1.cloud.databricks.com',
    http_path: '/sql/1.0/warehouses/w',
    catalog: 'main',
    access_token: token,
  },
  staging_credentials_mode: 'external_location',
});

describe('Databricks settings from Secrets Manager (moto)', () => {
  it('reads once, serves the cache within the TTL, and re-reads after refresh or expiry', async () => {
    const sm = client();
    const name = `sluice/databricks/${randomUUID()}`;
    await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: JSON.stringify(settings('dapi-first-token')) }),
    );
    let now = 1_000_000;
    const secret = new DatabricksSecret(sm, name, 300_000, () => now);

    const first = await secret.get();
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: JSON.stringify(settings('dapi-rotated-token')),
      }),
    );
    const cached = await secret.get();
    secret.refresh();
    const refreshed = await secret.get();
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: JSON.stringify(settings('dapi-third-token')),
      }),
    );
    now += 300_001;
    const expired = await secret.get();

    expect([first.access_token, cached.access_token, refreshed.access_token, expired.access_token]).toEqual([
      'dapi-first-token',
      'dapi-first-token',
      'dapi-rotated-token',
      'dapi-third-token',
    ]);
    expect(first).toMatchObject({
      server_hostname: 'dbc-1.cloud.databricks.com',
      staging_credentials_mode: 'external_location',
    });
  });

  it('names the secret and the missing settings, never the values', async () => {
    const sm = client();
    const name = `sluice/databricks/${randomUUID()}`;
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({ access_token: 'dapi-secret-value' }),
      }),
    );
    const attempt = new DatabricksSecret(sm, name).get();
    await expect(attempt).rejects.toThrow(new RegExp(`secret ${name}.*server_hostname`));
    await expect(new DatabricksSecret(sm, name).get()).rejects.not.toThrow(/dapi-secret-value/);
  });
});
