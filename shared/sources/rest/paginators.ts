import { readPath } from './json-path.js';
import type { PagingConfig } from './rest-config.js';

/** A request of a page: its URL and, for a POST, its JSON body. */
export interface PageRequest {
  url: URL;
  json?: Record<string, unknown>;
}

/** What a page told us: its request, response headers, parsed body and the records taken from it. */
export interface Page {
  request: PageRequest;
  headers: Headers;
  body: unknown;
  records: unknown[];
}

/**
 * Walks the pages of an endpoint: `first` sets up the first request, `next` returns the request
 * of the following page or undefined when there is none.
 */
export interface Paginator {
  first(request: PageRequest): PageRequest;
  next(page: Page): PageRequest | undefined;
}

export function paginator(config: PagingConfig): Paginator {
  switch (config.type) {
    case 'single_page':
      return { first: (request) => request, next: () => undefined };
    case 'page_number': {
      let page = config.basePage;
      const place = { param: config.pageParam, bodyPath: config.pageBodyPath };
      return {
        first: (request) => placeValue(request, place, page),
        next: ({ request, body, records }) => {
          const total = config.totalPath === undefined ? undefined : Number(readPath(body, config.totalPath));
          // total is the number of pages; pages count from basePage. An empty page ends it too, as dlt's
          // stop_after_empty_page does by default.
          if (records.length === 0) return undefined;
          if (total !== undefined && !Number.isNaN(total) && page - config.basePage + 1 >= total)
            return undefined;
          if (config.maximumPage !== undefined && page >= config.maximumPage) return undefined;
          page += 1;
          return placeValue(request, place, page);
        },
      };
    }
    case 'offset': {
      let offset = 0;
      const offsetPlace = { param: config.offsetParam, bodyPath: config.offsetBodyPath };
      const limitPlace = { param: config.limitParam, bodyPath: config.limitBodyPath };
      return {
        first: (request) => placeValue(placeValue(request, limitPlace, config.limit), offsetPlace, offset),
        next: ({ request, body, records }) => {
          offset += config.limit;
          const total = config.totalPath === undefined ? undefined : Number(readPath(body, config.totalPath));
          if (records.length === 0) return undefined;
          if (total !== undefined && !Number.isNaN(total)) {
            if (offset >= total) return undefined;
          } else if (records.length < config.limit) return undefined;
          if (config.maximumOffset !== undefined && offset >= config.maximumOffset) return undefined;
          return placeValue(request, offsetPlace, offset);
        },
      };
    }
    case 'cursor':
      return {
        first: (request) => request,
        next: ({ request, body }) => {
          const cursor = readPath(body, config.cursorPath);
          if (cursor === undefined || cursor === null || cursor === '') return undefined;
          return placeValue(request, { param: config.cursorParam, bodyPath: config.cursorBodyPath }, cursor);
        },
      };
    case 'header_link':
      return {
        first: (request) => request,
        next: ({ request, headers }) => link(request, nextLink(headers.get('link'), request.url)),
      };
    case 'json_link':
      return {
        first: (request) => request,
        next: ({ request, body }) => {
          const next = readPath(body, config.nextUrlPath);
          return link(
            request,
            typeof next === 'string' && next !== '' ? new URL(next, request.url) : undefined,
          );
        },
      };
  }
}

/** The request of a page a link names: its URL, the same body. */
function link(request: PageRequest, url: URL | undefined): PageRequest | undefined {
  return url === undefined ? undefined : { ...request, url };
}

/** Where a value goes: a query parameter, or a dotted path of the JSON body. */
export interface Place {
  param: string | undefined;
  bodyPath: string | undefined;
}

/** The request with `value` set at its place: in the body (a copy) or the query. */
export function placeValue(request: PageRequest, place: Place, value: unknown): PageRequest {
  if (place.bodyPath !== undefined)
    return { ...request, json: setPath(request.json ?? {}, place.bodyPath.split('.'), value) };
  return { ...request, url: withParam(request.url, place.param!, value) };
}

/** A copy of `object` with `value` at the path `keys` (objects made on the way). */
function setPath(
  object: Record<string, unknown>,
  keys: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [key, ...rest] = keys as [string, ...string[]];
  const inner = object[key];
  const child =
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? (inner as Record<string, unknown>)
      : {};
  return { ...object, [key]: rest.length === 0 ? value : setPath(child, rest, value) };
}

function withParam(url: URL, name: string, value: unknown): URL {
  const next = new URL(url);
  next.searchParams.set(name, String(value));
  return next;
}

/** The rel="next" target of an RFC 8288 Link header. */
export function nextLink(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?(?:[^"]*\s)?next(?:\s[^"]*)?"?/i.test(match[2]!)) return new URL(match[1]!, base);
  }
  return undefined;
}
