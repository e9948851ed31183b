/** Executes SQL on a destination: one statement per call. */
export interface SqlClient {
  execute(sql: string): Promise<void>;
  query(sql: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}
