/** The SQL type DuckDB gave a loaded column, e.g. `DOUBLE`. */
export async function duckdbColumnType(
  p: { query(sql: string): Promise<Record<string, unknown>[]> },
  table: string,
  column: string,
): Promise<unknown> {
  const rows = await p.query(
    `SELECT data_type FROM information_schema.columns WHERE table_name = '${table}' AND column_name = '${column}'`,
  );
  return rows[0]?.data_type;
}
