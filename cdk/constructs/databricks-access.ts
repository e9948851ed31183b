import { SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SluiceConfig } from '../../shared/config/pipelines.js';
import { existingSecret } from './existing-secret.js';

/** The role Unity Catalog assumes for storage credentials on AWS (Databricks' documented principal). */
export const UNITY_CATALOG_MASTER_ROLE =
  'arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL';

/** What the user fills into the created secret; the keys are dlt's. */
const SECRET_TEMPLATE = {
  server_hostname: 'dbc-XXXXXXXX-XXXX.cloud.databricks.com',
  http_path: '/sql/1.0/warehouses/XXXXXXXXXXXXXXXX',
  catalog: 'main',
  access_token: 'dapi... (or remove it and set client_id and client_secret for OAuth M2M)',
  staging_credentials_mode: 'forward',
};

/**
 * What Databricks needs: the secret with its connection settings, the read-only role whose
 * short-lived keys the load stage forwards to COPY INTO (mode `forward`), and optionally the role
 * a Unity Catalog storage credential assumes (modes `credential` and `external_location`).
 */
export class DatabricksAccess extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly copyReaderRole: iam.Role;
  readonly unityCatalogRole?: iam.Role;

  constructor(
    scope: Construct,
    id: string,
    props: { config: SluiceConfig; staging: s3.IBucket; loadRole: iam.IRole },
  ) {
    super(scope, id);
    const { config, staging } = props;
    if (config.databricksSecret === undefined) {
      const secret = new secretsmanager.Secret(this, 'Secret', {
        description:
          'Sluice: Databricks connection settings (JSON with dlt key names); fill in before the first load',
        // a template of setting names, no secret value: the user replaces it
        secretStringValue: SecretValue.unsafePlainText(JSON.stringify(SECRET_TEMPLATE, null, 2)),
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'the token is issued and rotated in Databricks; the load stage re-reads the secret when Databricks refuses it',
      });
      this.secret = secret;
    } else {
      this.secret = existingSecret(this, 'Secret', config.databricksSecret);
    }

    // forward mode: the load stage assumes this role per package with a session policy that
    // narrows it to that package's prefix; the role itself can only read the packages
    this.copyReaderRole = new iam.Role(this, 'CopyReaderRole', {
      assumedBy: new iam.ArnPrincipal(props.loadRole.roleArn),
      description: 'Sluice: read-only staging access whose temporary keys COPY INTO receives',
    });
    this.copyReaderRole.addToPolicy(readPackages(staging, config, this.copyReaderRole));

    if (config.unityCatalogExternalId !== undefined) {
      // named, so that its trust policy can name the role itself without a circular reference
      const roleName = `${Stack.of(this).stackName}-unity-catalog`;
      const role = new iam.Role(this, 'UnityCatalogRole', {
        roleName,
        assumedBy: new iam.CompositePrincipal(
          new iam.ArnPrincipal(UNITY_CATALOG_MASTER_ROLE).withConditions({
            StringEquals: { 'sts:ExternalId': config.unityCatalogExternalId },
          }),
        ),
        description: 'Sluice: the role of the Unity Catalog storage credential that reads staging',
      });
      // Unity Catalog requires the role to be able to assume itself
      role.assumeRolePolicy?.addStatements(
        new iam.PolicyStatement({
          actions: ['sts:AssumeRole'],
          principals: [new iam.AccountRootPrincipal()],
          conditions: {
            ArnLike: {
              'aws:PrincipalArn': Stack.of(this).formatArn({
                service: 'iam',
                region: '',
                resource: 'role',
                resourceName: roleName,
              }),
            },
          },
        }),
      );
      role.addToPolicy(readPackages(staging, config, role));
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [staging.bucketArn] }),
      );
      this.unityCatalogRole = role;
    }
  }
}

/** Read access to the pipelines' package prefixes, nothing else of the bucket. */
function readPackages(staging: s3.IBucket, config: SluiceConfig, role: iam.Role): iam.PolicyStatement {
  const logicalId = Stack.of(staging).getLogicalId(staging.node.defaultChild as s3.CfnBucket);
  for (const pipeline of config.pipelines) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${pipeline.name}/packages/*]`,
      reason: 'reads any package of the pipeline (COPY INTO); load ids are only known at run time',
    });
  }
  return new iam.PolicyStatement({
    actions: ['s3:GetObject', 's3:ListBucket'],
    resources: [
      staging.bucketArn,
      ...config.pipelines.map((pipeline) => staging.arnForObjects(`${pipeline.name}/packages/*`)),
    ],
  });
}
