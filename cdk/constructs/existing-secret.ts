import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** A secret the stack does not own, named in the configuration by its full ARN or by its name. */
export function existingSecret(scope: Construct, id: string, nameOrArn: string): secretsmanager.ISecret {
  return nameOrArn.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, nameOrArn)
    : secretsmanager.Secret.fromSecretNameV2(scope, id, nameOrArn);
}
