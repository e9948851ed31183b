import { readFile } from 'node:fs/promises';
import { STSClient } from '@aws-sdk/client-sts';
import { thrift } from '@databricks/sql';
import Int64 from 'node-int64';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { assumeReadOnlyRole } from '../../shared/destinations/databricks/forward-credentials.js';
import { TableFileWriters } from '../../shared/formats/table-files.js';
import type { NormalizedRow } from '../../shared/normalize/relational.js';
import type { TableSchema } from '../../shared/schema/types.js';
import { LocalFileStorage } from '../../shared/storage/local-storage.js';
import { putObject } from '../support/local-s3.js';
import { tempDir } from '../support/temp-dir.js';
import { openWarehouseSession } from '../support/warehouse-client.js';

const {
  TCloseSessionReq,
  TExecuteStatementReq,
  TFetchOrientation,
  TFetchResultsReq,
  TGetOperationStatusReq,
  TOpenSessionReq,
  TOperationState,
  TProtocolVersion,
} = thrift.TCLIService_types;

const stack = inject('localStack');
const suiteStarted = Date.now();
let warehouse: Awaited<ReturnType<typeof openWarehouseSession>>;
let schemaCounter = 0;
const freshSchema = () => `wh_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;

beforeAll(async () => {
  warehouse = await openWarehouseSession(stack);
});

afterAll(async () => {
  await warehouse?.close();
  console.log(
    `local warehouse: Spark start-up ${stack.sparkStartupSeconds}s, warehouse suite ${((Date.now() - suiteStarted) / 1000).toFixed(1)}s`,
  );
});

/** Writes rows as one Parquet file with our writer and uploads it to the staging bucket. */
async function stageParquet(key: string, table: TableSchema, rows: NormalizedRow[]): Promise<string> {
  const storage = new LocalFileStorage(await tempDir());
  const writers = new TableFileWriters(storage, '', 'parquet');
  for (const row of rows) writers.write(table, row);
  const [file] = await writers.close();
  return putObject(stack, key, await readFile(storage.url(file!.key)));
}

describe('local Databricks warehouse: authentication', () => {
  it('accepts the driver with a personal access token on 127.0.0.1', async () => {
    const { query, close } = await openWarehouseSession(stack);
    expect(stack.warehouse.host).toMatch(/^127\./);
    expect(await query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await close();
  });

  it.skipIf(!stack.warehouse.oauthAvailable)(
    'accepts OAuth M2M with a client id and secret (skipped when port 443 cannot be bound)',
    async () => {
      const { query, close } = await openWarehouseSession(stack, {
        clientId: stack.warehouse.clientId,
        clientSecret: stack.warehouse.clientSecret,
      });
      expect(await query('SELECT current_catalog() AS c')).toHaveLength(1);
      await close();
    },
  );

  it('refuses a wrong token with HTTP 401', async () => {
    await expect(openWarehouseSession(stack, { token: 'dapi-wrong' })).rejects.toMatchObject({
      statusCode: 401,
    });
  });

  it.skipIf(!stack.warehouse.oauthAvailable)(
    'refuses a wrong client secret (skipped when port 443 cannot be bound)',
    async () => {
      await expect(
        openWarehouseSession(stack, { clientId: stack.warehouse.clientId, clientSecret: 'wrong' }),
      ).rejects.toThrow(/invalid_client|Client authentication failed/);
    },
  );

  it('opens sessions in an initial schema and fetches results in chunks', async () => {
    const schema = freshSchema();
    await warehouse.query(`CREATE SCHEMA main.${schema}`);
    await warehouse.query(`CREATE TABLE main.${schema}.numbers AS SELECT id FROM range(0, 25)`);
    const scoped = await openWarehouseSession(
      stack,
      { token: stack.warehouse.accessToken },
      { initialCatalog: 'main', initialSchema: schema },
    );

    const operation = await scoped.session.executeStatement('SELECT id FROM numbers ORDER BY id');
    const chunks: number[] = [];
    do chunks.push((await operation.fetchChunk({ maxRows: 10 })).length);
    while (await operation.hasMoreRows());
    await operation.close();
    await scoped.close();

    expect(chunks).toEqual([10, 10, 5]);
  });

  it("opens a session in a schema that does not exist yet, as dlt's connector opens its sessions", async () => {
    const schema = freshSchema();
    const early = await openWarehouseSession(
      stack,
      { token: stack.warehouse.accessToken },
      { initialCatalog: 'main', initialSchema: schema },
    );
    try {
      expect(await early.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await early.query(`CREATE SCHEMA main.${schema}`);
      await early.query(`CREATE TABLE main.${schema}.t AS SELECT 2 AS two`);
      expect(await early.query(`SELECT two FROM main.${schema}.t`)).toEqual([{ two: 2 }]);
    } finally {
      await early.close();
    }
  });

  it("answers a fetch with its result set's metadata when asked, as Databricks' Python connector asks", async () => {
    const driver = await warehouse.client.getDriver();
    const { sessionHandle } = await driver.openSession(
      new TOpenSessionReq({ client_protocol: TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 }),
    );
    const { operationHandle } = await driver.executeStatement(
      new TExecuteStatementReq({
        sessionHandle: sessionHandle!,
        statement: 'SELECT 1 AS one',
        runAsync: true,
      }),
    );
    let state: number | undefined;
    do
      state = (
        await driver.getOperationStatus(new TGetOperationStatusReq({ operationHandle: operationHandle! }))
      ).operationState;
    while (state === TOperationState.RUNNING_STATE || state === TOperationState.INITIALIZED_STATE);
    const fetched = await driver.fetchResults(
      new TFetchResultsReq({
        operationHandle: operationHandle!,
        orientation: TFetchOrientation.FETCH_NEXT,
        maxRows: new Int64(10),
        includeResultSetMetadata: true,
      }),
    );
    await driver.closeSession(new TCloseSessionReq({ sessionHandle: sessionHandle! }));

    expect(fetched.resultSetMetadata?.schema?.columns.map((c) => c.columnName)).toEqual(['one']);
    expect(fetched.results?.columns?.[0]?.i32Val?.values).toEqual([1]);
  });

  it('fails an unknown catalog like Databricks', async () => {
    await expect(warehouse.query('SELECT * FROM nope.some_schema.t')).rejects.toMatchObject({
      message: expect.stringContaining('[NO_SUCH_CATALOG_EXCEPTION]'),
      response: { sqlState: '42704' },
    });
  });
});

describe('local Databricks warehouse: DDL and DML', () => {
  it('round-trips every type the loader uses, evolves a table, merges, truncates and deletes', async () => {
    const schema = freshSchema();
    const t = `main.${schema}.every_type`;
    await warehouse.query(`CREATE SCHEMA IF NOT EXISTS main.${schema}`);
    await warehouse.query(`CREATE SCHEMA IF NOT EXISTS main.${schema}`);
    await warehouse.query(
      `CREATE TABLE ${t} (id BIGINT NOT NULL, s STRING, i INT, si SMALLINT, ti TINYINT, d DOUBLE, b BOOLEAN, dec DECIMAL(38,9), ts TIMESTAMP, ntz TIMESTAMP_NTZ, dt DATE, bin BINARY)`,
    );
    await warehouse.query(
      `INSERT INTO ${t} VALUES (1, 'héllo', 2147483647, 32767, 127, 1.5, true, 12345.000000001, TIMESTAMP'2024-01-02 03:04:05.123456', TIMESTAMP_NTZ'2024-01-02 03:04:05', DATE'2024-02-29', X'00FF'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
    );
    await warehouse.query(`ALTER TABLE ${t} ADD COLUMNS (extra STRING, more BIGINT)`);

    const rows = await warehouse.query(`SELECT * FROM ${t} ORDER BY id`);
    expect(rows[0]).toEqual({
      id: 1,
      s: 'héllo',
      i: 2147483647,
      si: 32767,
      ti: 127,
      d: 1.5,
      b: true,
      dec: 12345.000000001,
      ts: '2024-01-02 03:04:05.123456',
      ntz: '2024-01-02 03:04:05',
      dt: '2024-02-29',
      bin: Buffer.from([0, 255]),
      extra: null,
      more: null,
    });
    expect(Object.values(rows[1]!).filter((v) => v !== null)).toEqual([2]);

    await warehouse.query(
      `MERGE INTO ${t} AS d USING (SELECT 1 AS id, 'updated' AS s UNION ALL SELECT 2, 'gone' UNION ALL SELECT 3, 'new') AS s ON d.id = s.id
       WHEN MATCHED AND s.s = 'gone' THEN DELETE WHEN MATCHED THEN UPDATE SET d.s = s.s WHEN NOT MATCHED THEN INSERT (id, s) VALUES (s.id, s.s)`,
    );
    expect(await warehouse.query(`SELECT id, s FROM ${t} ORDER BY id`)).toEqual([
      { id: 1, s: 'updated' },
      { id: 3, s: 'new' },
    ]);
    await warehouse.query(`DELETE FROM ${t} WHERE id = 3`);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 1 }]);
    await warehouse.query(`TRUNCATE TABLE ${t}`);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 0 }]);
  });

  it('returns infinite and NaN doubles as numbers, as the driver reads them from Databricks', async () => {
    expect(
      await warehouse.query(
        "SELECT CAST('Infinity' AS DOUBLE) AS up, CAST('-Infinity' AS DOUBLE) AS down, CAST('NaN' AS DOUBLE) AS nan, 1.5D AS finite",
      ),
    ).toEqual([
      { up: Number.POSITIVE_INFINITY, down: Number.NEGATIVE_INFINITY, nan: Number.NaN, finite: 1.5 },
    ]);
  });

  it('answers information_schema like Databricks', async () => {
    const schema = freshSchema();
    await warehouse.query(`CREATE SCHEMA main.${schema}`);
    await warehouse.query(
      `CREATE TABLE main.${schema}.t (a BIGINT NOT NULL, amount DECIMAL(10,2), at TIMESTAMP_NTZ)`,
    );

    const schemata = await warehouse.query(
      `SELECT catalog_name, schema_name FROM main.information_schema.schemata WHERE schema_name = '${schema}'`,
    );
    const tables = await warehouse.query(
      `SELECT table_catalog, table_schema, table_name FROM information_schema.tables WHERE table_schema = '${schema}'`,
    );
    const columns = await warehouse.query(
      `SELECT column_name, data_type, full_data_type, is_nullable, numeric_precision, numeric_scale FROM main.information_schema.columns WHERE table_schema = '${schema}' AND table_name = 't' ORDER BY ordinal_position`,
    );

    expect(schemata).toEqual([{ catalog_name: 'main', schema_name: schema }]);
    expect(tables).toEqual([{ table_catalog: 'main', table_schema: schema, table_name: 't' }]);
    expect(columns).toEqual([
      {
        column_name: 'a',
        data_type: 'BIGINT',
        full_data_type: 'bigint',
        is_nullable: 'NO',
        numeric_precision: 19,
        numeric_scale: 0,
      },
      {
        column_name: 'amount',
        data_type: 'DECIMAL',
        full_data_type: 'decimal(10,2)',
        is_nullable: 'YES',
        numeric_precision: 10,
        numeric_scale: 2,
      },
      {
        column_name: 'at',
        data_type: 'TIMESTAMP_NTZ',
        full_data_type: 'timestamp_ntz',
        is_nullable: 'YES',
        numeric_precision: null,
        numeric_scale: null,
      },
    ]);
  });

  it('returns errors with their SQLSTATE', async () => {
    await expect(warehouse.query('SELEC 1')).rejects.toMatchObject({ response: { sqlState: '42601' } });
    await expect(warehouse.query(`SELECT * FROM main.${freshSchema()}.missing`)).rejects.toMatchObject({
      message: expect.stringContaining('TABLE_OR_VIEW_NOT_FOUND'),
    });
  });
});

