import {
  type DatabricksConfig,
  parseDatabricksConfig,
} from '../../shared/destinations/databricks/databricks-config.js';
import { DatabricksDestination } from '../../shared/destinations/databricks/databricks-destination.js';
import { namedCredential } from '../../shared/destinations/databricks/staging-credentials.js';
import type { LocalStackInfo } from '../warehouse/local-stack.js';

/** The local warehouse's Databricks settings: its token and CA, COPY INTO with its storage credential. */
export function localDatabricksConfig(stack: LocalStackInfo): DatabricksConfig {
  return parseDatabricksConfig(
    {
      server_hostname: stack.warehouse.host,
      port: stack.warehouse.port,
      http_path: stack.warehouse.httpPath,
      catalog: stack.warehouse.catalog,
      access_token: stack.warehouse.accessToken,
      ca_cert_file: stack.warehouse.caFile,
      staging_credentials_mode: 'credential',
      staging_credentials_name: stack.storageCredential,
    },
    'test',
  );
}

/** A Databricks destination on the local warehouse, reading staged files with its storage credential. */
export function openLocalDatabricks(stack: LocalStackInfo): Promise<DatabricksDestination> {
  return DatabricksDestination.open(localDatabricksConfig(stack), {
    credentials: namedCredential(stack.storageCredential),
  });
}
