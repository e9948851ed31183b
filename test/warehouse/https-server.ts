import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { thrift as sqlThrift } from '@databricks/sql';
import thrift from 'thrift';
import type { Certificates } from './certificates.js';
import type { OAuthServer } from './oauth.js';

export interface HttpsOptions {
  certificates: Certificates;
  httpPath: string;
  accessToken: string;
  oauth: OAuthServer;
  handlers: object;
}

/**
 * The warehouse's HTTPS endpoint: OAuth under /oidc, and Thrift (binary protocol over HTTP
 * POST) on the warehouse's http_path behind bearer-token authentication.
 */
export function warehouseServer(options: HttpsOptions): Server {
  const processor = new sqlThrift.TCLIService.Processor(options.handlers);
  // failures tests inject: the next `count` ExecuteStatement calls (those holding `match`, if
  // given) get this HTTP status
  let fault: { status: number; count: number; retryAfter?: number; match?: string } | undefined;
  return createServer(
    { key: options.certificates.keyPem, cert: options.certificates.certPem },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const origin = `https://${req.headers.host}`;
        if (options.oauth.handle(req, body, res, origin)) return;
        const path = (req.url ?? '').split('?')[0];
        if (req.method !== 'POST' || (path !== options.httpPath && path !== `${options.httpPath}/faults`)) {
          res.writeHead(404, { 'Content-Type': 'text/plain' });
          res.end(`no warehouse at ${req.url}`);
          return;
        }
        const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
        if (!sameToken(token, options.accessToken) && !options.oauth.accepts(token)) {
          res.writeHead(401, {
            'Content-Type': 'text/plain',
            'WWW-Authenticate': 'Bearer',
            'x-thriftserver-error-message': 'Invalid access token.',
          });
          res.end('Invalid access token.');
          return;
        }
        if ((req.url ?? '') === `${options.httpPath}/faults`) {
          fault = JSON.parse(body.toString('utf8'));
          res.writeHead(204).end();
          return;
        }
        if (
          fault !== undefined &&
          fault.count > 0 &&
          body.includes('ExecuteStatement') &&
          (fault.match === undefined || body.includes(fault.match))
        ) {
          fault.count--;
          res.writeHead(fault.status, {
            'Content-Type': 'text/plain',
            ...(fault.retryAfter !== undefined && { 'Retry-After': String(fault.retryAfter) }),
          });
          res.end(
            fault.status === 429
              ? 'Too many requests'
              : fault.status === 503
                ? 'Service unavailable: the warehouse is starting'
                : 'Forbidden',
          );
          return;
        }
        thrift.TBufferedTransport.receiver((transport) => {
          const output = new thrift.TBinaryProtocol(
            new thrift.TBufferedTransport(undefined, (reply?: Buffer) => {
              res.writeHead(200, { 'Content-Type': 'application/x-thrift' });
              res.end(reply);
            }),
          );
          processor.process(new thrift.TBinaryProtocol(transport), output);
        }, 0)(body);
      });
    },
  );
}

function sameToken(given: string, expected: string): boolean {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
}
