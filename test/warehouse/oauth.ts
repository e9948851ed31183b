import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TOKEN_SECONDS = 3600;

/**
 * Databricks' OAuth endpoints for machine-to-machine auth: OIDC discovery and a token endpoint
 * that grants short-lived access tokens for the client-credentials grant.
 */
export class OAuthServer {
  private readonly tokens = new Map<string, number>();
  private readonly signingKey = randomBytes(32);

  constructor(
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly tokenSeconds = TOKEN_SECONDS,
  ) {}

  /** Access tokens are JWTs, as Databricks issues them: the driver reads their `exp`. */
  private jwt(claims: object): string {
    const unsigned = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url(claims)}`;
    return `${unsigned}.${base64url(createHmac('sha256', this.signingKey).update(unsigned).digest())}`;
  }

  /** Whether a bearer token was issued here and has not expired. */
  accepts(token: string): boolean {
    const expires = this.tokens.get(token);
    return expires !== undefined && expires > Date.now();
  }

  /** Handles /oidc/* requests; false when the path is not an OAuth path. */
  handle(req: IncomingMessage, body: Buffer, res: ServerResponse, origin: string): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (
      path === '/oidc/.well-known/oauth-authorization-server' ||
      path === '/oidc/.well-known/openid-configuration'
    ) {
      json(res, 200, {
        issuer: `${origin}/oidc`,
        authorization_endpoint: `${origin}/oidc/v1/authorize`,
        token_endpoint: `${origin}/oidc/v1/token`,
        jwks_uri: `${origin}/oidc/jwks.json`,
        grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        scopes_supported: ['all-apis', 'offline_access'],
      });
      return true;
    }
    if (path === '/oidc/v1/token' && req.method === 'POST') {
      this.token(req, body, res);
      return true;
    }
    return false;
  }

  private token(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const form = new URLSearchParams(body.toString('utf8'));
    let [id, secret] = [form.get('client_id') ?? '', form.get('client_secret') ?? ''];
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      [id, secret] = [
        decodeURIComponent(decoded.slice(0, colon)),
        decodeURIComponent(decoded.slice(colon + 1)),
      ];
    }
    if (form.get('grant_type') !== 'client_credentials') {
      json(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'only client_credentials is supported here',
      });
      return;
    }
    if (!same(id, this.clientId) || !same(secret, this.clientSecret)) {
      json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      return;
    }
    const expires = Date.now() + this.tokenSeconds * 1000;
    const token = this.jwt({
      sub: id,
      scope: 'all-apis',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(expires / 1000),
      jti: randomBytes(12).toString('hex'),
    });
    this.tokens.set(token, expires);
    json(res, 200, {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.tokenSeconds,
      scope: form.get('scope') ?? 'all-apis',
    });
  }
}

function base64url(value: object | Buffer): string {
  return (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString('base64url');
}

function same(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}
