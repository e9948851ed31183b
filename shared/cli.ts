import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigFile } from './cli/config-file.js';
import { dropResources } from './cli/drops.js';
import { describePipeline } from './cli/info.js';
import { expandInputs, tableNameOf } from './cli/inputs.js';
import { Progress } from './cli/progress.js';
import { resultTable } from './cli/result-table.js';
import { formatRestored, formatSummary } from './cli/summary.js';
import {
  DEFAULT_WORKDIR,
  type DestinationName,
  duckdbFilePath,
  openDestination,
  packageStorage,
  packageStorageSpec,
} from './cli/targets.js';
import { type PipelineConfig, parseSluiceConfig, pipelineNamed } from './config/pipelines.js';
import { SecretValues } from './config/secret-values.js';
import { DuckDbDestination } from './destinations/duckdb/duckdb-destination.js';
import type { FileFormat } from './formats/file-writer.js';
import type { ResourceHints } from './normalize/resource.js';
import type { ResourceInput } from './pipeline/extract.js';
import { dropPendingPackages, pendingPackages } from './pipeline/pending.js';
import { restoreFromDestination } from './pipeline/restore.js';
import { finishPackage, type RunOptions, run } from './pipeline/run.js';
import { readSourcesState } from './pipeline/state.js';
import { datasetIdentifier } from './schema/naming.js';
import { CONTRACT_MODES, MERGE_STRATEGIES, REPLACE_STRATEGIES } from './schema/types.js';
import { planPull } from './sources/pull.js';
import { isTextEncoding, TEXT_ENCODING_EXPECTED } from './sources/text-encoding.js';
import type { FileStorage } from './storage/file-storage.js';

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;

function name(value: string): string {
  if (!NAME.test(value))
    throw new InvalidArgumentError('use letters, digits, _ and -, starting with a letter');
  return value;
}

/** The dataset as dlt names it at the destination: the snake_case form of the name given. */
function datasetName(given: string): string {
  const normalized = datasetIdentifier(given);
  if (normalized !== given)
    process.stderr.write(
      `sluice: dataset ${given} is named ${normalized} at the destination, as dlt names it\n`,
    );
  return normalized;
}

/** Files of a folder that no format reads are said, not loaded. */
function noteSkipped(folder: string, files: string[]): void {
  const shown = files.length > 5 ? [...files.slice(0, 5), `and ${files.length - 5} more`] : files;
  process.stderr.write(
    `sluice: skipped ${files.length} file${files.length === 1 ? '' : 's'} of no known format in ${folder}: ${shown.join(', ')}\n`,
  );
}

function keys(value: string): string[] {
  const parts = value.split(',').map((k) => k.trim());
  if (parts.some((k) => k === '')) throw new InvalidArgumentError('a comma-separated list of column names');
  return parts;
}

/** One character; `tab` or `\t` as typed in a shell for a tab. */
function delimiter(value: string): string {
  const char = value === 'tab' || value === '\\t' ? '\t' : value;
  if ([...char].length !== 1 || char === '\n' || char === '\r' || char === '"')
    throw new InvalidArgumentError('one character other than a quote or line break, or `tab`');
  return char;
}

function encoding(value: string): string {
  if (!isTextEncoding(value)) throw new InvalidArgumentError(TEXT_ENCODING_EXPECTED);
  return value;
}

/** A commander parser of whole numbers from `min` up. */
function wholeNumber(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`a whole number, ${min} or more`);
    return n;
  };
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
  onBadRecord: 'fail' | 'quarantine';
  csvDelimiter?: string;
  csvNull: string[];
  jsonPath?: string;
  encoding?: string;
  destination: 'duckdb' | 'databricks';
  duckdbFile?: string;
  format?: FileFormat;
  workdir: string;
  workers: number;
  loadId?: string;
  refresh?: boolean;
}

const destinationOption = (description = 'where to load') =>
  new Option('--destination <name>', description).choices(['duckdb', 'databricks']).default('duckdb');
const duckdbFileOption = () =>
  new Option('--duckdb-file <path>', 'DuckDB database file (default: <workdir>/<pipeline>.duckdb)');
// a worker holds about 200 MB; more than 8 rarely pays on one package
const workersOption = () =>
  new Option('--workers <n>', 'threads that normalize large packages (1: none)')
    .argParser(wholeNumber(1))
    .default(Math.min(availableParallelism(), 8));
const refreshOption = () =>
  new Option(
    '--refresh',
    "drop the pipeline's tables (and their data), schema and source state first, then load (dlt's drop_sources)",
  );

const workdirOption = () =>
  new Option('--workdir <path>', 'where load packages, schemas and state are kept').default(DEFAULT_WORKDIR);

/** A pipeline of the configuration file, validated as `cdk synth` validates it. */
async function configuredPipeline(configFile: string, pipelineName: string): Promise<PipelineConfig> {
  const file = resolve(configFile);
  return pipelineNamed(parseSluiceConfig(await loadConfigFile(file), file), pipelineName);
}

