import { randomUUID } from 'node:crypto';
import { thrift } from '@databricks/sql';
import { type EngineClient, EngineError, type EngineResult } from './engine-client.js';
import { rowSet, tableSchema } from './result-set.js';

const T = thrift.TCLIService_types;

interface Operation {
  state: number;
  result?: EngineResult;
  error?: EngineError;
  cursor: number;
  done: Promise<void>;
}

type Handle = { guid: Buffer; secret: Buffer };

/** How long ExecuteStatement waits before answering RUNNING and leaving the rest to polling. */
const DIRECT_RESULT_WAIT_MS = 50;

function handleId(handle: { operationId?: Handle; sessionId?: Handle } | undefined): string {
  const id = handle?.operationId ?? handle?.sessionId;
  return id === undefined ? '' : Buffer.from(id.guid).toString('hex');
}

function newHandle(): Handle {
  return {
    guid: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
    secret: Buffer.from(randomUUID().replace(/-/g, ''), 'hex'),
  };
}

const success = () => new T.TStatus({ statusCode: T.TStatusCode.SUCCESS_STATUS });

function failure(message: string, sqlState = 'HY000') {
  return new T.TStatus({
    statusCode: T.TStatusCode.ERROR_STATUS,
    errorMessage: message,
    sqlState,
    displayMessage: message,
  });
}

/**
 * The TCLIService handlers of the local warehouse: sessions with initial catalog and schema,
 * asynchronous statements that the driver polls (or direct results when a statement is quick),
 * column-based result sets, and errors with their SQLSTATE.
 */
