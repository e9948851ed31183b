import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';

/** A secret value: a Secrets Manager secret (a JSON field of it, or all of it), or an environment variable. */
export const secretRefSchema = z.union([
  z.object({ secretId: z.string().min(1), key: z.string().min(1).optional() }).strict(),
  z.object({ env: z.string().min(1) }).strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

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
      text = readSecretText(this.client, ref.secretId).then((value) => {
        if (value === '') throw new Error(`secret ${ref.secretId} is empty`);
        return value;
      });
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
}

/** The text of a secret, stored as a string or as binary ('' when it holds neither). */
export async function readSecretText(client: SecretsManagerClient, secretId: string): Promise<string> {
  const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  return (
    response.SecretString ??
    (response.SecretBinary ? Buffer.from(response.SecretBinary).toString('utf8') : '')
  );
}
