import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parseSluiceConfig } from '../../shared/config/pipelines.js';
import { SecretValues } from '../../shared/config/secret-values.js';
import { DuckDbDestination } from '../../shared/destinations/duckdb/duckdb-destination.js';
import { readSourcesState } from '../../shared/pipeline/state.js';
import type { paginatorSchema } from '../../shared/sources/rest/rest-config.js';
import { type ApiRequest, type Route, startApiServer } from '../support/api-server.js';
import { duckdbColumnType } from '../support/duckdb-columns.js';
import { pullPipeline as pullPipelineOn, type ResourceInputConfig } from '../support/pull-run.js';
import { sluice, sluicePull } from '../support/sluice-cli.js';
import { tempDir } from '../support/temp-dir.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const secrets = new SecretValues(undefined, {
  API_TOKEN: 'tok-123',
  API_PASSWORD: 'pw-456',
  CLIENT_SECRET: 'cs-789',
});

type Resource = ResourceInputConfig;

/** A pipeline pulling from the local API into DuckDB, closed after the test. */
async function pullPipeline(resources: Resource[]) {
  const p = await pullPipelineOn('api', resources, secrets);
  cleanups.push(p.close);
  return p;
}

async function api(routes: Record<string, Route>) {
  const server = await startApiServer(routes);
  cleanups.push(server.close);
  return server;
}

const people = Array.from({ length: 7 }, (_, i) => ({ id: i + 1, name: `p${i + 1}` }));
const ids = async (p: { query(sql: string): Promise<Record<string, unknown>[]> }, table: string) =>
  (await p.query(`SELECT id FROM api_data.${table} ORDER BY id`)).map((r) => Number(r.id));

/** `/events` pulled incrementally on `updated_at`, sent as `since`. */
function incrementalEvents(baseUrl: string): Resource {
  return {
    name: 'events',
    source: {
      kind: 'rest_api',
      baseUrl,
      path: 'events',
      incremental: { cursorPath: 'updated_at', param: 'since', initialValue: '2025-12-01T00:00:00Z' },
    },
  };
}