/** Runs the three stages with a progress line, prints the summary, and closes the destination. */
async function runAndReport(
  target: {
    destination: DestinationName;
    workdir: string;
    pipeline: string;
    duckdbFile?: string;
    workers: number;
    refresh?: boolean;
    loadId?: string;
  },
  storage: FileStorage,
  dataset: string,
  // planned after the pipeline's state is restored from the destination: a pull reads its cursors
  plan: () => Promise<
    Omit<RunOptions, 'storage' | 'destination' | 'pipeline' | 'dataset' | 'onStage' | 'refresh'>
  >,
): Promise<void> {
  const { destination, duckdb } = await openDestination(target.destination, target);
  const progress = new Progress();
  try {
    const restored = await restoreFromDestination({
      storage,
      pipeline: target.pipeline,
      dataset,
      destination,
    });
    const restoredLine = formatRestored(restored, dataset);
    if (restoredLine !== undefined) console.log(restoredLine);
    const summaryTarget = {
      dataset,
      duckdb,
      pipeline: target.pipeline,
      url: (key: string) => storage.url(key),
    };
    const stageOptions = {
      workers: target.workers,
      workerStorage: packageStorageSpec(target.destination, target.workdir),
      storage,
      pipeline: target.pipeline,
      destination,
      onStage: (stage: 'extract' | 'normalize' | 'load', { items }: { items?: number }) =>
        progress.update(stage, items ?? 0),
    };
    // As dlt's run: packages an earlier run left unloaded are loaded first, and this run's inputs
    // wait for the next run, so a run killed half-way and run again loads its rows once. Only
    // here: the DuckDB file is locked by one run at a time, where an S3 bucket is shared with the
    // deployed stages, whose packages in flight look alike.
    const pending =
      target.destination === 'duckdb'
        ? (await pendingPackages(storage, target.pipeline)).filter((id) => id !== target.loadId)
        : [];
    if (pending.length > 0) {
      for (const loadId of pending) {
        process.stderr.write(
          `sluice: package ${loadId} of an earlier run that stopped before loading it is loaded first (sluice drop-pending-packages gives such packages up)\n`,
        );
        const info = await finishPackage(stageOptions, loadId);
        progress.done();
        console.log(formatSummary(info, summaryTarget));
      }
      process.stderr.write(
        `sluice: this run's inputs were not loaded: run the command again to load them (dlt's run also loads pending packages alone)\n`,
      );
      return;
    }
    const info = await run({
      ...(await plan()),
      dataset,
      refresh: target.refresh === true,
      ...stageOptions,
    });
    progress.done();
    console.log(formatSummary(info, summaryTarget));
  } finally {
    progress.done();
    await destination.close();
  }
}

// the package's own version (shared/ sits beside package.json)
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command('sluice')
  .description('Load JSON, CSV and Parquet into DuckDB or Databricks with dlt semantics')
  .version(version)
  .showHelpAfterError()
  .configureOutput({ outputError: (text, write) => write(text) });

program
  .command('run')
  .description('extract, normalize and load files in-process')
  .argument('<inputs...>', 'files, folders or globs (.jsonl .json .csv .tsv .parquet, optionally .gz)')
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
  .option('--max-nesting <n>', 'nesting levels flattened into tables; deeper data stays json', wholeNumber(0))
  .addOption(
    new Option(
      '--on-bad-record <action>',
      'malformed JSON lines, JSON elements and CSV rows: fail the run, or set them aside in the package and load the rest',
    )
      .choices(['fail', 'quarantine'])
      .default('fail'),
  )
  .option(
    '--csv-delimiter <char>',
    'CSV field delimiter, `tab` for tabs (default: the one the header line uses; tabs for .tsv)',
    delimiter,
  )
  .option(
    '--csv-null <value>',
    'CSV fields read as null, quoted or not (NULL, \\N); repeat for more (an unquoted empty field always is)',
    (value: string, previous: string[]) => [...previous, value],
    [] as string[],
  )
  .option('--json-path <path>', 'JSON files: load the array at this path (data.items), not the document')
  .option(
    '--encoding <label>',
    'text files not in UTF-8: their encoding (latin1, windows-1252, utf-16le)',
    encoding,
  )
  .addOption(destinationOption())
  .addOption(duckdbFileOption())
  .addOption(new Option('--format <format>', 'staging file format').choices(['parquet', 'jsonl']))
  .addOption(workdirOption())
  .addOption(workersOption())
  .option('--load-id <id>', 'reuse a load id (a loaded package is not loaded again)')
  .addOption(refreshOption())
  .action(async (inputs: string[], flags: RunFlags) => {
    const resources = groupByTable(await expandInputs(inputs, noteSkipped), flags);
    const dataset = datasetName(flags.dataset ?? `${flags.pipeline}_dataset`);
    await runAndReport(flags, packageStorage(flags.destination, flags.workdir), dataset, async () => ({
      resources,
      format: flags.format,
      loadId: flags.loadId,
    }));
  });

