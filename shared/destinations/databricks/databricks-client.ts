import { readFileSync } from 'node:fs';
import { DBSQLClient } from '@databricks/sql';
import type { SqlClient } from '../sql/sql-client.js';
import type { DatabricksConfig } from './databricks-config.js';
import { type ClassifiableError, classify, type Disposition, errorClassOf } from './error-classification.js';
import { OAuthM2MToken } from './oauth-m2m.js';
import { redactCredentials } from './staging-credentials.js';

export const USER_AGENT_ENTRY = 'sluice';

type Session = Awaited<ReturnType<DBSQLClient['openSession']>>;

/** A statement Databricks refused; the message is redacted, the SQLSTATE kept for classification. */
export class DatabricksSqlError extends Error {
  override name = 'DatabricksSqlError';
  readonly disposition: Disposition;
  constructor(
    message: string,
    readonly details: ClassifiableError,
  ) {
    super(message);
    this.disposition = classify(details);
  }

  get sqlState(): string | undefined {
    return this.details.sqlState;
  }

  /** The workspace refused the token or OAuth client: a rotated secret is worth re-reading. */
  get isAuthFailure(): boolean {
    const { httpStatus, sqlState } = this.details;
    return httpStatus === 401 || httpStatus === 403 || sqlState?.startsWith('28') === true;
  }
}

const RETRIES = 4;
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 20_000;

/** SqlClient over @databricks/sql: one connection and session, PAT or OAuth M2M. */
export class DatabricksClient implements SqlClient {
  private constructor(
    private readonly client: DBSQLClient,
    private readonly session: Session,
    private readonly queryTimeoutSeconds: number | undefined,
  ) {}

  static async connect(config: DatabricksConfig, schema?: string): Promise<DatabricksClient> {
    const client = new DBSQLClient({ logger: { log: () => undefined } });
    const common = {
      host: config.server_hostname,
      port: config.port,
      path: config.http_path,
      userAgentEntry: USER_AGENT_ENTRY,
      telemetryEnabled: false,
      ...(config.ca_cert_file && { customCaCert: readFileSync(config.ca_cert_file) }),
    };
    // dlt's rule: an OAuth pair, when complete, is used over a token
    const oauth =
      config.client_id !== undefined && config.client_secret !== undefined
        ? new OAuthM2MToken({
            host: config.server_hostname,
            port: config.port,
            clientId: config.client_id,
            clientSecret: config.client_secret,
            ...(common.customCaCert && { ca: common.customCaCert }),
          })
        : undefined;
    const auth = oauth
      ? { authType: 'external-token' as const, getToken: () => oauth.get() }
      : { token: config.access_token! };
    try {
      await client.connect({ ...common, ...auth } as Parameters<DBSQLClient['connect']>[0]);
      const session = await client.openSession({
        initialCatalog: config.catalog,
        ...(schema && { initialSchema: schema }),
      });
      return new DatabricksClient(client, session, config.query_timeout_seconds);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw wrap(error);
    }
  }

  async execute(sql: string): Promise<void> {
    await this.query(sql);
  }

  /**
   * Runs one statement. Transient failures are retried with exponential backoff and jitter: the
   * driver never retries ExecuteStatement itself, and a package's statements are safe to repeat
   * (COPY INTO skips loaded files; merges run from the staging tables).
   */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(sql);
      } catch (error) {
        const wrapped = wrap(error);
        if (wrapped.disposition === 'terminal' || attempt >= RETRIES) throw wrapped;
        const delay = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, delay / 2 + Math.random() * (delay / 2)));
      }
    }
  }

  private async once(sql: string): Promise<Record<string, unknown>[]> {
    const operation = await this.session.executeStatement(
      sql,
      this.queryTimeoutSeconds === undefined ? {} : { queryTimeout: this.queryTimeoutSeconds },
    );
    try {
      await operation.finished();
      return (await operation.fetchAll()) as Record<string, unknown>[];
    } finally {
      await operation.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
    await this.client.close();
  }
}

/** Driver errors become DatabricksSqlError with forwarded keys removed from the message. */
function wrap(error: unknown): DatabricksSqlError {
  if (error instanceof DatabricksSqlError) return error;
  const e = error as {
    message?: string;
    code?: unknown;
    statusCode?: number;
    response?: { sqlState?: string; displayMessage?: string };
  };
  const message = redactCredentials(e.response?.displayMessage ?? e.message ?? String(error));
  return new DatabricksSqlError(message, {
    sqlState: e.response?.sqlState,
    errorClass: errorClassOf(message),
    httpStatus: typeof e.statusCode === 'number' ? e.statusCode : undefined,
    networkCode: typeof e.code === 'string' && e.code.startsWith('E') ? e.code : undefined,
  });
}
