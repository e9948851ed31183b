import { describe, expect, it } from 'vitest';
import { parseDatabricksConfig } from '../../shared/destinations/databricks/databricks-config.js';
import {
  columnType,
  databricksDialect,
  literal,
  quoteIdentifier,
} from '../../shared/destinations/databricks/databricks-dialect.js';
import {
  externalLocation,
  forwardedKeys,
  namedCredential,
  redactCredentials,
} from '../../shared/destinations/databricks/staging-credentials.js';
import { createTableSql } from '../../shared/destinations/sql/ddl.js';

const files = (format: 'parquet' | 'jsonl', emptied = false) => ({
  dataset: 'raw',
  table: 'users',
  columns: [],
  format,
  emptied,
  urls: [
    's3://bucket/p/pkg/normalized/users.aaaa.parquet',
    's3://bucket/p/pkg/normalized/users.bbbb.parquet',
  ],
});

describe('Databricks SQL text', () => {
  it('quotes identifiers with backticks, doubling backticks inside', () => {
    expect(quoteIdentifier('plain')).toBe('`plain`');
    expect(quoteIdentifier('we`ird`')).toBe('`we``ird```');
    expect(quoteIdentifier('a.b c\nd')).toBe('`a.b c\nd`');
  });

  it('escapes string literals with backslashes', () => {
    expect(literal("it's")).toBe("'it\\'s'");
    expect(literal('back\\slash')).toBe("'back\\\\slash'");
    expect(literal('line\nbreak\r')).toBe("'line\\nbreak\\r'");
    expect(literal(null)).toBe('NULL');
    expect(literal(3)).toBe('3');
  });

  it('maps dlt types to Databricks types', () => {
    const type = (c: Parameters<typeof columnType>[0]) => columnType(c);
    expect(type({ name: 'a', data_type: 'text' })).toBe('STRING');
    expect(type({ name: 'a', data_type: 'bigint' })).toBe('BIGINT');
    expect([8, 16, 32, 64].map((precision) => type({ name: 'a', data_type: 'bigint', precision }))).toEqual([
      'TINYINT',
      'SMALLINT',
      'INT',
      'BIGINT',
    ]);
    expect(type({ name: 'a', data_type: 'decimal' })).toBe('DECIMAL(38,9)');
    expect(type({ name: 'a', data_type: 'decimal', precision: 10, scale: 2 })).toBe('DECIMAL(10,2)');
    expect(type({ name: 'a', data_type: 'timestamp' })).toBe('TIMESTAMP');
    expect(type({ name: 'a', data_type: 'timestamp', timezone: false })).toBe('TIMESTAMP_NTZ');
    expect(
      ['double', 'bool', 'date', 'binary', 'json', 'time', 'wei'].map((t) =>
        type({ name: 'a', data_type: t as never }),
      ),
    ).toEqual(['DOUBLE', 'BOOLEAN', 'DATE', 'BINARY', 'STRING', 'STRING', 'DECIMAL(38,0)']);
  });

  it('qualifies three-part names with the catalog folded to lower case', () => {
    const dialect = databricksDialect('Main', externalLocation);
    expect(dialect.qualify('raw', 'user`s')).toBe('`main`.`raw`.`user``s`');
    expect(dialect.qualifySchema('raw_staging')).toBe('`main`.`raw_staging`');
  });

  it('creates tables and adds all new columns in one ALTER', () => {
    const dialect = databricksDialect('main', externalLocation);
    const columns = [
      { name: 'id', data_type: 'bigint' as const, nullable: false },
      { name: "o'dd", data_type: 'text' as const },
    ];
    expect(createTableSql(dialect, dialect.qualify('raw', 't'), columns)).toBe(
      "CREATE TABLE `main`.`raw`.`t` (\n  `id` BIGINT NOT NULL,\n  `o'dd` STRING\n)",
    );
    expect(dialect.addColumns('`main`.`raw`.`t`', columns)).toEqual([
      "ALTER TABLE `main`.`raw`.`t` ADD COLUMNS (`id` BIGINT, `o'dd` STRING)",
    ]);
  });

  it('names exactly the package files in one COPY INTO per table, in each credential mode, its clauses in the documented order', () => {
    expect(databricksDialect('main', namedCredential('uc cred')).loadFiles(files('parquet'))).toEqual([
      "COPY INTO `main`.`raw`.`users`\nFROM 's3://bucket/p/pkg/normalized/' WITH (CREDENTIAL `uc cred`)\nFILEFORMAT = PARQUET\nFILES = ('users.aaaa.parquet', 'users.bbbb.parquet')\nFORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED')",
    ]);
    expect(databricksDialect('main', externalLocation).loadFiles(files('jsonl'))).toEqual([
      "COPY INTO `main`.`raw`.`users`\nFROM 's3://bucket/p/pkg/normalized/'\nFILEFORMAT = JSON\nFILES = ('users.aaaa.parquet', 'users.bbbb.parquet')\nFORMAT_OPTIONS ('inferTimestamp' = 'true')",
    ]);
    const keys = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: "se'cret\\", sessionToken: 'token' };
    expect(databricksDialect('main', forwardedKeys(keys)).loadFiles(files('parquet'))[0]).toBe(
      "COPY INTO `main`.`raw`.`users`\nFROM 's3://bucket/p/pkg/normalized/' WITH (CREDENTIAL (AWS_ACCESS_KEY = 'ASIAEXAMPLE', AWS_SECRET_KEY = 'se\\'cret\\\\', AWS_SESSION_TOKEN = 'token'))\nFILEFORMAT = PARQUET\nFILES = ('users.aaaa.parquet', 'users.bbbb.parquet')\nFORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED')",
    );
  });

  it('forces COPY INTO to take files again into a table emptied for the load (a retry must refill it)', () => {
    expect(databricksDialect('main', externalLocation).loadFiles(files('parquet', true))).toEqual([
      "COPY INTO `main`.`raw`.`users`\nFROM 's3://bucket/p/pkg/normalized/'\nFILEFORMAT = PARQUET\nFILES = ('users.aaaa.parquet', 'users.bbbb.parquet')\nFORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED')\nCOPY_OPTIONS ('force' = 'true')",
    ]);
  });

  it('names at most 1,000 files in one COPY INTO, as FILES allows, and loads the rest in more', () => {
    const urls = Array.from({ length: 2_500 }, (_, i) => `s3://bucket/p/pkg/normalized/users.${i}.parquet`);
    const statements = databricksDialect('main', externalLocation).loadFiles({
      ...files('parquet', true),
      urls,
    });

    const named = statements.map((sql) =>
      [...sql.matchAll(/'users\.(\d+)\.parquet'/g)].map((m) => Number(m[1])),
    );
    expect(named.map((batch) => batch.length)).toEqual([1_000, 1_000, 500]);
    expect(named.flat()).toEqual(urls.map((_, i) => i));
    for (const sql of statements)
      expect(sql).toMatch(
        /FORMAT_OPTIONS \('datetimeRebaseMode' = 'CORRECTED'\)\nCOPY_OPTIONS \('force' = 'true'\)$/,
      );
  });

  it('refuses files of one table spread over folders', () => {
    const spread = { ...files('parquet'), urls: ['s3://b/a/x.parquet', 's3://b/c/y.parquet'] };
    expect(() => databricksDialect('main', externalLocation).loadFiles(spread)).toThrow(/share a folder/);
  });

  it('redacts forwarded keys, escaped quotes included', () => {
    const sql = databricksDialect(
      'main',
      forwardedKeys({ accessKeyId: 'AKID', secretAccessKey: "s'e\\cret", sessionToken: 'tok' }),
    ).loadFiles(files('parquet'))[0]!;
    const redacted = redactCredentials(`failed: ${sql}`);
    expect(redacted).not.toMatch(/AKID|cret|tok'/);
    expect(redacted).toContain("AWS_ACCESS_KEY = '***', AWS_SECRET_KEY = '***', AWS_SESSION_TOKEN = '***'");
  });
});

