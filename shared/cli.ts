import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describePipeline } from './cli/info.js';
import { expandInputs, tableNameOf } from './cli/inputs.js';
import { Progress } from './cli/progress.js';
import { formatSummary } from './cli/summary.js';
import { type DestinationName, duckdbFilePath, openDestination, packageStorage } from './cli/targets.js';
import { parseSluiceConfig, pipelineNamed } from './config/pipelines.js';
import { SecretValues } from './config/secret-values.js';
import { DuckDbDestination } from './destinations/duckdb/duckdb-destination.js';
import type { FileFormat } from './formats/file-writer.js';
import type { ResourceHints } from './normalize/resource.js';
import type { ResourceInput } from './pipeline/extract.js';
import { run } from './pipeline/run.js';
import { readSourcesState } from './pipeline/state.js';
import { CONTRACT_MODES, MERGE_STRATEGIES, REPLACE_STRATEGIES } from './schema/types.js';
import { planPull } from './sources/pull.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function name(value: string): string {
  if (!NAME.test(value))
    throw new InvalidArgumentError('use letters, digits, _ and -, starting with a letter');
  return value;
}

function keys(value: string): string[] {
  const parts = value.split(',').map((k) => k.trim());
  if (parts.some((k) => k === '')) throw new InvalidArgumentError('a comma-separated list of column names');
  return parts;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
}

interface RunFlags {
  pipeline: string;
  dataset?: string;
  table?: string;
  writeDisposition: 'append' | 'replace' | 'merge';
  mergeStrategy?: ResourceHints['mergeStrategy'];
  replaceStrategy?: ResourceHints['replaceStrategy'];
  primaryKey?: string[];
  mergeKey?: string[];
  contract?: ResourceHints['schemaContract'];
  maxNesting?: number;
  destination: 'duckdb' | 'databricks';
  duckdbFile?: string;
  format?: FileFormat;
  workdir: string;
  loadId?: string;
}

const program = new Command('sluice')
  .description('Load JSON, CSV and Parquet into DuckDB or Databricks with dlt semantics')
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('run')
  .description('extract, normalize and load files in-process')
  .argument('<inputs...>', 'files, folders or globs (.jsonl .json .csv .parquet, optionally .gz)')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .option('--dataset <name>', 'destination dataset (default: <pipeline>_dataset)', name)
  .option('--table <name>', 'load every input into this table (default: one table per file name)')
  .addOption(
    new Option('--write-disposition <mode>', 'how rows are written')
      .choices(['append', 'replace', 'merge'])
      .default('append'),
  )
  .addOption(new Option('--merge-strategy <strategy>', 'with merge').choices(MERGE_STRATEGIES))
  .addOption(new Option('--replace-strategy <strategy>', 'with replace').choices(REPLACE_STRATEGIES))
  .option('--primary-key <cols>', 'primary key column(s), comma-separated', keys)
  .option('--merge-key <cols>', 'merge key column(s), comma-separated', keys)
  .addOption(
    new Option('--contract <mode>', 'schema contract for tables, columns and types').choices(CONTRACT_MODES),
  )
  .option('--max-nesting <n>', 'nesting levels flattened into tables; deeper data stays json', nonNegativeInt)
  .addOption(
    new Option('--destination <name>', 'where to load').choices(['duckdb', 'databricks']).default('duckdb'),
  )
  .option('--duckdb-file <path>', 'DuckDB database file (default: <workdir>/<pipeline>.duckdb)')
  .addOption(new Option('--format <format>', 'staging file format').choices(['parquet', 'jsonl']))
  .option('--workdir <path>', 'where load packages, schemas and state are kept', '.sluice')
  .option('--load-id <id>', 'reuse a load id (a loaded package is not loaded again)')
  .action(async (inputs: string[], flags: RunFlags) => {
    const files = await expandInputs(inputs);
    const resources = groupByTable(files, flags);
    const storage = packageStorage(flags.destination, flags.workdir);
    const dataset = flags.dataset ?? `${flags.pipeline}_dataset`;
    const { destination, duckdbFile } = await openDestination(flags.destination, flags);
    const progress = new Progress();
    try {
      const info = await run({
        storage,
        pipeline: flags.pipeline,
        dataset,
        resources,
        destination,
        format: flags.format,
        loadId: flags.loadId,
        onStage: (stage, { items }) => progress.update(stage, items ?? 0),
      });
      progress.done();
      console.log(formatSummary(info, { dataset, duckdbFile, pipeline: flags.pipeline }));
    } finally {
      progress.done();
      await destination.close();
    }
  });