program
  .command('info')
  .description('show the stored schema, the state (cursors) and the last loads of a pipeline')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .addOption(workdirOption())
  .addOption(destinationOption('whose packages to read (databricks: the S3 staging bucket)'))
  .action(async (flags: { pipeline: string; workdir: string; destination: DestinationName }) => {
    console.log(await describePipeline(packageStorage(flags.destination, flags.workdir), flags.pipeline));
  });

program
  .command('drop-pending-packages')
  .description('give up the packages that runs stopped half-way left unloaded, so that no run loads them')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .addOption(workdirOption())
  .action(async (flags: { pipeline: string; workdir: string }) => {
    const dropped = await dropPendingPackages(packageStorage('duckdb', flags.workdir), flags.pipeline);
    console.log(
      dropped.length === 0
        ? `pipeline ${flags.pipeline} has no pending packages`
        : `dropped ${dropped.length} pending package${dropped.length === 1 ? '' : 's'}: ${dropped.join(', ')}`,
    );
  });

/** The flags of the commands that run a pipeline of the configuration file. */
interface ConfiguredFlags {
  pipeline: string;
  config: string;
  destination: DestinationName;
  duckdbFile?: string;
  workdir: string;
  workers: number;
  refresh?: boolean;
}

/** A command that runs a pipeline of the configuration file, with the options they share. */
const configuredCommand = (command: string, description: string) =>
  program
    .command(command)
    .description(description)
    .requiredOption('--pipeline <name>', 'pipeline name in the configuration file', name)
    .option('--config <file>', 'the pipelines file', 'sluice.config.ts')
    .addOption(destinationOption())
    .addOption(duckdbFileOption())
    .addOption(workdirOption())
    .addOption(workersOption())
    .addOption(refreshOption());

configuredCommand(
  'pull',
  "pull a configured pipeline's sources (REST API, PostgreSQL) once, as its schedule would",
).action(async (flags: ConfiguredFlags) => {
  const pipeline = await configuredPipeline(flags.config, flags.pipeline);
  const storage = packageStorage(flags.destination, flags.workdir);
  const secrets = new SecretValues(new SecretsManagerClient({}), process.env);
  await runAndReport(flags, storage, pipeline.dataset, async () => {
    // a refresh forgets the cursors: incremental sources start from their initial values
    const state = flags.refresh ? {} : await readSourcesState(storage, pipeline.name);
    const plan = await planPull(pipeline, state, secrets);
    if (plan.resources.length === 0)
      throw new Error(`pipeline ${pipeline.name} has no resource with a source to pull`);
    return { resources: plan.resources, sources: plan.sources, trigger: 'schedule', format: pipeline.format };
  });
});

configuredCommand(
  'drop',
  "load files as the inbox takes them: each under a resource's drop prefix loads with that resource's configuration",
)
  .argument(
    '<inputs...>',
    'files, folders or globs; a path from here is the inbox key (inbox/orders/a.jsonl)',
  )
  .option('--resource <name>', "load every input with this resource's configuration, wherever it lies")
  .action(async (inputs: string[], flags: ConfiguredFlags & { resource?: string }) => {
    const pipeline = await configuredPipeline(flags.config, flags.pipeline);
    const resources = dropResources(pipeline, await expandInputs(inputs, noteSkipped), flags.resource);
    await runAndReport(
      flags,
      packageStorage(flags.destination, flags.workdir),
      pipeline.dataset,
      async () => ({
        resources,
        format: pipeline.format,
      }),
    );
  });

program
  .command('query')
  .description('run a SQL query on the local DuckDB database of a pipeline')
  .argument('<sql>', 'the query')
  .requiredOption('--pipeline <name>', 'pipeline name', name)
  .addOption(workdirOption())
  .addOption(duckdbFileOption())
  .action(async (sql: string, flags: { pipeline: string; workdir: string; duckdbFile?: string }) => {
    const file = duckdbFilePath(flags);
    // opening would create an empty database, and the query would fail on a missing table
    if (!existsSync(file))
      throw new Error(
        `pipeline ${flags.pipeline} has no DuckDB database at ${file}: load it first, or point at it with --workdir or --duckdb-file`,
      );
    const destination = await DuckDbDestination.open(file);
    try {
      console.log(resultTable(await destination.client.query(sql)));
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
      ...(flags.onBadRecord === 'quarantine' && { onBadRecord: 'quarantine' as const }),
    },
    files: tableFiles,
    read: {
      csv: {
        ...(flags.csvDelimiter !== undefined && { delimiter: flags.csvDelimiter }),
        ...(flags.csvNull.length > 0 && { nullValues: flags.csvNull }),
      },
      ...(flags.jsonPath !== undefined && { jsonPath: flags.jsonPath }),
      ...(flags.encoding !== undefined && { encoding: flags.encoding }),
    },
  }));
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`sluice: error: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}
