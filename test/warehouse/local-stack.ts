import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_WORKSPACE_HOST, routeLocalWorkspace } from '../support/workspace-dns.js';
import { startLocalWarehouse, type WarehouseEndpoint } from './local-warehouse.js';
import { startMoto } from './moto.js';
import { warehousePython } from './python-tooling.js';

/** What tests and people need to reach the local stack; secrets here are throwaway test values. */
export interface LocalStackInfo {
  aws: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  stagingBucket: string;
  /** A read-only role in moto's IAM that forward mode assumes for COPY INTO. */
  copyRoleArn: string;
  /** The warehouse, plus the name OAuth clients use (resolved to `host` in-process, see workspace-dns.ts). */
  warehouse: WarehouseEndpoint & { workspaceHost: string };
  /** A Unity Catalog storage credential the warehouse knows, and a prefix an external location covers. */
  storageCredential: string;
  externalLocation: string;
  sparkStartupSeconds: number;
  logDir: string;
}

const BOOTSTRAP_CALLS = 3;

/** Creates the test user's admin keys in moto's IAM: exactly BOOTSTRAP_CALLS unsigned-key calls. */
async function bootstrapIam(
  endpoint: string,
  region: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const iam = new IAMClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' },
  });
  const allowAll = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  });
  await iam.send(new CreateUserCommand({ UserName: 'sluice-tests' }));
  await iam.send(
    new PutUserPolicyCommand({ UserName: 'sluice-tests', PolicyName: 'admin', PolicyDocument: allowAll }),
  );
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'sluice-tests' }));
  iam.destroy();
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

async function createCopyReaderRole(
  endpoint: string,
  region: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Promise<string> {
  const iam = new IAMClient({ endpoint, region, credentials });
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
  };
  const read = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }],
  };
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: 'sluice-copy-reader',
      AssumeRolePolicyDocument: JSON.stringify(trust),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'sluice-copy-reader',
      PolicyName: 'read',
      PolicyDocument: JSON.stringify(read),
    }),
  );
  iam.destroy();
  return Role!.Arn!;
}

/** Starts moto and the local Databricks warehouse, and creates the staging bucket. */
export async function startLocalStack(): Promise<{ info: LocalStackInfo; stop: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-stack-'));
  const python = await warehousePython();
  // IAM is enforced after the bootstrap calls, so wrong or unknown keys are refused like on AWS
  const moto = await startMoto(python, join(dir, 'moto.log'), {
    INITIAL_NO_AUTH_ACTION_COUNT: String(BOOTSTRAP_CALLS),
  });
  const keys = await bootstrapIam(moto.endpoint, moto.region);
  const stagingBucket = 'sluice-staging';
  const s3 = new S3Client({
    endpoint: moto.endpoint,
    region: moto.region,
    forcePathStyle: true,
    credentials: keys,
  });
  await s3.send(new CreateBucketCommand({ Bucket: stagingBucket }));
  s3.destroy();
  const copyRoleArn = await createCopyReaderRole(moto.endpoint, moto.region, keys);
  const storageCredential = 'sluice_local_storage';
  const externalLocation = `s3://${stagingBucket}/external/`;
  const warehouse = await startLocalWarehouse({
    dir: join(dir, 'warehouse'),
    python,
    s3: { endpoint: moto.endpoint, region: moto.region },
    storageCredentials: {
      [storageCredential]: {
        aws_access_key_id: keys.accessKeyId,
        aws_secret_access_key: keys.secretAccessKey,
      },
    },
    externalLocations: [{ url: externalLocation, credential: storageCredential }],
  }).catch(async (error) => {
    await moto.stop();
    throw error;
  });
  routeLocalWorkspace(warehouse.host);
  // the stack's description travels to test workers, so it holds data only
  const { stop: stopWarehouse, sparkStartupSeconds, ...endpoint } = warehouse;
  const info: LocalStackInfo = {
    aws: {
      endpoint: moto.endpoint,
      region: moto.region,
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
    },
    stagingBucket,
    copyRoleArn,
    warehouse: { ...endpoint, workspaceHost: LOCAL_WORKSPACE_HOST },
    storageCredential,
    externalLocation,
    sparkStartupSeconds,
    logDir: dir,
  };
  return {
    info,
    stop: async () => {
      await stopWarehouse();
      await moto.stop();
    },
  };
}

/** The `export` lines of `npm run local-stack`, in the names the CLI and dlt read. */
export function exportLines(info: LocalStackInfo): string[] {
  const w = info.warehouse;
  return [
    ...Object.entries(exportVariables(info)).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
    '# OAuth M2M: with both set, the OAuth pair is used over the token (as dlt does)',
    `export DESTINATION__DATABRICKS__CREDENTIALS__CLIENT_ID=${shellQuote(w.clientId)}`,
    `export DESTINATION__DATABRICKS__CREDENTIALS__CLIENT_SECRET=${shellQuote(w.clientSecret)}`,
  ];
}

/** The settings (token auth) as an environment, for child processes in tests. */
export function exportVariables(info: LocalStackInfo): Record<string, string> {
  const w = info.warehouse;
  const vars: Record<string, string | number> = {
    AWS_ENDPOINT_URL: info.aws.endpoint,
    AWS_ACCESS_KEY_ID: info.aws.accessKeyId,
    AWS_SECRET_ACCESS_KEY: info.aws.secretAccessKey,
    AWS_REGION: info.aws.region,
    DESTINATION__FILESYSTEM__BUCKET_URL: `s3://${info.stagingBucket}`,
    DESTINATION__DATABRICKS__CREDENTIALS__SERVER_HOSTNAME: w.host,
    DESTINATION__DATABRICKS__CREDENTIALS__PORT: w.port,
    DESTINATION__DATABRICKS__CREDENTIALS__HTTP_PATH: w.httpPath,
    DESTINATION__DATABRICKS__CREDENTIALS__CATALOG: w.catalog,
    DESTINATION__DATABRICKS__CREDENTIALS__ACCESS_TOKEN: w.accessToken,
    DESTINATION__DATABRICKS__CREDENTIALS__CA_CERT_FILE: w.caFile,
    // COPY INTO reads the staging bucket with the warehouse's named storage credential
    DESTINATION__DATABRICKS__STAGING_CREDENTIALS_MODE: 'credential',
    DESTINATION__DATABRICKS__STAGING_CREDENTIALS_NAME: info.storageCredential,
    // for staging_credentials_mode=forward: the read-only role COPY INTO's keys come from
    DESTINATION__DATABRICKS__STAGING_ROLE_ARN: info.copyRoleArn,
  };
  return Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, String(value)]));
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
