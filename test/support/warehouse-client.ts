import { DBSQLClient } from '@databricks/sql';
import type { LocalStackInfo } from '../warehouse/local-stack.js';

type Session = Awaited<ReturnType<DBSQLClient['openSession']>>;

export type WarehouseAuth = { token: string } | { clientId: string; clientSecret: string };

/** A real @databricks/sql client and session on the local warehouse. */
export async function openWarehouseSession(
  stack: LocalStackInfo,
  auth: WarehouseAuth = { token: stack.warehouse.accessToken },
  namespace: { initialCatalog?: string; initialSchema?: string } = {
    initialCatalog: stack.warehouse.catalog,
  },
): Promise<{
  client: DBSQLClient;
  session: Session;
  query: (sql: string) => Promise<Record<string, unknown>[]>;
  close: () => Promise<void>;
}> {
  const w = stack.warehouse;
  const client = new DBSQLClient({ logger: quietLogger });
  const common = {
    port: w.port,
    path: w.httpPath,
    customCaCert: Buffer.from(w.caCert),
    telemetryEnabled: false,
  };
  if ('token' in auth) await client.connect({ host: w.host, token: auth.token, ...common } as never);
  else
    await client.connect({
      host: w.workspaceHost,
      authType: 'databricks-oauth',
      oauthClientId: auth.clientId,
      oauthClientSecret: auth.clientSecret,
      ...common,
    } as never);
  const session = await client.openSession(namespace);
  const query = async (sql: string) => {
    const operation = await session.executeStatement(sql);
    try {
      await operation.finished();
      return (await operation.fetchAll()) as Record<string, unknown>[];
    } finally {
      await operation.close();
    }
  };
  return {
    client,
    session,
    query,
    close: async () => {
      await session.close();
      await client.close();
    },
  };
}

const quietLogger = { log: () => undefined };
