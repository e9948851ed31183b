import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  type DatabricksConfig,
  parseDatabricksConfig,
} from '../destinations/databricks/databricks-config.js';
import { readSecretText } from './secret-values.js';

/** Secrets Manager's own extension caches for 300 s; we keep the same default. */
export const SECRET_TTL_MS = 300_000;

/**
 * The Databricks configuration from one Secrets Manager secret (JSON with dlt's key names, flat
 * or under `credentials`), fetched once and kept for a TTL across warm invocations. `refresh()`
 * drops the cached value, e.g. after an authentication failure when the token was rotated.
 */
export class DatabricksSecret {
  private cached: { config: DatabricksConfig; at: number } | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    readonly secretId: string,
    private readonly ttlMs = SECRET_TTL_MS,
    private readonly now: () => number = Date.now,
    /** Settings the secret may leave out (the stack's read-only role for forward mode). */
    private readonly defaults: Record<string, unknown> = {},
  ) {}

  async get(): Promise<DatabricksConfig> {
    if (this.cached !== undefined && this.now() - this.cached.at < this.ttlMs) return this.cached.config;
    const text = await readSecretText(this.client, this.secretId);
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(
        `secret ${this.secretId} is not JSON: fill it with the Databricks settings as a JSON object`,
      );
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
      throw new Error(`secret ${this.secretId} must hold a JSON object`);
    const { credentials, ...rest } = raw as Record<string, unknown>;
    const flat = {
      ...this.defaults,
      ...rest,
      ...(credentials !== null && typeof credentials === 'object'
        ? (credentials as Record<string, unknown>)
        : {}),
    };
    const config = parseDatabricksConfig(flat, `Secrets Manager secret ${this.secretId}`);
    this.cached = { config, at: this.now() };
    return config;
  }

  refresh(): void {
    this.cached = undefined;
  }
}
