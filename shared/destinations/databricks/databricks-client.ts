import { readFileSync } from 'node:fs';
import { DBSQLClient } from '@databricks/sql';
import type { SqlClient } from '../sql/sql-client.js';
import type { DatabricksConfig } from './databricks-config.js';
import { redactCredentials } from './staging-credentials.js';

export const USER_AGENT_ENTRY = 'sluice';

type Session = Awaited<ReturnType<DBSQLClient['openSession']>>;

/** A statement Databricks refused; the message is redacted, the SQLSTATE kept for classification. */
export class DatabricksSqlError extends Error {
  override name = 'DatabricksSqlError';
  constructor(
    message: string,
    readonly sqlState: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** SqlClient over @databricks/sql: one connection and session, PAT or OAuth M2M. */
export class DatabricksClient implements SqlClient {
  private constructor(
    private readonly client: DBSQLClient,
    private readonly session: Session,
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
    const auth =
      config.client_id !== undefined
        ? {
            authType: 'databricks-oauth' as const,
            oauthClientId: config.client_id,
            oauthClientSecret: config.client_secret,
          }
        : { token: config.access_token! };
    try {
      await client.connect({ ...common, ...auth } as Parameters<DBSQLClient['connect']>[0]);
      const session = await client.openSession({
        initialCatalog: config.catalog,
        ...(schema && { initialSchema: schema }),
      });
      return new DatabricksClient(client, session);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw wrap(error);
    }
  }

  async execute(sql: string): Promise<void> {
    await this.query(sql);
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    try {
      const operation = await this.session.executeStatement(sql);
      try {
        await operation.finished();
        return (await operation.fetchAll()) as Record<string, unknown>[];
      } finally {
        await operation.close().catch(() => undefined);
      }
    } catch (error) {
      throw wrap(error);
    }
  }

  async close(): Promise<void> {
    await this.session.close().catch(() => undefined);
    await this.client.close();
  }
}

/** Driver errors become DatabricksSqlError with forwarded keys removed from the message. */
function wrap(error: unknown): DatabricksSqlError {
  const e = error as { message?: string; response?: { sqlState?: string; displayMessage?: string } };
  const message = redactCredentials(e.response?.displayMessage ?? e.message ?? String(error));
  return new DatabricksSqlError(message, e.response?.sqlState);
}
