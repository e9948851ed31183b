import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Route = (request: ApiRequest) => {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as it is instead of `body` (JSON that JSON.stringify cannot write, such as big integers, or bytes in another encoding). */
  raw?: string | Buffer;
};

/** A local HTTP API for source tests: routes by path, and a log of every request it got. */
export async function startApiServer(routes: Record<string, Route>) {
  const requests: ApiRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      requests.push(request);
      const route = routes[url.pathname];
      const reply: ReturnType<Route> = route
        ? route(request)
        : { status: 404, body: { error: `no route ${url.pathname}` } };
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    routes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
