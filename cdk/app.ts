import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseSluiceConfig } from '../shared/config/pipelines.js';
import { SluiceStack } from './sluice-stack.js';

const app = new App();
// the pipelines file; `-c config=path` points at another (tests use it)
const file = resolve(app.node.tryGetContext('config') ?? 'sluice.config.ts');
const { default: settings } = (await import(pathToFileURL(file).href)) as { default: unknown };
const config = parseSluiceConfig(settings, file);

new SluiceStack(app, app.node.tryGetContext('stackName') ?? 'Sluice', {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