describe('Databricks configuration', () => {
  const base = {
    server_hostname: 'h',
    http_path: '/sql/1.0/warehouses/x',
    catalog: 'main',
    staging_role_arn: 'arn:aws:iam::1:role/r',
  };

  it('takes a token or an OAuth pair, with dlt defaults', () => {
    const config = parseDatabricksConfig({ ...base, access_token: 'dapi1' }, 'test');
    expect(config).toMatchObject({
      port: 443,
      staging_credentials_mode: 'forward',
      keep_staged_files: true,
      staging_dataset_name_layout: '%s_staging',
    });
    expect(parseDatabricksConfig({ ...base, client_id: 'id', client_secret: 's' }, 'test').client_id).toBe(
      'id',
    );
  });

  it('lists every missing or contradictory setting in one message, without values', () => {
    const attempt = () =>
      parseDatabricksConfig(
        {
          http_path: 'p',
          client_id: 'id',
          access_token: 'dapiSECRET',
          staging_credentials_mode: 'credential',
        },
        'env',
      );
    expect(attempt).toThrow(/server_hostname.*catalog|catalog.*server_hostname/);
    expect(attempt).toThrow(/client_secret/);
    expect(attempt).toThrow(/staging_credentials_name/);
    expect(() =>
      parseDatabricksConfig({ ...base, staging_role_arn: undefined, access_token: 't' }, 'env'),
    ).toThrow(/staging_role_arn/);
    expect(attempt).not.toThrow(/dapiSECRET/);
  });
});

