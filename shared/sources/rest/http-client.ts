import { setTimeout } from 'node:timers/promises';

/** A failed request, with the status, URL and body (never headers, which carry credentials). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`HTTP ${status} from ${url}: ${body.slice(0, 300)}`);
  }
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 60_000;

export interface RequestOptions {
  headers?: Record<string, string>;
  method?: 'GET' | 'POST';
  body?: string;
  maxAttempts: number;
  timeoutMs: number;
}

/**
 * One request with retries: 429 and 5xx (and network failures) are retried with exponential
 * backoff and jitter, waiting at least what `Retry-After` asks; other statuses fail at once.
 */
export async function request(url: string, options: RequestOptions): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await fetch(url, {
        method: options.method ?? 'GET',
        headers: options.headers,
        body: options.body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      failure = error;
    }
    if (response?.ok) return response;
    const retryable = response === undefined || RETRYABLE.has(response.status);
    if (!retryable || attempt >= options.maxAttempts) {
      if (response === undefined)
        throw new Error(
          `request to ${redactUrl(url)} failed: ${String((failure as Error)?.message ?? failure)}`,
        );
      throw new HttpError(response.status, redactUrl(url), await response.text());
    }
    const backoff = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
    const asked = retryAfterMs(response?.headers.get('retry-after') ?? null);
    await response?.body?.cancel();
    await setTimeout(Math.max(asked ?? 0, backoff / 2 + Math.random() * (backoff / 2)));
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Query parameters may carry an API key: errors show the URL without its query. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  return parsed.search === '' ? url : `${parsed.origin}${parsed.pathname}?…`;
}