program
  .command('info')
  .description('show the stored schema and the last loads of a pipeline')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .option('--workdir <path>', 'where load packages, schemas and state are kept', '.sluice')
  .addOption(
    new Option('--destination <name>', 'whose packages to read (databricks: the S3 staging bucket)')
      .choices(['duckdb', 'databricks'])
      .default('duckdb'),
  )
  .action(async (flags: { pipeline: string; workdir: string; destination: DestinationName }) => {
    console.log(await describePipeline(packageStorage(flags.destination, flags.workdir), flags.pipeline));
  });

program
  .command('pull')
  .description("pull a configured pipeline's sources (REST API, PostgreSQL) once, as its schedule would")
  .requiredOption('--pipeline <name>', 'pipeline name in the configuration file', name)
  .option('--config <file>', 'the pipelines file', 'sluice.config.ts')
  .addOption(
    new Option('--destination <name>', 'where to load').choices(['duckdb', 'databricks']).default('duckdb'),
  )
  .option('--duckdb-file <path>', 'DuckDB database file (default: <workdir>/<pipeline>.duckdb)')
  .option('--workdir <path>', 'where load packages, schemas and state are kept', '.sluice')
  .action(
    async (flags: {
      pipeline: string;
      config: string;
      destination: DestinationName;
      duckdbFile?: string;
      workdir: string;
    }) => {
      const file = resolve(flags.config);
      const { default: settings } = (await import(pathToFileURL(file).href)) as { default: unknown };
      const pipeline = pipelineNamed(parseSluiceConfig(settings, file), flags.pipeline);
      const storage = packageStorage(flags.destination, flags.workdir);
      const secrets = new SecretValues(new SecretsManagerClient({}), process.env);
      const plan = await planPull(pipeline, await readSourcesState(storage, pipeline.name), secrets);
      if (plan.resources.length === 0)
        throw new Error(`pipeline ${pipeline.name} has no resource with a source to pull`);
      const { destination, duckdbFile } = await openDestination(flags.destination, flags);
      const progress = new Progress();
      try {
        const info = await run({
          storage,
          pipeline: pipeline.name,
          dataset: pipeline.dataset,
          resources: plan.resources,
          sources: plan.sources,
          trigger: 'schedule',
          destination,
          format: pipeline.format,
          onStage: (stage, { items }) => progress.update(stage, items ?? 0),
        });
        progress.done();
        console.log(formatSummary(info, { dataset: pipeline.dataset, duckdbFile, pipeline: pipeline.name }));
      } finally {
        progress.done();
        await destination.close();
      }
    },
  );

program
  .command('query')
  .description('run a SQL query on the local DuckDB database of a pipeline')
  .argument('<sql>', 'the query')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .option('--workdir <path>', 'where load packages, schemas and state are kept', '.sluice')
  .option('--duckdb-file <path>', 'DuckDB database file (default: <workdir>/<pipeline>.duckdb)')
  .action(async (sql: string, flags: { pipeline: string; workdir: string; duckdbFile?: string }) => {
    const destination = await DuckDbDestination.open(duckdbFilePath(flags));
    try {
      console.table(await destination.client.query(sql));
    } finally {
      await destination.close();
    }
  });

function groupByTable(files: string[], flags: RunFlags): ResourceInput[] {
  const byTable = new Map<string, string[]>();
  for (const file of files) {
    const table = flags.table ?? tableNameOf(file);
    byTable.set(table, [...(byTable.get(table) ?? []), file]);
  }
  return [...byTable].map(([table, tableFiles]) => ({
    hints: {
      name: table,
      writeDisposition: flags.writeDisposition,
      ...(flags.mergeStrategy && { mergeStrategy: flags.mergeStrategy }),
      ...(flags.replaceStrategy && { replaceStrategy: flags.replaceStrategy }),
      ...(flags.primaryKey && { primaryKey: flags.primaryKey }),
      ...(flags.mergeKey && { mergeKey: flags.mergeKey }),
      ...(flags.contract && { schemaContract: flags.contract }),
      ...(flags.maxNesting !== undefined && { maxTableNesting: flags.maxNesting }),
    },
    files: tableFiles,
  }));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sluice: error: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
