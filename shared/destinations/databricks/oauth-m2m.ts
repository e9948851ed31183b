import { request } from 'node:https';

export interface OAuthM2MSettings {
  host: string;
  port: number;
  clientId: string;
  clientSecret: string;
  /** Extra CA to trust (a private workspace endpoint, or the local warehouse). */
  ca?: Buffer;
}

/** Renew this long before the token expires. */
const EARLY_MS = 60_000;

/**
 * OAuth machine-to-machine for a service principal, as Databricks documents it: the client
 * credentials grant at the workspace's `/oidc/v1/token`, scope `all-apis`, the token then sent
 * as a bearer token. Done here rather than by the driver so it works on any host and port; the
 * token is reused until a minute before it expires.
 */
export class OAuthM2MToken {
  private cached: { token: string; expiresAt: number } | undefined;

  constructor(
    private readonly settings: OAuthM2MSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached !== undefined && this.now() < this.cached.expiresAt - EARLY_MS) return this.cached.token;
    const { access_token, expires_in } = await this.fetch();
    this.cached = { token: access_token, expiresAt: this.now() + expires_in * 1000 };
    return access_token;
  }

  private fetch(): Promise<{ access_token: string; expires_in: number }> {
    const { host, port, clientId, clientSecret, ca } = this.settings;
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'all-apis' }).toString();
    const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
      'base64',
    );
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host,
          port,
          path: '/oidc/v1/token',
          method: 'POST',
          ...(ca && { ca }),
          headers: {
            authorization: `Basic ${basic}`,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: { access_token?: unknown; expires_in?: unknown; error?: unknown } = {};
            try {
              parsed = JSON.parse(text);
            } catch {}
            if (res.statusCode !== 200 || typeof parsed.access_token !== 'string') {
              // the statusCode lets the caller classify 401 as an authentication failure
              const error = Object.assign(
                new Error(
                  `OAuth M2M token request to https://${host}:${port}/oidc/v1/token failed: HTTP ${res.statusCode} ${String(parsed.error ?? '')}`.trim(),
                ),
                { statusCode: res.statusCode },
              );
              reject(error);
              return;
            }
            resolve({
              access_token: parsed.access_token,
              expires_in: typeof parsed.expires_in === 'number' ? parsed.expires_in : 3600,
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`OAuth M2M token request to ${host} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