describe('local Databricks warehouse: COPY INTO', () => {
  const table: TableSchema = {
    name: 'events',
    columns: {
      id: { name: 'id', data_type: 'bigint', nullable: false },
      name: { name: 'name', data_type: 'text' },
      at: { name: 'at', data_type: 'timestamp' },
      amount: { name: 'amount', data_type: 'decimal', precision: 10, scale: 2 },
    },
  };
  const rows = (from: number, n: number): NormalizedRow[] =>
    Array.from({ length: n }, (_, i) => ({
      id: from + i,
      name: `n${from + i}`,
      at: 1_704_067_200_000_000 + i,
      amount: `${from + i}.50`,
    }));

  async function target(): Promise<string> {
    const schema = freshSchema();
    await warehouse.query(`CREATE SCHEMA main.${schema}`);
    await warehouse.query(
      `CREATE TABLE main.${schema}.events (id BIGINT NOT NULL, name STRING, at TIMESTAMP, amount DECIMAL(10,2), note STRING)`,
    );
    return `main.${schema}.events`;
  }

  it('loads Parquet with forwarded keys, skips loaded files on a second run and reloads with force', async () => {
    const t = await target();
    const prefix = `copy/${Date.now()}/forward`;
    await stageParquet(`${prefix}/a.parquet`, table, rows(1, 3));
    await stageParquet(`${prefix}/b.parquet`, table, rows(4, 2));
    // temporary keys from STS, as the loader forwards them
    const sts = new STSClient({
      endpoint: stack.aws.endpoint,
      region: stack.aws.region,
      credentials: stack.aws,
    });
    const keys = await assumeReadOnlyRole(sts, {
      roleArn: stack.copyRoleArn,
      folderUrl: `s3://${stack.stagingBucket}/${prefix}/`,
      durationSeconds: 60,
      sessionName: 'test',
    });
    // a shorter wish is raised to AWS' 900 s minimum, and no more
    const seconds = (keys.expiration!.getTime() - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(840);
    expect(seconds).toBeLessThanOrEqual(900);
    const credential = `WITH (CREDENTIAL (AWS_ACCESS_KEY = '${keys.accessKeyId}', AWS_SECRET_KEY = '${keys.secretAccessKey}', AWS_SESSION_TOKEN = '${keys.sessionToken}'))`;
    const copy = (options = '') =>
      `COPY INTO ${t} FROM 's3://${stack.stagingBucket}/${prefix}' ${credential} FILEFORMAT = PARQUET FILES = ('a.parquet', 'b.parquet') ${options}`;

    const first = await warehouse.query(copy());
    const second = await warehouse.query(copy());
    const forced = await warehouse.query(copy("COPY_OPTIONS ('force' = 'true')"));

    expect(first).toEqual([{ num_affected_rows: 5, num_inserted_rows: 5 }]);
    expect(second).toEqual([{ num_affected_rows: 0, num_inserted_rows: 0 }]);
    expect(forced).toEqual([{ num_affected_rows: 5, num_inserted_rows: 5 }]);
    const loaded = await warehouse.query(`SELECT id, name, at, amount, note FROM ${t} WHERE id = 1 LIMIT 1`);
    expect(loaded).toEqual([{ id: 1, name: 'n1', at: '2024-01-01 00:00:00', amount: 1.5, note: null }]);
  });

  it("reads a timestamp before 1582-10-15 from another writer's Parquet only when told its calendar, as Spark 3 does", async () => {
    const t = await target();
    const goZeroTime = -62_135_596_800_000_000; // 0001-01-01T00:00:00Z in microseconds
    const url = await stageParquet(`copy/${Date.now()}/ancient/a.parquet`, table, [
      { id: 1, name: 'zero', at: goZeroTime, amount: '1.00' },
    ]);
    const copy = (options: string) =>
      `COPY INTO ${t} FROM '${url}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = PARQUET ${options}`;

    await expect(warehouse.query(copy(''))).rejects.toThrow(/TASK_WRITE_FAILED|ANCIENT_DATETIME/);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 0 }]);
    await warehouse.query(copy("FORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED')"));
    expect(await warehouse.query(`SELECT id, CAST(at AS STRING) AS at FROM ${t}`)).toEqual([
      { id: 1, at: '0001-01-01 00:00:00' },
    ]);
  });

  it("refuses COPY INTO's clauses out of the order Databricks' syntax gives them", async () => {
    const t = await target();
    await expect(
      warehouse.query(
        `COPY INTO ${t} FROM 's3://${stack.stagingBucket}/copy/' FILEFORMAT = PARQUET FORMAT_OPTIONS ('datetimeRebaseMode' = 'CORRECTED') FILES = ('a.parquet')`,
      ),
    ).rejects.toThrow(/PARSE_SYNTAX_ERROR.*FILES out of place/);
  });

  it('refuses forwarded keys that the storage does not know', async () => {
    const t = await target();
    const url = await stageParquet(`copy/${Date.now()}/wrong/a.parquet`, table, rows(1, 1));
    const wrong =
      "WITH (CREDENTIAL (AWS_ACCESS_KEY = 'AKIAUNKNOWNKEY000000', AWS_SECRET_KEY = 'wrong', AWS_SESSION_TOKEN = 'wrong'))";
    await expect(
      warehouse.query(`COPY INTO ${t} FROM '${url}' ${wrong} FILEFORMAT = PARQUET`),
    ).rejects.toThrow(/UNAUTHORIZED_ACCESS.*denied/);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 0 }]);
  });

  it('loads with a named storage credential and through an external location, and refuses neither', async () => {
    const t = await target();
    const named = await stageParquet(`copy/${Date.now()}/named/a.parquet`, table, rows(1, 2));
    const external = await stageParquet(`external/${Date.now()}/a.parquet`, table, rows(10, 3));
    const uncovered = await stageParquet(`elsewhere/${Date.now()}/a.parquet`, table, rows(20, 1));

    await warehouse.query(
      `COPY INTO ${t} FROM '${named}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = PARQUET`,
    );
    await warehouse.query(
      `COPY INTO ${t} FROM '${external.replace(/a\.parquet$/, '')}' FILEFORMAT = PARQUET PATTERN = '*.parquet'`,
    );

    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 5 }]);
    await expect(
      warehouse.query(
        `COPY INTO ${t} FROM '${uncovered}' WITH (CREDENTIAL unknown_credential) FILEFORMAT = PARQUET`,
      ),
    ).rejects.toThrow(/NO_SUCH_STORAGE_CREDENTIAL/);
    await expect(warehouse.query(`COPY INTO ${t} FROM '${uncovered}' FILEFORMAT = PARQUET`)).rejects.toThrow(
      /UNAUTHORIZED_ACCESS/,
    );
  });

  it('loads JSON lines, matching columns by name with missing ones null', async () => {
    const t = await target();
    const url = await putObject(
      stack,
      `copy/${Date.now()}/j/rows.jsonl`,
      '{"id": 7, "name": "j", "at": "2024-05-01T10:00:00Z"}\n{"id": 8}\n',
    );
    await warehouse.query(
      `COPY INTO ${t} FROM '${url.replace(/rows\.jsonl$/, '')}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = JSON FILES = ('rows.jsonl') FORMAT_OPTIONS ('inferTimestamp' = 'true')`,
    );
    expect(await warehouse.query(`SELECT id, name, at FROM ${t} ORDER BY id`)).toEqual([
      { id: 7, name: 'j', at: '2024-05-01 10:00:00' },
      { id: 8, name: null, at: null },
    ]);
  });

  it('loads CSV with a header, and adds new columns with mergeSchema', async () => {
    const t = await target();
    const csv = await putObject(stack, `copy/${Date.now()}/c/rows.csv`, 'id,name\n30,c1\n31,c2\n');
    const wider: TableSchema = {
      name: 'events',
      columns: { ...table.columns, brand_new: { name: 'brand_new', data_type: 'text' } },
    };
    const parquet = await stageParquet(`copy/${Date.now()}/m/a.parquet`, wider, [{ id: 40, brand_new: 'x' }]);

    await warehouse.query(
      `COPY INTO ${t} FROM '${csv}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true')`,
    );
    await warehouse.query(
      `COPY INTO ${t} FROM '${parquet}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = PARQUET COPY_OPTIONS ('mergeSchema' = 'true')`,
    );

    expect(await warehouse.query(`SELECT id, name, brand_new FROM ${t} ORDER BY id`)).toEqual([
      { id: 30, name: 'c1', brand_new: null },
      { id: 31, name: 'c2', brand_new: null },
      { id: 40, name: null, brand_new: 'x' },
    ]);
  });

  it('fails on a type that cannot be cast and on a missing file, loading nothing', async () => {
    const t = await target();
    const wrong: TableSchema = { name: 'events', columns: { id: { name: 'id', data_type: 'text' } } };
    const bad = await stageParquet(`copy/${Date.now()}/bad/a.parquet`, wrong, [{ id: 'not a number' }]);

    await expect(
      warehouse.query(
        `COPY INTO ${t} FROM '${bad}' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = PARQUET`,
      ),
    ).rejects.toThrow(/DELTA_FAILED_TO_MERGE_FIELDS/);
    await expect(
      warehouse.query(
        `COPY INTO ${t} FROM 's3://${stack.stagingBucket}/copy/none' WITH (CREDENTIAL ${stack.storageCredential}) FILEFORMAT = PARQUET FILES = ('missing.parquet')`,
      ),
    ).rejects.toThrow(/PATH_NOT_FOUND/);
    expect(await warehouse.query(`SELECT count(*) AS n FROM ${t}`)).toEqual([{ n: 0 }]);
  });
});
