import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretRef } from '../sources/rest/rest-config.js';

/** Turns a secret reference from the configuration into its value. */
export interface SecretResolver {
  resolve(ref: SecretRef): Promise<string>;
}

/**
 * Secrets from Secrets Manager (a whole secret, or one field of a JSON secret) and from the
 * environment, each secret fetched once per container. Errors name the secret, never a value.
 */
export class SecretValues implements SecretResolver {
  private readonly cache = new Map<string, Promise<string>>();

  constructor(
    private readonly client: SecretsManagerClient | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async resolve(ref: SecretRef): Promise<string> {
    if ('env' in ref) {
      const value = this.env[ref.env];
      if (value === undefined || value === '') throw new Error(`environment variable ${ref.env} is not set`);
      return value;
    }
    if (this.client === undefined)
      throw new Error(`secret ${ref.secretId}: no Secrets Manager client configured`);
    let text = this.cache.get(ref.secretId);
    if (text === undefined) {
      text = this.fetch(ref.secretId);
      this.cache.set(ref.secretId, text);
      text.catch(() => this.cache.delete(ref.secretId));
    }
    const value = await text;
    if (ref.key === undefined) return value;
    let field: unknown;
    try {
      field = (JSON.parse(value) as Record<string, unknown>)[ref.key];
    } catch {
      throw new Error(`secret ${ref.secretId} is not JSON, so it has no field ${ref.key}`);
    }
    if (typeof field !== 'string' || field === '')
      throw new Error(`secret ${ref.secretId} has no field ${ref.key}`);
    return field;
  }

  private async fetch(secretId: string): Promise<string> {
    const response = await this.client!.send(new GetSecretValueCommand({ SecretId: secretId }));
    const text =
      response.SecretString ??
      (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : '');
    if (text === '') throw new Error(`secret ${secretId} is empty`);
    return text;
  }
}
