import { readPath } from './json-path.js';
import type { PagingConfig } from './rest-config.js';

/** What a page told us: its URL, response headers, parsed body and the records taken from it. */
export interface Page {
  url: URL;
  headers: Headers;
  body: unknown;
  records: unknown[];
}

/**
 * Walks the pages of an endpoint: `first` sets up the first request's URL, `next` returns the
 * URL of the following page or undefined when there is none.
 */
export interface Paginator {
  first(url: URL): URL;
  next(page: Page): URL | undefined;
}

export function paginator(config: PagingConfig): Paginator {
  switch (config.type) {
    case 'single_page':
      return { first: (url) => url, next: () => undefined };
    case 'page_number': {
      let page = config.basePage;
      return {
        first: (url) => withParam(url, config.pageParam, page),
        next: ({ url, body, records }) => {
          const total = config.totalPath === undefined ? undefined : Number(readPath(body, config.totalPath));
          // total is the number of pages; pages count from basePage. An empty page ends it too, as dlt's
          // stop_after_empty_page does by default.
          if (records.length === 0) return undefined;
          if (total !== undefined && !Number.isNaN(total) && page - config.basePage + 1 >= total)
            return undefined;
          if (config.maximumPage !== undefined && page >= config.maximumPage) return undefined;
          page += 1;
          return withParam(url, config.pageParam, page);
        },
      };
    }
    case 'offset': {
      let offset = 0;
      return {
        first: (url) =>
          withParam(withParam(url, config.limitParam, config.limit), config.offsetParam, offset),
        next: ({ url, body, records }) => {
          offset += config.limit;
          const total = config.totalPath === undefined ? undefined : Number(readPath(body, config.totalPath));
          if (records.length === 0) return undefined;
          if (total !== undefined && !Number.isNaN(total)) {
            if (offset >= total) return undefined;
          } else if (records.length < config.limit) return undefined;
          if (config.maximumOffset !== undefined && offset >= config.maximumOffset) return undefined;
          return withParam(url, config.offsetParam, offset);
        },
      };
    }
    case 'cursor':
      return {
        first: (url) => url,
        next: ({ url, body }) => {
          const cursor = readPath(body, config.cursorPath);
          if (cursor === undefined || cursor === null || cursor === '') return undefined;
          return withParam(url, config.cursorParam, String(cursor));
        },
      };
    case 'header_link':
      return { first: (url) => url, next: ({ url, headers }) => nextLink(headers.get('link'), url) };
    case 'json_link':
      return {
        first: (url) => url,
        next: ({ url, body }) => {
          const next = readPath(body, config.nextUrlPath);
          return typeof next === 'string' && next !== '' ? new URL(next, url) : undefined;
        },
      };
  }
}

function withParam(url: URL, name: string, value: string | number): URL {
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
