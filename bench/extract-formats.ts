// Extract by source format: the same orders as a JSONL file, a JSON array, a CSV file (the flat
// fields) and a Parquet file, each extracted in a fresh process; prints items/s, MB/s and peak RSS.
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';

const exec = promisify(execFile);

interface Order {
  orderId: number;
  placedAt: string;
  customer: { name: string; email: string; address: { city: string } };
  total: number;
  isGift: boolean;
  coupon: string | null;
  status: number | string;
}

const FLAT_COLUMNS = [
  'order_id',
  'placed_at',
  'name',
  'email',
  'city',
  'total',
  'is_gift',
  'coupon',
  'status',
];

function flat(order: Order): unknown[] {
  const { customer } = order;
  return [
    order.orderId,
    order.placedAt,
    customer.name,
    customer.email,
    customer.address.city,
    order.total,
    order.isGift,
    order.coupon,
    String(order.status),
  ];
}

async function* orders(jsonl: string): AsyncIterable<Order> {
  for await (const line of createInterface({ input: createReadStream(jsonl) }))
    if (line !== '') yield JSON.parse(line) as Order;
}

/** Writes the JSON, CSV and Parquet forms of a JSONL file of orders next to it (once). */
async function sourceFiles(jsonl: string): Promise<Record<string, string>> {
  const base = jsonl.replace(/\.jsonl$/, '');
  const files = {
    jsonl,
    json: `${base}.json`,
    'json path': `${base}.envelope.json`,
    csv: `${base}.csv`,
    parquet: `${base}.parquet`,
  };
  if (await stat(files.parquet).catch(() => undefined)) return files;
  const json = createWriteStream(files.json);
  const envelope = createWriteStream(files['json path']);
  const csv = createWriteStream(files.csv);
  const columns: unknown[][] = FLAT_COLUMNS.map(() => []);
  json.write('[\n');
  envelope.write('{"meta": {"source": "bench"}, "data": {"items": [\n');
  csv.write(`${FLAT_COLUMNS.join(',')}\n`);
  let first = true;
  for await (const order of orders(jsonl)) {
    const element = `${first ? '' : ',\n'}${JSON.stringify(order)}`;
    if (!json.write(element)) await once(json, 'drain');
    if (!envelope.write(element)) await once(envelope, 'drain');
    first = false;
    const values = flat(order);
    const cells = values.map((v) =>
      v === null ? '' : typeof v === 'string' && v.includes(',') ? `"${v}"` : String(v),
    );
    if (!csv.write(`${cells.join(',')}\n`)) await once(csv, 'drain');
    for (const [i, v] of values.entries()) columns[i]!.push(v);
  }
  json.end('\n]\n');
  envelope.end('\n]}}\n');
  csv.end();
  await Promise.all([once(json, 'finish'), once(envelope, 'finish'), once(csv, 'finish')]);
  const vectors: Record<string, arrow.Vector> = {};
  FLAT_COLUMNS.forEach((name, i) => {
    const values = columns[i]!;
    vectors[name] =
      name === 'placed_at'
        ? arrow.vectorFromArray(
            values.map((v) => new Date(v as string)),
            new arrow.TimestampMillisecond('UTC'),
          )
        : arrow.vectorFromArray(values);
  });
  const table = new arrow.Table(vectors);
  const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
  await writeFile(files.parquet, bytes);
  return files;
}

/** Extracts each form of the orders in a fresh process and prints its figures. */
export async function extractFormatsBench(jsonl: string, root: string, work: string): Promise<void> {
  const files = await sourceFiles(jsonl);
  console.log(
    '\nextract by source format (the same orders; `json path` under data.items; CSV and Parquet hold the flat fields only)',
  );
  console.log(row('format', 'items', 'MB', 'seconds', 'items/s', 'MB/s', 'peak RSS MB'));
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  for (const [format, path] of Object.entries(files)) {
    const { size } = await stat(path);
    const args = [join(root, 'bench', 'normalize-ours.ts'), 'extract', path, work];
    if (format === 'json path') args.push('data.items');
    const { stdout } = await exec(tsx, args, { maxBuffer: 1 << 24 });
    const f = JSON.parse(stdout.trim().split('\n').pop()!) as {
      items: number;
      seconds: number;
      peakRssMB: number;
    };
    console.log(
      row(
        format,
        String(f.items),
        (size / 1e6).toFixed(0),
        f.seconds.toFixed(2),
        Math.round(f.items / f.seconds).toLocaleString('en-US'),
        (size / 1e6 / f.seconds).toFixed(1),
        f.peakRssMB.toFixed(0),
      ),
    );
  }
}

/** One line of the table: the name left-aligned, the figures right-aligned. */
function row(name: string, ...figures: string[]): string {
  const widths = [9, 7, 8, 11, 7, 11];
  return [name.padEnd(10), ...figures.map((figure, i) => figure.padStart(widths[i]!))].join(' ');
}