export function thriftHandlers(engine: EngineClient, defaultCatalog: string) {
  const sessions = new Set<string>();
  const operations = new Map<string, Operation>();

  const operationStatus = (op: Operation) =>
    new T.TGetOperationStatusResp({
      status: success(),
      operationState: op.state,
      // The driver waits for (and so only raises errors of) operations with a result set; a
      // finished statement without columns (DDL) has none, or fetchAll would never end.
      hasResultSet: op.state !== T.TOperationState.FINISHED_STATE || (op.result?.columns.length ?? 0) > 0,
      ...(op.error && {
        sqlState: op.error.sqlState,
        errorMessage: op.error.message,
        displayMessage: op.error.message,
        errorCode: 0,
      }),
    });

  const metadata = (op: Operation) =>
    new T.TGetResultSetMetadataResp({
      status: success(),
      schema: tableSchema(op.result?.columns ?? []),
      resultFormat: T.TSparkRowSetType.COLUMN_BASED_SET,
    });

  const fetch = (op: Operation, maxRows: number, withMetadata = false) => {
    const rows = op.result?.rows ?? [];
    const to = Math.min(rows.length, op.cursor + maxRows);
    const results = rowSet(op.result?.columns ?? [], rows, op.cursor, to);
    op.cursor = to;
    return new T.TFetchResultsResp({
      status: success(),
      hasMoreRows: to < rows.length,
      results,
      // asked for by Databricks' Python connector, which reads the row set's format from it
      ...(withMetadata && { resultSetMetadata: metadata(op) }),
    });
  };

  return {
    async OpenSession(req: { initialNamespace?: { catalogName?: string; schemaName?: string } }) {
      const handle = newHandle();
      const id = handle.guid.toString('hex');
      const catalog = req.initialNamespace?.catalogName ?? defaultCatalog;
      try {
        await engine.openSession(id, catalog, req.initialNamespace?.schemaName);
      } catch (error) {
        return new T.TOpenSessionResp({
          status: failure((error as Error).message, (error as EngineError).sqlState),
          serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
        });
      }
      sessions.add(id);
      return new T.TOpenSessionResp({
        status: success(),
        serverProtocolVersion: T.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8,
        sessionHandle: new T.TSessionHandle({ sessionId: new T.THandleIdentifier(handle) }),
        initialNamespace: new T.TNamespace({
          catalogName: catalog,
          schemaName: req.initialNamespace?.schemaName,
        }),
        canUseMultipleCatalogs: true,
        configuration: {},
      });
    },

    async CloseSession(req: { sessionHandle: { sessionId: Handle } }) {
      const id = handleId(req.sessionHandle);
      sessions.delete(id);
      await engine.closeSession(id).catch(() => undefined);
      return new T.TCloseSessionResp({ status: success() });
    },

    async ExecuteStatement(req: {
      sessionHandle: { sessionId: Handle };
      statement: string;
      getDirectResults?: { maxRows?: { toNumber(): number } } | null;
      queryTimeout?: { toNumber(): number } | number;
    }) {
      const session = handleId(req.sessionHandle);
      if (!sessions.has(session)) {
        return new T.TExecuteStatementResp({
          status: new T.TStatus({
            statusCode: T.TStatusCode.INVALID_HANDLE_STATUS,
            errorMessage: 'Invalid SessionHandle',
          }),
        });
      }
      const handle = newHandle();
      const op: Operation = { state: T.TOperationState.RUNNING_STATE, cursor: 0, done: Promise.resolve() };
      op.done = engine.execute(session, req.statement).then(
        (result) => {
          if (op.state !== T.TOperationState.RUNNING_STATE) return;
          op.result = result;
          op.state = T.TOperationState.FINISHED_STATE;
        },
        (error: Error) => {
          if (op.state !== T.TOperationState.RUNNING_STATE) return;
          op.error =
            error instanceof EngineError ? error : new EngineError(error.message, 'INTERNAL_ERROR', 'XX000');
          op.state = T.TOperationState.ERROR_STATE;
        },
      );
      operations.set(handle.guid.toString('hex'), op);
      // queryTimeout (seconds): the statement ends in TIMEDOUT_STATE, as Databricks cancels it
      const timeout =
        typeof req.queryTimeout === 'number' ? req.queryTimeout : (req.queryTimeout?.toNumber() ?? 0);
      if (timeout > 0) {
        const timer = setTimeout(() => {
          if (op.state !== T.TOperationState.RUNNING_STATE) return;
          op.state = T.TOperationState.TIMEDOUT_STATE;
          op.error = new EngineError(
            `[QUERY_TIMEOUT] The statement was cancelled after the query timeout of ${timeout} seconds.`,
            'QUERY_TIMEOUT',
            'HYT00',
          );
        }, timeout * 1000);
        op.done.finally(() => clearTimeout(timer));
      }
      const operationHandle = new T.TOperationHandle({
        operationId: new T.THandleIdentifier(handle),
        operationType: T.TOperationType.EXECUTE_STATEMENT,
        hasResultSet: true,
      });
      await Promise.race([op.done, new Promise((resolve) => setTimeout(resolve, DIRECT_RESULT_WAIT_MS))]);
      if (!req.getDirectResults || op.state === T.TOperationState.RUNNING_STATE) {
        return new T.TExecuteStatementResp({ status: success(), operationHandle });
      }
      // A quick statement answers with its status, schema and first rows at once, as Databricks does.
      const maxRows = req.getDirectResults.maxRows?.toNumber() ?? 100_000;
      const directResults = new T.TSparkDirectResults({
        operationStatus: operationStatus(op),
        // rows only for statements with columns: the driver never consumes a prefetched row set
        // of a statement without a result set, and would poll for it forever
        ...(op.state === T.TOperationState.FINISHED_STATE &&
          (op.result?.columns.length ?? 0) > 0 && {
            resultSetMetadata: metadata(op),
            resultSet: fetch(op, maxRows),
          }),
      });
      return new T.TExecuteStatementResp({ status: success(), operationHandle, directResults });
    },

    async GetOperationStatus(req: { operationHandle: { operationId: Handle } }) {
      const op = operations.get(handleId(req.operationHandle));
      if (op === undefined)
        return new T.TGetOperationStatusResp({ status: failure('Invalid OperationHandle') });
      await Promise.race([op.done, new Promise((resolve) => setTimeout(resolve, 100))]);
      return operationStatus(op);
    },

    async GetResultSetMetadata(req: { operationHandle: { operationId: Handle } }) {
      const op = operations.get(handleId(req.operationHandle));
      if (op === undefined)
        return new T.TGetResultSetMetadataResp({ status: failure('Invalid OperationHandle') });
      return metadata(op);
    },

    async FetchResults(req: {
      operationHandle: { operationId: Handle };
      maxRows: { toNumber(): number };
      includeResultSetMetadata?: boolean;
    }) {
      const op = operations.get(handleId(req.operationHandle));
      if (op === undefined) return new T.TFetchResultsResp({ status: failure('Invalid OperationHandle') });
      return fetch(op, req.maxRows.toNumber(), req.includeResultSetMetadata === true);
    },

    async CloseOperation(req: { operationHandle: { operationId: Handle } }) {
      operations.delete(handleId(req.operationHandle));
      return new T.TCloseOperationResp({ status: success() });
    },

    async CancelOperation(req: { operationHandle: { operationId: Handle } }) {
      const op = operations.get(handleId(req.operationHandle));
      if (op !== undefined && op.state === T.TOperationState.RUNNING_STATE)
        op.state = T.TOperationState.CANCELED_STATE;
      return new T.TCancelOperationResp({ status: success() });
    },

    async GetInfo(_req: unknown) {
      return new T.TGetInfoResp({
        status: success(),
        infoValue: new T.TGetInfoValue({ stringValue: 'Sluice local warehouse' }),
      });
    },
  };
}
