/**
 * Query results as a box table, as DuckDB's shell draws them: values as they read (no quotes),
 * NULL for a missing value, and the row count below.
 */
export function resultTable(rows: readonly Record<string, unknown>[]): string {
  const count = `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`;
  const names = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  if (names.length === 0) return count;
  const cells = rows.map((row) => names.map((name) => cellText(row[name])));
  const widths = names.map((name, i) => Math.max(width(name), ...cells.map((texts) => width(texts[i]!))));
  const line = (left: string, join: string, end: string) =>
    `${left}${widths.map((w) => '─'.repeat(w + 2)).join(join)}${end}`;
  const row = (texts: readonly string[]) =>
    `│ ${texts.map((text, i) => text + ' '.repeat(widths[i]! - width(text))).join(' │ ')} │`;
  return [
    line('┌', '┬', '┐'),
    row(names),
    line('├', '┼', '┤'),
    ...cells.map(row),
    line('└', '┴', '┘'),
    count,
  ].join('\n');
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return printable(value);
  if (value instanceof Uint8Array)
    return Array.from(value, (byte) => `\\x${byte.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object')
    return printable(JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v)));
  return String(value);
}

// a line break or tab inside a value would break the table's rows
function printable(text: string): string {
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

/** Characters as a terminal shows them, roughly: code points, not UTF-16 units. */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
