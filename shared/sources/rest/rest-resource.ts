import { TextDecoder } from 'node:util';
import { parseJson } from '../../formats/json-parse.js';
import { cursorValue, IncrementalCursor, type IncrementalState } from '../incremental.js';
import type { Authenticator } from './auth.js';
import { HttpError, redactUrl, request } from './http-client.js';
import { readKeys, readPath } from './json-path.js';
import { type Page, type PageRequest, paginator, placeValue } from './paginators.js';
import {
  endsInPlaceholder,
  fillPathPlaceholders,
  fillPlaceholders,
  type IncrementalValues,
  type PlaceholderValues,
} from './placeholders.js';
import type { RestSourceConfig } from './rest-config.js';
import { detectPaginator, pageDataKeys } from './rest-detect.js';

export interface RestPull {
  source: RestSourceConfig;
  auth: Authenticator;
  /** The parent record's fields that placeholders name (`{number}`, `{resources.issues.number}`). */
  parentValues?: Record<string, unknown>;
  incremental?: IncrementalState;
  onIncremental?: (state: IncrementalState) => void;
  /** The resource's primary key: records at the cursor's last value are told apart by it. */
  primaryKey?: readonly string[];
}

/**
 * Streams the records of one endpoint page by page. With an incremental cursor the request asks
 * from the last value reached, and records before it, or at it and seen already, are dropped;
 * the new last value is reported once the pages are read.
 */
export async function* pullRestRecords(pull: RestPull): AsyncIterable<unknown> {
  const { source } = pull;
  // as dlt's rest_api: a path ending in a parameter (`users/{id}`) answers one record
  const singleEntity = endsInPlaceholder(source.path);
  const configured = source.paginator?.type === 'auto' ? undefined : source.paginator;
  const fixed = configured ?? (singleEntity ? { type: 'single_page' as const } : undefined);
  let pager = fixed === undefined ? undefined : paginator(fixed);
  let selector: Selector | undefined =
    source.dataSelector !== undefined
      ? { path: source.dataSelector }
      : singleEntity
        ? { keys: [] }
        : undefined;
  const cursor = source.incremental;
  const tracker =
    cursor === undefined
      ? undefined
      : new IncrementalCursor(cursor.initialValue, pull.incremental, pull.primaryKey, cursor.endValue);
  const incremental: IncrementalValues | undefined =
    cursor === undefined
      ? undefined
      : {
          start_value: tracker!.start,
          initial_value: cursor.initialValue,
          last_value: tracker!.start,
          end_value: cursor.endValue,
        };
  const values: PlaceholderValues = { incremental, parent: pull.parentValues ?? {} };
  const headers = fillPlaceholders(source.headers, values) as Record<string, string>;

  const firstRequest = firstPageRequest(source, values);
  const { url } = firstRequest;
  let next: PageRequest | undefined = pager === undefined ? firstRequest : pager.first(firstRequest);
  // a paginator that asks for a page again, or an API that answers every page alike (one that
  // ignores the page parameter), would page forever
  const asked = new Set<string>();
  let previous: string | undefined;
  while (next !== undefined) {
    // the API's secrets go to the API only, never to a host a page links to
    if (source.auth !== undefined && next.url.origin !== url.origin)
      throw new Error(
        `${source.path}: page ${asked.size + 1} links to ${redactUrl(next.url.href)}, outside ${url.origin}; the API's credentials are not sent there`,
      );
    const requestBody = next.json === undefined ? undefined : JSON.stringify(next.json);
    const key = `${next.url.href} ${requestBody ?? ''}`;
    if (asked.has(key))
      throw new Error(
        `${source.path}: page ${asked.size + 1} asks for ${redactUrl(next.url.href)}${requestBody === undefined ? '' : ' with the same body'} again; paging would never end`,
      );
    asked.add(key);
    const credentials = await pull.auth.credentials();
    const requestUrl = new URL(next.url);
    for (const [name, value] of Object.entries(credentials.query)) requestUrl.searchParams.set(name, value);
    let response: Response;
    try {
      response = await request(requestUrl.href, {
        method: source.method,
        ...(requestBody !== undefined && { body: requestBody }),
        headers: {
          accept: 'application/json',
          ...(requestBody !== undefined && { 'content-type': 'application/json' }),
          ...headers,
          ...credentials.headers,
        },
        maxAttempts: source.maxAttempts,
        timeoutMs: source.timeoutSeconds * 1000,
      });
    } catch (error) {
      // an answer the configuration ignores ends the paging, as in dlt
      if (error instanceof HttpError && ignored(source, error.status, error.body)) break;
      throw error;
    }
    const text = await responseText(response);
    if (ignored(source, response.status, text)) break;
    // parsed exactly: ids past 2^53 and `1.0` floats arrive as the API sent them
    const body = responseBody(text, requestUrl, response.headers.get('content-type'));
    // found in the first response, as dlt finds them, and kept for the pages after it
    selector ??= { keys: pageDataKeys(body) ?? [] };
    pager ??= paginator(detectPaginator(source.path, requestUrl, response.headers, body));
    const records = selectRecords(body, selector, requestUrl);
    if (text === previous && records.length > 0)
      throw new Error(
        `${source.path}: page ${asked.size} (${redactUrl(requestUrl.href)}) answered exactly as the page before; does the API take the paginator's parameters? Paging would never end`,
      );
    previous = text;
    for (const record of records) {
      if (cursor !== undefined) {
        const value = readPath(record, cursor.cursorPath);
        if (value === undefined || value === null) {
          // as dlt's on_cursor_value_missing: such a record loads or drops and moves no cursor
          if (cursor.onCursorValueMissing === 'exclude') continue;
          if (cursor.onCursorValueMissing === 'raise')
            throw new Error(
              `record from ${source.path} has no cursor field ${cursor.cursorPath} (onCursorValueMissing: include or exclude takes such records)`,
            );
        } else if (!tracker!.accept(cursorValue(value, cursor.cursorPath), record)) continue;
      }
      yield record;
    }
    next = pager.next({ request: next, headers: response.headers, body, records } satisfies Page);
  }
  if (tracker?.keepsState) pull.onIncremental?.(tracker.state());
}

