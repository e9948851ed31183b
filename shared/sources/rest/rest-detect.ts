import { JsonFloat } from '../../util/json-values.js';
import { nextLink } from './paginators.js';
import type { PagingConfig } from './rest-config.js';

// dlt's rest_api detection rules (its rest_client detector): where a response keeps its records
// when no data selector is set, and how it pages when no paginator is set.

const RECORD_KEYS = new Set([
  'data',
  'items',
  'results',
  'entries',
  'records',
  'rows',
  'entities',
  'payload',
  'content',
  'objects',
  'values',
]);
const TOTAL_PAGES_KEY = /^(?:total_pages|pages|totalpages)$/;

/**
 * The keys to a response's records: of the lists found within two levels of nested objects (in
 * document order), the first under a record-like key (`data`, `items`, `results`...), else the
 * first. Undefined when the body holds no list, or is not an object: the whole body is the data.
 */
export function pageDataKeys(body: unknown): string[] | undefined {
  if (!isObject(body)) return undefined;
  const lists: string[][] = [];
  findLists(body, [], lists);
  return lists.find((keys) => RECORD_KEYS.has(keys.at(-1)!)) ?? lists[0];
}

function findLists(object: Record<string, unknown>, path: string[], lists: string[][]): void {
  if (path.length > 2) return;
  for (const [key, value] of Object.entries(object)) {
    if (Array.isArray(value)) lists.push([...path, key]);
    else if (isObject(value)) findLists(value, [...path, key], lists);
  }
}

/**
 * The paginator of an endpoint configured without one, from its first response: a `Link` header
 * with rel="next" (header_link), or a `next...` key holding a URL (json_link); else one page.
 * Where dlt would guess further (a `next...` key holding a cursor, a `total_pages` key) and may
 * ask for a page twice or miss the last, the pull fails and asks for the paginator instead.
 */
export function detectPaginator(endpoint: string, url: URL, headers: Headers, body: unknown): PagingConfig {
  if (nextLink(headers.get('link'), url) !== undefined) return { type: 'header_link' };
  const next = findMember(body, nextPage);
  if (next !== undefined && typeof next.value === 'string' && /^(?:http|\/)/.test(next.value)) {
    const path = jsonPathOf(next.keys);
    if (path !== undefined) return { type: 'json_link', nextUrlPath: path };
  }
  const pages = next === undefined ? findMember(body, pageCount) : undefined;
  const guess =
    next !== undefined
      ? `a cursor at ${next.keys.join('.')}`
      : pages !== undefined
        ? `a page count at ${pages.keys.join('.')}`
        : undefined;
  if (guess !== undefined)
    throw new Error(
      `${endpoint}: the response looks paged (${guess}) but the endpoint has no paginator; configure one (cursor, page_number, offset), or single_page to take the first page only`,
    );
  return { type: 'single_page' };
}

/** A member of a response: the keys to it and its value. */
type Member = { keys: string[]; value: unknown };

/** The first member, in document order through nested objects, that `take` accepts (and how). */
function findMember(
  body: unknown,
  take: (member: Member) => Member | undefined,
  path: string[] = [],
): Member | undefined {
  if (!isObject(body)) return undefined;
  for (const [key, value] of Object.entries(body)) {
    const keys = [...path, key];
    const found = take({ keys, value }) ?? findMember(value, take, keys);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** dlt's next page: a key starting with `next` holding a value, or an href/url under it. */
function nextPage({ keys, value }: Member): Member | undefined {
  if (!keys.at(-1)!.toLowerCase().startsWith('next')) return undefined;
  if (isScalar(value)) return { keys, value };
  if (!isObject(value)) return undefined;
  const link = Object.entries(value).find(
    ([key, inner]) => /^(?:href|url)/.test(key.toLowerCase()) && isScalar(inner),
  );
  return link === undefined ? undefined : { keys: [...keys, link[0]], value: link[1] };
}

/** dlt's page count: `total_pages`, `pages` or `totalpages` holding an integer. */
function pageCount(member: Member): Member | undefined {
  const { keys, value } = member;
  return TOTAL_PAGES_KEY.test(keys.at(-1)!.toLowerCase()) && isScalar(value) && isIntegral(value)
    ? member
    : undefined;
}

/** Keys as a JSON path readPath reads; undefined for a key it cannot name. */
function jsonPathOf(keys: readonly string[]): string | undefined {
  let path = '$';
  for (const key of keys) {
    if (/^[A-Za-z_$][\w$-]*$/.test(key)) path += `.${key}`;
    else if (!key.includes("'") && key !== '') path += `['${key}']`;
    else return undefined;
  }
  return path;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof JsonFloat)
  );
}

/** What Python's int() takes: a number, or text of an integer. */
function isIntegral(value: unknown): boolean {
  if (value instanceof JsonFloat || typeof value === 'number')
    return Number.isFinite(Number(value.valueOf()));
  return typeof value === 'bigint' || typeof value === 'boolean' || /^\s*[-+]?\d+\s*$/.test(String(value));
}

/** A string or number (a bool is one too, as in Python). */
function isScalar(value: unknown): boolean {
  return ['string', 'number', 'bigint', 'boolean'].includes(typeof value) || value instanceof JsonFloat;
}
