import { request } from 'node:https';
import type { LocalStackInfo } from '../warehouse/local-stack.js';

/**
 * Makes the local warehouse answer the next `count` ExecuteStatement calls with an HTTP error:
 * 429 and 503 are retried, 403 fails the statement. With `match`, only statements holding it count.
 */
export function injectWarehouseFaults(
  stack: LocalStackInfo,
  fault: { status: 429 | 503 | 403; count: number; retryAfter?: number; match?: string },
): Promise<void> {
  const w = stack.warehouse;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: w.host,
        port: w.port,
        path: `${w.httpPath}/faults`,
        method: 'POST',
        ca: w.caCert,
        headers: { authorization: `Bearer ${w.accessToken}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 204 ? resolve() : reject(new Error(`faults: HTTP ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(fault));
  });
}
