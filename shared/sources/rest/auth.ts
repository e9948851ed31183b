import type { SecretResolver } from '../../config/secret-values.js';
import { request } from './http-client.js';
import type { RestAuth } from './rest-config.js';

export interface Credentials {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** Applies an API's authentication to each request; an OAuth token is reused until it expires. */
export class Authenticator {
  private token: { value: string; expiresAt: number } | undefined;

  constructor(
    private readonly auth: RestAuth | undefined,
    private readonly secrets: SecretResolver,
    private readonly now: () => number = Date.now,
  ) {}

  async credentials(): Promise<Credentials> {
    const auth = this.auth;
    if (auth === undefined) return { headers: {}, query: {} };
    switch (auth.type) {
      case 'bearer':
        return { headers: { authorization: `Bearer ${await this.secrets.resolve(auth.token)}` }, query: {} };
      case 'api_key': {
        const key = await this.secrets.resolve(auth.apiKey);
        return auth.location === 'header'
          ? { headers: { [auth.name]: key }, query: {} }
          : { headers: {}, query: { [auth.name]: key } };
      }
      case 'http_basic': {
        const password = await this.secrets.resolve(auth.password);
        const encoded = Buffer.from(`${auth.username}:${password}`).toString('base64');
        return { headers: { authorization: `Basic ${encoded}` }, query: {} };
      }
      case 'oauth2_client_credentials':
        return { headers: { authorization: `Bearer ${await this.oauthToken(auth)}` }, query: {} };
    }
  }

  /** The client-credentials grant; renewed a minute before it expires. */
  private async oauthToken(auth: Extract<RestAuth, { type: 'oauth2_client_credentials' }>): Promise<string> {
    if (this.token !== undefined && this.now() < this.token.expiresAt) return this.token.value;
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: auth.clientId,
      client_secret: await this.secrets.resolve(auth.clientSecret),
      ...(auth.scope && { scope: auth.scope }),
    });
    const response = await request(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      maxAttempts: 3,
      timeoutMs: 30_000,
    });
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string')
      throw new Error(`token endpoint ${auth.tokenUrl} returned no access_token`);
    const seconds = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    this.token = { value: body.access_token, expiresAt: this.now() + Math.max(0, seconds - 60) * 1000 };
    return this.token.value;
  }
}
