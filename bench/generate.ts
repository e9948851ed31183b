import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * Writes `rows` nested JSON lines: scalars of every JSON type, ISO timestamps, a nested dict,
 * a list of dicts, a list of scalars and a field whose type changes (variant). Deterministic.
 */
export async function generateDataset(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const cities = ['Berlin', 'Lisbon', 'Osaka', 'Austin', 'Nairobi', 'Québec'];
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
      sku: `SKU-${Math.floor(random() * 100_000)}`,
      unitPrice: Math.round(random() * 100_000) / 100,
      qty: 1 + Math.floor(random() * 9),
      position: k,
    }));
    const row = {
      orderId: i,
      placedAt: new Date(1_700_000_000_000 + i * 1000).toISOString(),
      customer: {
        name: `Customer ${i % 9973}`,
        email: `c${i}@example.com`,
        address: { city: cities[i % 6], zip: String(10_000 + (i % 89_999)) },
      },
      total: Math.round(random() * 1_000_000) / 100,
      isGift: random() < 0.2,
      coupon: random() < 0.7 ? null : 'SPRING',
      tags: ['web', 'mobile', 'store'].slice(0, Math.floor(random() * 4)),
      items,
      // the first item's 200 types the column bigint, so every hundredth goes to status__v_text
      status: i % 100 === 99 ? 'unknown' : 200,
    };
    const line = `${JSON.stringify(row)}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return bytes;
}
