import { join } from 'node:path';
import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: function entries are referred to by path, never imported. */
export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface StageFunctionProps {
  stage: 'extract' | 'normalize' | 'load';
  memorySize: number;
  timeout: Duration;
  environment: Record<string, string>;
  /** Extract (Parquet drops) and normalize (Parquet output) need parquet-wasm's .wasm file. */
  readsOrWritesParquet: boolean;
  reservedConcurrency?: number;
}

/**
 * One stage's Lambda: Node.js on arm64, bundled locally by esbuild (never in Docker) into one
 * CommonJS file with parquet-wasm's .wasm beside it, logging JSON to its own log group.
 */
export class StageFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: StageFunctionProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, 'functions', props.stage, 'index.ts'),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      logGroup,
      ...(props.reservedConcurrency && { reservedConcurrentExecutions: props.reservedConcurrency }),
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `sluice-${props.stage}`,
        POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: stageBundling(props.readsOrWritesParquet, props.stage === 'normalize'),
    });
    Validations.of(this.fn).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs',
    });
  }
}

/**
 * One CommonJS file per function, with parquet-wasm's .wasm beside it where the stage uses
 * Parquet; normalize also gets its worker thread's entry (`normalize-worker.js`) beside it.
 */
export function stageBundling(withParquetWasm: boolean, withNormalizeWorker = false): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.CJS,
    target: 'node22',
    minify: true,
    sourceMap: true,
    forceDockerBundling: false,
    // optional native parts of @databricks/sql: LZ4 result decoding and its native kernel backend
    externalModules: ['lz4-napi', '../../native/kernel'],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      // parquet-wasm's Node build reads its .wasm from beside the bundle (__dirname)
      afterBundling: (inputDir: string, outputDir: string) => [
        ...(withParquetWasm
          ? [`cp "${inputDir}/node_modules/parquet-wasm/node/parquet_wasm_bg.wasm" "${outputDir}/"`]
          : []),
        ...(withNormalizeWorker
          ? [
              `"${inputDir}/node_modules/.bin/esbuild" "${inputDir}/shared/pipeline/normalize-worker.ts" --bundle --platform=node --format=cjs --target=node22 --minify --sourcemap --log-level=error --outfile="${outputDir}/normalize-worker.js"`,
            ]
          : []),
      ],
    },
  };
}