describe('Databricks staging formats', () => {
  it('refuses the types Databricks cannot read from JSONL; time goes into Parquet as text', async () => {
    const { databricksCapabilities } = await import(
      '../../shared/destinations/databricks/databricks-capabilities.js'
    );
    const refuses = (
      format: 'jsonl' | 'parquet',
      column: Parameters<NonNullable<typeof databricksCapabilities.refusesColumn>>[1],
    ) => databricksCapabilities.refusesColumn!(format, column);
    for (const data_type of ['decimal', 'wei', 'binary', 'json', 'date'] as const) {
      expect(refuses('jsonl', { name: 'c', data_type })).toMatch(/cannot be loaded from JSONL/);
    }
    expect(refuses('jsonl', { name: 'c', data_type: 'timestamp', timezone: false })).toMatch(
      /naive timestamps/,
    );
    expect(refuses('jsonl', { name: 'c', data_type: 'timestamp' })).toBeUndefined();
    // Spark cannot read Parquet's TIME: the column is a STRING on Databricks, written as text
    expect(refuses('parquet', { name: 'c', data_type: 'time' })).toBeUndefined();
    expect(databricksCapabilities.timeAsTextInParquet).toBe(true);
    expect(refuses('parquet', { name: 'c', data_type: 'decimal' })).toBeUndefined();
  });

  it('stops normalize before a refused column is written, naming table and column', async () => {
    const { TableFileWriters, UnloadableColumnError } = await import('../../shared/formats/table-files.js');
    const { LocalFileStorage } = await import('../../shared/storage/local-storage.js');
    const { databricksCapabilities } = await import(
      '../../shared/destinations/databricks/databricks-capabilities.js'
    );
    const { tempDir } = await import('../support/temp-dir.js');
    const storage = new LocalFileStorage(await tempDir());
    const writers = new TableFileWriters(
      storage,
      'n/',
      'jsonl',
      { bufferRows: 10 },
      databricksCapabilities.refusesColumn,
    );
    writers.write(
      { name: 'orders', columns: { amount: { name: 'amount', data_type: 'decimal' } } },
      { amount: '1.5' },
    );

    await expect(writers.close()).rejects.toThrow(UnloadableColumnError);
    await expect(
      new TableFileWriters(
        storage,
        'm/',
        'jsonl',
        { bufferRows: 10 },
        databricksCapabilities.refusesColumn,
      ).close(),
    ).resolves.toEqual([]);
    expect(await storage.list('n/')).toEqual([]);
  });
});

describe('Databricks table options', () => {
  const dialect = databricksDialect('main', externalLocation);
  const columns = [
    { name: 'id', data_type: 'bigint' as const },
    { name: 'day', data_type: 'date' as const, partition: true },
  ];

  it('adds partitioning, comment and properties after the column list', () => {
    const clauses = dialect.tableOptions!({
      name: 't',
      columns,
      options: {
        comment: "orders' table",
        properties: { 'delta.enableChangeDataFeed': true, 'delta.logRetentionDuration': 'interval 30 days' },
      },
    });
    expect(clauses).toBe(
      "PARTITIONED BY (`day`) COMMENT 'orders\\' table' TBLPROPERTIES ('delta.enableChangeDataFeed' = true, 'delta.logRetentionDuration' = 'interval 30 days')",
    );
  });

  it('clusters by columns or automatically, never together with partitioning', () => {
    expect(
      dialect.tableOptions!({ name: 't', columns: [columns[0]!], options: { cluster_by: ['id'] } }),
    ).toBe('CLUSTER BY (`id`)');
    expect(
      dialect.tableOptions!({ name: 't', columns: [columns[0]!], options: { cluster_by: 'AUTO' } }),
    ).toBe('CLUSTER BY AUTO');
    expect(() => dialect.tableOptions!({ name: 't', columns, options: { cluster_by: ['id'] } })).toThrow(
      /both partitioned and clustered/,
    );
    expect(() => dialect.tableOptions!({ name: 't', columns, options: { clusterBy: ['id'] } })).toThrow(
      /invalid Databricks table options for table t/,
    );
  });
});