describe('the REST API source', () => {
  it('follows each paginator to the last page', async () => {
    const page = (items: unknown[], n: number, size: number) => items.slice(n * size, n * size + size);
    const server = await api({
      '/by-page': (r) => ({
        body: { data: page(people, Number(r.query.get('page')) - 1, 3), total_pages: 3 },
      }),
      '/by-offset': (r) => ({
        body: people.slice(
          Number(r.query.get('offset')),
          Number(r.query.get('offset')) + Number(r.query.get('limit')),
        ),
      }),
      '/by-cursor': (r) => {
        const at = Number(r.query.get('after') ?? 0);
        return {
          body: { items: people.slice(at, at + 4), next: at + 4 < people.length ? String(at + 4) : null },
        };
      },
      '/by-link': (r) => {
        const n = Number(r.query.get('p') ?? 0);
        const next =
          n < 2 ? { link: `<${'/by-link'}?p=${n + 1}>; rel="next", </by-link?p=0>; rel="first"` } : undefined;
        return { headers: next, body: page(people, n, 3) };
      },
      '/by-json-link': (r) => {
        const n = Number(r.query.get('p') ?? 0);
        return {
          body: { results: page(people, n, 3), links: { next: n < 2 ? `/by-json-link?p=${n + 1}` : null } },
        };
      },
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      {
        name: 'paged',
        source: {
          ...base,
          path: 'by-page',
          dataSelector: 'data',
          paginator: { type: 'page_number', totalPath: 'total_pages' },
        },
      },
      { name: 'offsets', source: { ...base, path: 'by-offset', paginator: { type: 'offset', limit: 3 } } },
      {
        name: 'cursors',
        source: {
          ...base,
          path: 'by-cursor',
          dataSelector: 'items',
          paginator: { type: 'cursor', cursorPath: 'next', cursorParam: 'after' },
        },
      },
      { name: 'linked', source: { ...base, path: 'by-link', paginator: { type: 'header_link' } } },
      {
        name: 'json_linked',
        source: {
          ...base,
          path: 'by-json-link',
          dataSelector: 'results',
          paginator: { type: 'json_link', nextUrlPath: 'links.next' },
        },
      },
    ]);
    await p.run();
    for (const table of ['paged', 'offsets', 'cursors', 'linked', 'json_linked']) {
      expect(await ids(p, table), table).toEqual([1, 2, 3, 4, 5, 6, 7]);
    }
    const calls = (path: string) => server.requests.filter((r) => r.path === path).length;
    expect([
      calls('/by-page'),
      calls('/by-offset'),
      calls('/by-cursor'),
      calls('/by-link'),
      calls('/by-json-link'),
    ]).toEqual([3, 3, 2, 3, 3]);
  });

  it("selects records and cursors by JSONPath as dlt's rest_api takes them: $.data[*], [*] over pages", async () => {
    const server = await api({
      '/wild': (r) => {
        const at = Number(r.query.get('after') ?? 0);
        return {
          body: {
            data: people.slice(at, at + 4),
            $meta: { next: at + 4 < people.length ? String(at + 4) : null },
          },
        };
      },
      '/sections': () => ({
        body: { sections: [{ rows: [{ id: 1 }, { id: 2 }] }, { rows: [{ id: 3 }] }, {}] },
      }),
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      {
        name: 'wild',
        source: {
          ...base,
          path: 'wild',
          dataSelector: '$.data[*]',
          // a key starting with $ is a key, not the root
          paginator: { type: 'cursor', cursorPath: '$meta.next', cursorParam: 'after' },
        },
      },
      { name: 'section_rows', source: { ...base, path: 'sections', dataSelector: 'sections[*].rows' } },
    ]);
    await p.run();
    expect(await ids(p, 'wild')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // each section's rows list is one match, as JSONPath finds them: a record holding a list
    expect(await p.query('SELECT count(*) AS n FROM api_data.section_rows')).toEqual([{ n: '2' }]);
    expect(await p.query('SELECT id FROM api_data.section_rows__value ORDER BY id')).toEqual([
      { id: '1' },
      { id: '2' },
      { id: '3' },
    ]);
  });

  it("finds records and pages as dlt's rest_api does when neither is configured, and refuses to guess", async () => {
    const pageOf = (r: { query: URLSearchParams }) => Number(r.query.get('page') ?? 1);
    const server = await api({
      // a Link header: header_link
      '/linked': (r) => ({
        body: { meta: { count: 7 }, results: people.slice((pageOf(r) - 1) * 3, pageOf(r) * 3) },
        ...(pageOf(r) < 3 && {
          headers: { link: `<${new URL(`linked?page=${pageOf(r) + 1}`, server.url)}>; rel="next"` },
        }),
      }),
      // a URL under a `next` key: json_link; the records are the first list under a record-like key
      '/hrefs': (r) => ({
        body: {
          tags: ['x'],
          data: people.slice((pageOf(r) - 1) * 4, pageOf(r) * 4),
          links: { next: pageOf(r) < 2 ? `/hrefs?page=${pageOf(r) + 1}` : null },
        },
      }),
      // one object holding one list: the list is the data, as dlt selects it
      '/one': () => ({ body: { id: 1, tags: ['a', 'b'] } }),
      '/cursor': () => ({ body: { items: people, next_cursor: 'abc' } }),
      '/counted': () => ({ body: { data: people, meta: { total_pages: 3 } } }),
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      { name: 'linked', source: { ...base, path: 'linked' } },
      // dlt's `auto`: the same as none
      { name: 'hrefs', source: { ...base, path: 'hrefs', paginator: { type: 'auto' } } },
      { name: 'one', source: { ...base, path: 'one' } },
    ]);
    await p.run();
    expect(await ids(p, 'linked')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await ids(p, 'hrefs')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await p.query('SELECT value FROM api_data.one ORDER BY value')).toEqual([
      { value: 'a' },
      { value: 'b' },
    ]);
    // a cursor or a page count would be a guess (dlt's may ask for the first page twice): refused
    for (const [path, seen] of [
      ['cursor', 'a cursor at next_cursor'],
      ['counted', 'a page count at meta.total_pages'],
    ] as const) {
      const guessed = await pullPipeline([{ name: path, source: { ...base, path } }]);
      await expect(guessed.run()).rejects.toThrow(
        `${path}: the response looks paged (${seen}) but the endpoint has no paginator; configure one`,
      );
    }
  });

  it('pages a POST endpoint through its JSON body: a cursor, a page number, an offset and limit', async () => {
    type Query = {
      filter: { status: string };
      page?: { after?: string; number?: number; offset?: number; size?: number };
    };
    const search = (r: { method: string; body: string }) => {
      const query = JSON.parse(r.body) as Query;
      // only the filter's records, and only POSTs
      const found = r.method === 'POST' && query.filter.status === 'open' ? people : [];
      return { found, page: query.page ?? {} };
    };
    const server = await api({
      '/by-cursor': (r) => {
        const { found, page } = search(r);
        const at = Number(page.after ?? 0);
        return {
          body: { results: found.slice(at, at + 3), next: at + 3 < found.length ? String(at + 3) : null },
        };
      },
      '/by-page': (r) => {
        const { found, page } = search(r);
        const n = page.number ?? 0;
        return { body: { results: found.slice((n - 1) * 3, n * 3) } };
      },
      '/since': (r) => {
        const since = (JSON.parse(r.body) as { filter: { since: number } }).filter.since;
        return { body: { results: people.filter((person) => person.id >= since) } };
      },
      '/by-offset': (r) => {
        const { found, page } = search(r);
        return { body: { results: found.slice(page.offset ?? 0, (page.offset ?? 0) + (page.size ?? 0)) } };
      },
    });
    const post = (path: string, paginator: z.input<typeof paginatorSchema>): Resource => ({
      name: path.replace('-', '_'),
      source: {
        kind: 'rest_api',
        baseUrl: server.url,
        path,
        method: 'POST',
        json: { filter: { status: 'open' } },
        dataSelector: 'results',
        paginator,
      },
    });
    const p = await pullPipeline([
      post('by-cursor', { type: 'cursor', cursorPath: 'next', cursorBodyPath: 'page.after' }),
      post('by-page', { type: 'page_number', pageBodyPath: 'page.number' }),
      post('by-offset', {
        type: 'offset',
        limit: 4,
        offsetBodyPath: 'page.offset',
        limitBodyPath: 'page.size',
      }),
      {
        name: 'since',
        source: {
          kind: 'rest_api',
          baseUrl: server.url,
          path: 'since',
          method: 'POST',
          json: { filter: { status: 'open' } },
          dataSelector: 'results',
          // the incremental cursor's value goes into the body too
          incremental: { cursorPath: 'id', bodyPath: 'filter.since', initialValue: 5 },
        },
      },
    ]);
    await p.run();
    for (const table of ['by_cursor', 'by_page', 'by_offset'])
      expect(await ids(p, table), table).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await ids(p, 'since')).toEqual([5, 6, 7]);
    expect(JSON.parse(server.requests.find((r) => r.path === '/since')!.body)).toEqual({
      filter: { status: 'open', since: 5 },
    });
    const bodies = server.requests.filter((r) => r.path === '/by-cursor').map((r) => JSON.parse(r.body));
    expect(bodies).toEqual([
      { filter: { status: 'open' } },
      { filter: { status: 'open' }, page: { after: '3' } },
      { filter: { status: 'open' }, page: { after: '6' } },
    ]);
  });

  it("stops where dlt's paginators stop, and refuses to page forever", async () => {
    let other = '';
    const endless = (r: ApiRequest) => {
      const n = Number(r.query.get('page') ?? r.query.get('offset'));
      return { body: { data: [{ id: n }, { id: n + 1 }, { id: n + 2 }], total: 100 } };
    };
    const server = await api({
      '/endless': endless,
      '/early-empty': (r) => ({
        body: {
          data: Number(r.query.get('page')) < 3 ? [{ id: Number(r.query.get('page')) }] : [],
          total: 9,
        },
      }),
      '/ignores-page': () => ({ body: { data: [{ id: 1 }] } }),
      '/same-cursor': (r) => ({ body: { items: [{ id: r.query.get('after') ?? 'first' }], next: 'abc' } }),
      '/elsewhere': () => ({ body: { data: [{ id: 1 }], next: `${other}/more` } }),
    });
    // the same server under another name: another origin
    other = `http://localhost:${new URL(server.url).port}`;
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const pageNumber = { type: 'page_number' as const, totalPath: 'total' };
    const p = await pullPipeline([
      {
        name: 'capped_pages',
        source: {
          ...base,
          path: 'endless',
          dataSelector: 'data',
          paginator: { ...pageNumber, maximumPage: 2 },
        },
      },
      {
        name: 'capped_offsets',
        source: {
          ...base,
          path: 'endless',
          dataSelector: 'data',
          paginator: { type: 'offset', limit: 3, totalPath: 'total', maximumOffset: 6 },
        },
      },
      {
        name: 'empty_ends',
        source: { ...base, path: 'early-empty', dataSelector: 'data', paginator: pageNumber },
      },
    ]);
    await p.run();
    expect(await ids(p, 'capped_pages')).toEqual([1, 2, 2, 3, 3, 4]);
    expect(await ids(p, 'capped_offsets')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(server.requests.filter((r) => r.path === '/early-empty')).toHaveLength(3);

    const ignored = await pullPipeline([
      {
        name: 'ignored',
        source: { ...base, path: 'ignores-page', dataSelector: 'data', paginator: { type: 'page_number' } },
      },
    ]);
    await expect(ignored.run()).rejects.toThrow(
      `ignores-page: page 2 (${server.url}ignores-page?…) answered exactly as the page before`,
    );
    const repeated = await pullPipeline([
      {
        name: 'repeated',
        source: {
          ...base,
          path: 'same-cursor',
          dataSelector: 'items',
          paginator: { type: 'cursor', cursorPath: 'next', cursorParam: 'after' },
        },
      },
    ]);
    const linked = await pullPipeline([
      {
        name: 'linked_away',
        source: {
          ...base,
          path: 'elsewhere',
          dataSelector: 'data',
          paginator: { type: 'json_link', nextUrlPath: 'next' },
          auth: { type: 'bearer', token: { env: 'API_TOKEN' } },
        },
      },
    ]);
    await expect(linked.run()).rejects.toThrow(
      `elsewhere: page 2 links to ${other}/more, outside ${new URL(server.url).origin}; the API's credentials are not sent there`,
    );
    expect(server.requests.filter((r) => r.path === '/more')).toEqual([]);
    await expect(repeated.run()).rejects.toThrow(
      `same-cursor: page 3 asks for ${server.url}same-cursor?… again; paging would never end`,
    );
  });

  it('authenticates with a bearer token, an API key in a header or the query, HTTP basic and OAuth2 client credentials', async () => {
    const seen: Record<string, ApiRequest> = {};
    const record = (name: string) => (r: ApiRequest) => {
      seen[name] = r;
      return { body: [{ id: 1 }] };
    };
    let tokens = 0;
    const server = await api({
      '/bearer': record('bearer'),
      '/key-header': record('key-header'),
      '/key-query': record('key-query'),
      '/basic': record('basic'),
      '/oauth': record('oauth'),
      '/token': (r) => {
        tokens++;
        const form = new URLSearchParams(r.body);
        return form.get('client_secret') === 'cs-789' && form.get('grant_type') === 'client_credentials'
          ? { body: { access_token: 'oauth-token', expires_in: 3600 } }
          : { status: 401, body: { error: 'invalid_client' } };
      },
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      {
        name: 'a',
        source: { ...base, path: 'bearer', auth: { type: 'bearer', token: { env: 'API_TOKEN' } } },
      },
      {
        name: 'b',
        source: {
          ...base,
          path: 'key-header',
          auth: { type: 'api_key', name: 'x-api-key', apiKey: { env: 'API_TOKEN' } },
        },
      },
      {
        name: 'c',
        source: {
          ...base,
          path: 'key-query',
          auth: { type: 'api_key', name: 'api_key', location: 'query', apiKey: { env: 'API_TOKEN' } },
        },
      },
      {
        name: 'd',
        source: {
          ...base,
          path: 'basic',
          auth: { type: 'http_basic', username: 'me', password: { env: 'API_PASSWORD' } },
        },
      },
      {
        name: 'e',
        source: {
          ...base,
          path: 'oauth',
          auth: {
            type: 'oauth2_client_credentials',
            tokenUrl: `${server.url}token`,
            clientId: 'cid',
            clientSecret: { env: 'CLIENT_SECRET' },
          },
        },
      },
    ]);
    await p.run();
    expect(seen.bearer!.headers.authorization).toBe('Bearer tok-123');
    expect(seen['key-header']!.headers['x-api-key']).toBe('tok-123');
    expect(seen['key-query']!.query.get('api_key')).toBe('tok-123');
    expect(seen.basic!.headers.authorization).toBe(`Basic ${Buffer.from('me:pw-456').toString('base64')}`);
    expect(seen.oauth!.headers.authorization).toBe('Bearer oauth-token');
    expect(tokens).toBe(1);
  });

  it('waits as Retry-After asks on 429, retries a 500, and fails on a 404 naming the URL without its query', async () => {
    let attempts = 0;
    const times: number[] = [];
    const server = await api({
      '/busy': () => {
        times.push(Date.now());
        attempts++;
        if (attempts === 1)
          return { status: 429, headers: { 'retry-after': '1' }, body: { error: 'slow down' } };
        if (attempts === 2) return { status: 500, body: { error: 'oops' } };
        return { body: [{ id: 1 }, { id: 2 }] };
      },
    });
    const p = await pullPipeline([
      { name: 'busy', source: { kind: 'rest_api', baseUrl: server.url, path: 'busy' } },
    ]);
    await p.run();
    expect(await ids(p, 'busy')).toEqual([1, 2]);
    expect(attempts).toBe(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(1000);

    // the API key goes in the query, so the URLs errors name must leave it out
    const keyedPull = (path: string) =>
      pullPipeline([
        {
          name: path,
          source: {
            kind: 'rest_api',
            baseUrl: server.url,
            path,
            auth: { type: 'api_key', name: 'key', location: 'query', apiKey: { env: 'API_TOKEN' } },
          },
        },
      ]);
    const failure = (await keyedPull('gone')).run();
    await expect(failure).rejects.toThrow(/HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/gone\?…/);
    await expect(failure).rejects.not.toThrow(/tok-123/);

    // an answer that is not JSON (a proxy's HTML page) is refused naming its URL and content type
    server.routes['/page'] = () => ({ headers: { 'content-type': 'text/html' }, raw: '<html>down</html>' });
    const refused = (await keyedPull('page')).run();
    await expect(refused).rejects.toThrow(
      /response of http:\/\/127\.0\.0\.1:\d+\/page\?… \(text\/html\) is not JSON: Unexpected token/,
    );
    await expect(refused).rejects.not.toThrow(/tok-123/);
  });

  it('reads responses exactly: ids past 2^53 stay exact, 1.0 is a float as dlt types it', async () => {
    const server = await api({
      '/accounts': () => ({ raw: '[{"id": 9007199254740993, "balance": 1.0}, {"id": 2, "balance": 2.5}]' }),
    });
    const p = await pullPipeline([
      { name: 'accounts', source: { kind: 'rest_api', baseUrl: server.url, path: 'accounts' } },
    ]);
    await p.run();
    expect(
      await p.query('SELECT CAST(id AS VARCHAR) AS id, balance FROM api_data.accounts ORDER BY id'),
    ).toEqual([
      { id: '2', balance: 2.5 },
      { id: '9007199254740993', balance: 1 },
    ]);
    expect(await duckdbColumnType(p, 'accounts', 'balance')).toBe('DOUBLE');
  });

  it('reads a response in the charset its Content-Type names, as requests reads it for dlt', async () => {
    const text = JSON.stringify([{ id: 1, name: 'Zoë Müller' }]);
    const server = await api({
      '/latin': () => ({
        headers: { 'content-type': 'application/json; charset=ISO-8859-1' },
        raw: Buffer.from(text, 'latin1'),
      }),
      '/plain': () => ({ raw: Buffer.from(text, 'utf8') }),
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      { name: 'latin', source: { ...base, path: 'latin' } },
      { name: 'plain', source: { ...base, path: 'plain' } },
    ]);
    await p.run();
    expect(await p.query('SELECT name FROM api_data.latin')).toEqual([{ name: 'Zoë Müller' }]);
    expect(await p.query('SELECT name FROM api_data.plain')).toEqual([{ name: 'Zoë Müller' }]);
  });

  it('pulls only new records on the next run and keeps the cursor in the pipeline state', async () => {
    const events = [
      { id: 1, updated_at: '2026-01-01T00:00:00Z' },
      { id: 2, updated_at: '2026-01-02T00:00:00Z' },
      { id: 3, updated_at: '2026-01-02T00:00:00Z' },
    ];
    const server = await api({
      // like most APIs, `since` is inclusive: the last records come again and must not load twice
      '/events': (r) => ({ body: events.filter((e) => e.updated_at >= (r.query.get('since') ?? '')) }),
    });
    const p = await pullPipeline([incrementalEvents(server.url)]);
    const first = await p.run();
    expect(first.items).toBe(3);
    events.push({ id: 4, updated_at: '2026-01-03T00:00:00Z' });
    await p.run();
    expect(await ids(p, 'events')).toEqual([1, 2, 3, 4]);
    const sinces = server.requests.map((r) => r.query.get('since'));
    expect(sinces).toEqual(['2025-12-01T00:00:00Z', '2026-01-02T00:00:00Z']);
    // dlt's layout: sources.<source>.resources.<resource>.incremental.<cursor_path>
    // the rows seen at the last value are remembered, so an inclusive `since` repeats none of them
    expect(await readSourcesState(p.storage, 'api')).toMatchObject({
      api: {
        resources: {
          events: {
            incremental: {
              updated_at: { last_value: '2026-01-03T00:00:00Z', unique_hashes: [expect.any(String)] },
            },
          },
        },
      },
    });
  });

  it("fails on a record without the cursor, or loads or drops it as dlt's on_cursor_value_missing says", async () => {
    const events = [{ id: 1, updated_at: '2026-01-01T00:00:00Z' }, { id: 2, updated_at: null }, { id: 3 }];
    const server = await api({ '/events': () => ({ body: events }) });
    const withMissing = (onCursorValueMissing?: 'include' | 'exclude'): Resource => ({
      name: 'events',
      source: {
        kind: 'rest_api',
        baseUrl: server.url,
        path: 'events',
        incremental: {
          cursorPath: 'updated_at',
          param: 'since',
          initialValue: '2025-12-01T00:00:00Z',
          onCursorValueMissing,
        },
      },
    });
    const raising = await pullPipeline([withMissing()]);
    await expect(raising.run()).rejects.toThrow(
      /record from events has no cursor field updated_at \(onCursorValueMissing: include or exclude/,
    );
    const including = await pullPipeline([withMissing('include')]);
    await including.run();
    expect(await ids(including, 'events')).toEqual([1, 2, 3]);
    // records without a value move no cursor
    expect(await readSourcesState(including.storage, 'api')).toMatchObject({
      api: { resources: { events: { incremental: { updated_at: { last_value: '2026-01-01T00:00:00Z' } } } } },
    });
    const excluding = await pullPipeline([withMissing('exclude')]);
    await excluding.run();
    expect(await ids(excluding, 'events')).toEqual([1]);
  });

  it("fills dlt's {incremental.start_value} placeholder in params and in a POST's json", async () => {
    const events = [
      { id: 1, updated_at: '2026-01-01T00:00:00Z' },
      { id: 2, updated_at: '2026-01-02T00:00:00Z' },
    ];
    const server = await api({
      '/events': (r) => ({
        body: events.filter((e) => e.updated_at >= (r.query.get('from') ?? '').slice(5)),
      }),
      '/search': (r) => {
        const { after } = JSON.parse(r.body) as { after: number };
        return { body: events.filter((e) => e.id >= after) };
      },
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      {
        name: 'events',
        source: {
          ...base,
          path: 'events',
          params: { from: 'date:{incremental.start_value}' },
          incremental: { cursorPath: 'updated_at', initialValue: '2026-01-02T00:00:00Z' },
        },
      },
      {
        name: 'found',
        source: {
          ...base,
          path: 'search',
          method: 'POST',
          json: { after: '{incremental.start_value}' },
          incremental: { cursorPath: 'id', initialValue: 2 },
        },
      },
    ]);
    await p.run();
    expect(await ids(p, 'events')).toEqual([2]);
    expect(await ids(p, 'found')).toEqual([2]);
    expect(server.requests.map((r) => r.query.get('from') ?? JSON.parse(r.body))).toEqual([
      'date:2026-01-02T00:00:00Z',
      // a value that is only the placeholder keeps the cursor's type
      { after: 2 },
    ]);
  });

  it("backfills a window [initialValue, endValue) as dlt's end_value does, leaving the cursor as it was", async () => {
    const events = [
      { id: 1, updated_at: '2026-01-01T00:00:00Z' },
      { id: 2, updated_at: '2026-01-02T00:00:00Z' },
      { id: 3, updated_at: '2026-01-03T00:00:00Z' },
      { id: 4, updated_at: '2026-01-04T00:00:00Z' },
    ];
    const server = await api({
      // an API that ignores `until`: the window's end is kept by the cursor too
      '/events': (r) => ({ body: events.filter((e) => e.updated_at >= (r.query.get('since') ?? '')) }),
      // the start in the path, the end in a parameter
      '/days/2026-01-02T00%3A00%3A00Z': (r) => ({
        body: events.filter((e) => e.updated_at >= '2026-01-02' && e.updated_at < r.query.get('to')!),
      }),
    });
    const regular = incrementalEvents(server.url);
    const p = await pullPipeline([regular]);
    await p.run();
    const cursorAfterRegularRun = await readSourcesState(p.storage, 'api');

    // a backfill of days 2 and 3 asks from its initial value, not from the cursor, and loads
    // nothing at or after its end; the cursor the regular runs keep does not move
    const window = {
      cursorPath: 'updated_at',
      initialValue: '2026-01-02T00:00:00Z',
      endValue: '2026-01-04T00:00:00Z',
    };
    await p.run(undefined, [
      {
        name: 'events',
        source: {
          kind: 'rest_api',
          baseUrl: server.url,
          path: 'events',
          incremental: { ...window, param: 'since', endParam: 'until' },
        },
      },
      {
        name: 'days',
        source: {
          kind: 'rest_api',
          baseUrl: server.url,
          path: 'days/{incremental.start_value}',
          params: { to: '{incremental.end_value}' },
          headers: { 'x-window': '{incremental.initial_value} to {incremental.end_value}' },
          paginator: { type: 'single_page' },
          dataSelector: '$',
          incremental: window,
        },
      },
    ]);
    expect(server.requests.slice(1).map((r) => `${r.path}?${r.query}`)).toEqual([
      '/events?since=2026-01-02T00%3A00%3A00Z&until=2026-01-04T00%3A00%3A00Z',
      '/days/2026-01-02T00%3A00%3A00Z?to=2026-01-04T00%3A00%3A00Z',
    ]);
    expect(server.requests[2]!.headers['x-window']).toBe('2026-01-02T00:00:00Z to 2026-01-04T00:00:00Z');
    expect(await ids(p, 'events')).toEqual([1, 2, 2, 3, 3, 4]);
    expect(await ids(p, 'days')).toEqual([2, 3]);
    expect(await readSourcesState(p.storage, 'api')).toEqual(cursorAfterRegularRun);
  });

  it('keeps the cursor of a resource named constructor, a name every JavaScript object answers to', async () => {
    const events = [{ id: 1, updated_at: '2026-01-01T00:00:00Z' }];
    const server = await api({
      '/events': (r) => ({ body: events.filter((e) => e.updated_at > (r.query.get('since') ?? '')) }),
    });
    const p = await pullPipeline([{ ...incrementalEvents(server.url), name: 'constructor' }]);
    await p.run();
    events.push({ id: 2, updated_at: '2026-01-02T00:00:00Z' });
    await p.run();

    expect(server.requests.map((r) => r.query.get('since'))).toEqual([
      '2025-12-01T00:00:00Z',
      '2026-01-01T00:00:00Z',
    ]);
    expect(await ids(p, '"constructor"')).toEqual([1, 2]);
    // the cursor is in the stored state, where the next process reads it
    expect(await readSourcesState(p.storage, 'api')).toMatchObject({
      api: {
        resources: { constructor: { incremental: { updated_at: { last_value: '2026-01-02T00:00:00Z' } } } },
      },
    });
  });

  it('does not advance the cursor when the load fails, so the next run pulls the same records again', async () => {
    const events = [{ id: 1, updated_at: '2026-01-01T00:00:00Z' }];
    const server = await api({
      '/events': (r) => ({ body: events.filter((e) => e.updated_at > (r.query.get('since') ?? '')) }),
    });
    const p = await pullPipeline([incrementalEvents(server.url)]);
    const closed = await DuckDbDestination.open(join(await tempDir(), 'closed.duckdb'));
    await closed.close();
    await expect(p.run(closed)).rejects.toThrow();
    expect(await readSourcesState(p.storage, 'api')).toEqual({});
    await p.run();
    expect(server.requests.map((r) => r.query.get('since'))).toEqual([
      '2025-12-01T00:00:00Z',
      '2025-12-01T00:00:00Z',
    ]);
    expect(await ids(p, 'events')).toEqual([1]);
  });

  it('requests a child endpoint once per parent record and links the child rows to their parent', async () => {
    const server = await api({
      '/issues': () => ({
        body: [
          { number: 7, title: 'a' },
          { number: 9, title: 'b' },
          // its endpoints answer 404: ignored as configured
          { number: 11, title: 'gone' },
        ],
      }),
      '/issues/7/comments': () => ({
        body: [
          { id: 70, text: 'x' },
          { id: 71, text: 'y' },
        ],
      }),
      '/issues/9/comments': () => ({ body: [{ id: 90, text: 'z' }] }),
      // one record per issue: a path ending in a parameter is one entity, its lists stay nested
      '/issues/7/': () => ({ body: { number: 7, labels: ['bug', 'ui'] } }),
      '/issues/9/': () => ({ body: { number: 9, labels: [] } }),
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      { name: 'issues', source: { ...base, path: 'issues' } },
      {
        name: 'comments',
        source: {
          ...base,
          path: 'issues/{number}/comments',
          parent: 'issues',
          includeFromParent: ['number'],
          responseActions: [{ statusCode: 404, action: 'ignore' }],
        },
      },
      {
        name: 'details',
        source: {
          ...base,
          path: 'issues/{number}/',
          parent: 'issues',
          responseActions: [{ statusCode: 404, action: 'ignore' }],
        },
      },
    ]);
    await p.run();
    expect(await p.query('SELECT number FROM api_data.details ORDER BY number')).toEqual([
      { number: '7' },
      { number: '9' },
    ]);
    expect(await p.query('SELECT value FROM api_data.details__labels ORDER BY value')).toEqual([
      { value: 'bug' },
      { value: 'ui' },
    ]);
    expect(await p.query('SELECT id, _issues_number FROM api_data.comments ORDER BY id')).toEqual([
      { id: '70', _issues_number: '7' },
      { id: '71', _issues_number: '7' },
      { id: '90', _issues_number: '9' },
    ]);
    // without the action the 404 fails the pull, naming the URL
    const strict = await pullPipeline([
      { name: 'issues', source: { ...base, path: 'issues' } },
      { name: 'comments', source: { ...base, path: 'issues/{number}/comments', parent: 'issues' } },
    ]);
    await expect(strict.run()).rejects.toThrow(/HTTP 404 from .*\/issues\/11\/comments/);
  });

  it("ignores answers by the text they hold, as dlt's response_actions with content do", async () => {
    const server = await api({
      // past the last page this API answers 200 with a line of text instead of an empty list
      '/people': (r) => {
        const page = Number(r.query.get('page'));
        return page <= 2
          ? { body: { data: people.slice(page * 3 - 3, page * 3) } }
          : { raw: 'no more results' };
      },
      // and a lookup it cannot find is a 400 saying so
      '/lookup': () => ({ status: 400, body: { error: 'Account not found' } }),
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      {
        name: 'people',
        source: {
          ...base,
          path: 'people',
          dataSelector: 'data',
          paginator: { type: 'page_number' },
          responseActions: [{ content: 'no more results', action: 'ignore' }],
        },
      },
      {
        name: 'lookup',
        source: {
          ...base,
          path: 'lookup',
          responseActions: [{ statusCode: 400, content: 'Account not found', action: 'ignore' }],
        },
      },
    ]);
    await p.run();
    expect(await ids(p, 'people')).toEqual([1, 2, 3, 4, 5, 6]);
    expect(server.requests.filter((r) => r.path === '/lookup')).toHaveLength(1);
    // without the action, the text fails the pull
    const unignored = await pullPipeline([
      {
        name: 'people',
        source: { ...base, path: 'people', dataSelector: 'data', paginator: { type: 'page_number' } },
      },
    ]);
    await expect(unignored.run()).rejects.toThrow(/response of .*\/people.* is not JSON/);
    // an action with a status and a text needs both: a 404's does not ignore the 400 holding its text
    const strict = await pullPipeline([
      {
        name: 'lookup',
        source: {
          ...base,
          path: 'lookup',
          responseActions: [{ statusCode: 404, content: 'not found', action: 'ignore' }],
        },
      },
    ]);
    await expect(strict.run()).rejects.toThrow(/HTTP 400 from .*\/lookup: \{"error":"Account not found"\}/);
  });

  it("takes dlt's {resources.<parent>.<field>} placeholders (path, params, headers, json) and resolved params, the parent implied", async () => {
    const server = await api({
      '/repos': () => ({
        body: [
          { id: 1, owner: { login: 'ann' } },
          { id: 2, owner: { login: 'bob' } },
        ],
      }),
      '/repos/1/stars': () => ({ body: [{ starred: 'a1' }] }),
      '/repos/2/stars': () => ({ body: [{ starred: 'b1' }, { starred: 'b2' }] }),
      '/search': (r) => {
        const { repo } = JSON.parse(r.body) as { repo: number };
        return { body: [{ hit: `repo ${repo} for ${r.query.get('owner')} by ${r.headers['x-owner']}` }] };
      },
    });
    const base = { kind: 'rest_api' as const, baseUrl: server.url };
    const p = await pullPipeline([
      { name: 'repos', source: { ...base, path: 'repos' } },
      {
        name: 'stars',
        source: { ...base, path: 'repos/{resources.repos.id}/stars', includeFromParent: ['id'] },
      },
      {
        name: 'hits',
        source: {
          ...base,
          path: 'search',
          method: 'POST',
          params: { owner: '{resources.repos.owner.login}' },
          headers: { 'x-owner': 'user {resources.repos.owner.login}' },
          // a value that is only the placeholder keeps the parent's type
          json: { repo: '{resources.repos.id}' },
        },
      },
    ]);
    await p.run();
    expect(await p.query('SELECT starred, _repos_id FROM api_data.stars ORDER BY starred')).toEqual([
      { starred: 'a1', _repos_id: '1' },
      { starred: 'b1', _repos_id: '2' },
      { starred: 'b2', _repos_id: '2' },
    ]);
    expect((await p.query('SELECT hit FROM api_data.hits ORDER BY hit')).map((r) => r.hit)).toEqual([
      'repo 1 for ann by user ann',
      'repo 2 for bob by user bob',
    ]);
    // dlt's older form: a resolved param, in the path where the path names it, else in the query
    const resolved = await pullPipeline([
      { name: 'repos', source: { ...base, path: 'repos' } },
      {
        name: 'stars',
        source: {
          ...base,
          path: 'repos/{repo}/stars',
          params: { repo: { type: 'resolve', resource: 'repos', field: 'id' } },
        },
      },
      {
        name: 'hits',
        source: {
          ...base,
          path: 'search',
          method: 'POST',
          params: { owner: { type: 'resolve', resource: 'repos', field: 'owner.login' } },
          headers: { 'x-owner': 'user {resources.repos.owner.login}' },
          json: { repo: '{resources.repos.id}' },
        },
      },
    ]);
    await resolved.run();
    expect(await resolved.query('SELECT starred FROM api_data.stars ORDER BY starred')).toEqual(
      await p.query('SELECT starred FROM api_data.stars ORDER BY starred'),
    );
    expect(await resolved.query('SELECT hit FROM api_data.hits ORDER BY hit')).toEqual(
      await p.query('SELECT hit FROM api_data.hits ORDER BY hit'),
    );
    // one parent per child, declared before it, and the parent named agrees with the placeholders
    const child = { ...base, path: 'stars/{resources.repos.id}/{resources.users.id}' };
    expect(() =>
      parseSluiceConfig({
        pipelines: [{ name: 'api', dataset: 'api_data', resources: [{ name: 'c', source: child }] }],
      }),
    ).toThrow(
      /resources\[0\]\.source\.path: \{resources.<parent>.<field>\} placeholders name one parent resource/,
    );
    const orphan = { ...base, path: 'stars/{resources.repos.id}' };
    expect(() =>
      parseSluiceConfig({
        pipelines: [{ name: 'api', dataset: 'api_data', resources: [{ name: 'c', source: orphan }] }],
      }),
    ).toThrow(/resources\[0\]\.source\.parent: no pulled resource named 'repos' declared before it/);
  });
});

describe('sluice pull', () => {
  /** The `feed` pipeline pulling `/events` incrementally on `at`, its config file, and a folder. */
  async function feed(prefix: string) {
    const events = [{ id: 1, at: 1 }];
    const server = await api({
      '/events': (r) => ({ body: events.filter((e) => e.at >= Number(r.query.get('since'))) }),
    });
    const dir = await tempDir(prefix);
    const config = join(dir, 'pipelines.mjs');
    const resource = {
      name: 'events',
      source: {
        kind: 'rest_api',
        baseUrl: server.url,
        path: 'events',
        incremental: { cursorPath: 'at', param: 'since', initialValue: 0 },
      },
    };
    const pipeline = { name: 'feed', dataset: 'feed_data', resources: [resource] };
    await writeFile(
      config,
      `export default ${JSON.stringify({ pipelines: [{ ...pipeline, schedules: [{ expression: 'rate(1 hour)' }] }] })};\n`,
    );
    return { events, server, dir, config };
  }

  it('pulls a configured pipeline into DuckDB from the command line, incrementally', async () => {
    const { events, server, dir, config } = await feed('sluice-pull-cli-');
    const cli = (...args: string[]) => sluice(...args, '--workdir', dir);
    const first = await cli('pull', '--pipeline', 'feed', '--config', config);
    expect(first.stdout).toMatch(/events\s+1\s/);
    events.push({ id: 2, at: 2 });
    await cli('pull', '--pipeline', 'feed', '--config', config);
    const { stdout } = await cli(
      'query',
      '--pipeline',
      'feed',
      'SELECT list(id ORDER BY id)::VARCHAR AS ids FROM feed_data.events',
    );
    expect(stdout).toContain('[1, 2]');
    expect(server.requests.map((r) => r.query.get('since'))).toEqual(['0', '1']);

    // a refresh forgets the cursor and starts the table over: every event once, pulled from 0
    await cli('pull', '--pipeline', 'feed', '--config', config, '--refresh');
    const refreshed = await cli(
      'query',
      '--pipeline',
      'feed',
      'SELECT list(id ORDER BY id)::VARCHAR AS ids, count(DISTINCT _dlt_load_id) AS loads FROM feed_data.events',
    );
    expect(refreshed.stdout).toMatch(/│ \[1, 2\] +│ 1 +│/);
    expect(server.requests.map((r) => r.query.get('since'))).toEqual(['0', '1', '0']);
    const unknown = await cli('pull', '--pipeline', 'nope', '--config', config).catch(
      (error: { stderr: string }) => error,
    );
    expect((unknown as { stderr: string }).stderr).toMatch(/sluice: error: no pipeline named 'nope'/);
  }, 120_000);

  it('picks up where the dataset left off from a new working folder: cursor and schema come from the dataset', async () => {
    const { events, server, dir, config } = await feed('sluice-pull-moved-');
    const database = join(dir, 'feed.duckdb');
    const pull = (workdir: string, file = database) => sluicePull('feed', config, file, join(dir, workdir));
    const first = await pull('first');
    expect(first.stdout).not.toContain('restored');
    events.push({ id: 2, at: 2 });
    const moved = await pull('second');
    expect(moved.stdout).toMatch(/restored from dataset feed_data: state version 1, schema feed version \d+/);
    // the cursor came along: only the new event was asked for and loaded
    expect(server.requests.map((r) => r.query.get('since'))).toEqual(['0', '1']);
    const destination = await DuckDbDestination.open(database);
    try {
      const rows = await destination.client.query('SELECT id FROM feed_data.events ORDER BY id');
      expect(rows.map((r) => Number(r.id))).toEqual([1, 2]);
    } finally {
      await destination.close();
    }

    // a new database file: nothing of the pipeline there, so it starts over from the initial value
    const fresh = await pull('second', join(dir, 'fresh.duckdb'));
    expect(fresh.stdout).toContain('dataset feed_data does not exist: the pipeline starts over');
    expect(server.requests.map((r) => r.query.get('since'))).toEqual(['0', '1', '0']);
  }, 120_000);
});