/**
 * A response's text in the charset its Content-Type names (`charset=iso-8859-1`), as Python's
 * requests reads it for dlt; fetch's text() would read such bytes as UTF-8, each accented letter
 * a U+FFFD. Without a charset, or with one no decoder knows, the text is UTF-8.
 */
async function responseText(response: Response): Promise<string> {
  const charset = /;\s*charset="?([^";]+)"?/i.exec(response.headers.get('content-type') ?? '')?.[1]?.trim();
  if (charset === undefined || /^utf-?8$/i.test(charset)) return response.text();
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return response.text();
  }
  return decoder.decode(await response.arrayBuffer());
}

/** Whether a response action ignores this answer: its status and text as the action names them. */
function ignored(source: RestSourceConfig, status: number, text: string): boolean {
  return source.responseActions.some(
    (action) =>
      (action.statusCode === undefined || action.statusCode === status) &&
      (action.content === undefined || text.includes(action.content)),
  );
}

/** A response's JSON; one that is not JSON (an HTML error page, say) is refused naming its URL. */
function responseBody(text: string, url: URL, contentType: string | null): unknown {
  try {
    return parseJson(text);
  } catch (error) {
    const type = contentType === null ? '' : ` (${contentType})`;
    throw new Error(`response of ${redactUrl(url.href)}${type} is not JSON: ${(error as Error).message}`);
  }
}

/** Where a response's records are: a configured JSON path, or keys found (none: the body). */
type Selector = { path: string } | { keys: string[] };

/** The records of a response: the list at the selector, or the one value there. */
function selectRecords(body: unknown, selector: Selector, url: URL): unknown[] {
  const selected = 'path' in selector ? readPath(body, selector.path) : readKeys(body, selector.keys);
  if (Array.isArray(selected)) return selected;
  if (selected === undefined || selected === null) {
    if ('path' in selector || selector.keys.length > 0) return [];
    throw new Error(`response of ${url.origin}${url.pathname} is empty`);
  }
  return [selected];
}

/** The endpoint's first request: its URL with params, its JSON body, and the placeholders in them filled. */
function firstPageRequest(source: RestSourceConfig, values: PlaceholderValues): PageRequest {
  const url = new URL(fillPathPlaceholders(source.path, values), withSlash(source.baseUrl));
  for (const [name, value] of Object.entries(source.params))
    url.searchParams.set(name, String(fillPlaceholders(value, values)));
  const json =
    source.json === undefined
      ? undefined
      : (fillPlaceholders(source.json, values) as Record<string, unknown>);
  const request: PageRequest = { url, ...(json !== undefined && { json }) };
  // the cursor's own parameters or body path; without them it went in by placeholder above
  const cursor = source.incremental;
  const started =
    cursor?.param === undefined && cursor?.bodyPath === undefined
      ? request
      : placeValue(
          request,
          { param: cursor.param, bodyPath: cursor.bodyPath },
          values.incremental?.start_value,
        );
  return cursor?.endParam === undefined
    ? started
    : placeValue(started, { param: cursor.endParam, bodyPath: undefined }, cursor.endValue);
}

const withSlash = (url: string) => (url.endsWith('/') ? url : `${url}/`);
