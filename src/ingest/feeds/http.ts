/**
 * Fetching a feed's response: a time limit per attempt, retries that back off, 429 Retry-After honoured,
 * and errors that say what happened (the status, the URL without its secrets).
 */

export interface FetchPolicy {
  /** Time limit of one attempt (ms). */
  timeoutMs: number;
  /** Attempts after the first one. */
  retries: number;
  /** Delay before the first retry (ms); doubled after each failed attempt. */
  baseDelayMs: number;
  /** The longest wait a Retry-After may ask for (ms); a longer one fails the fetch instead. */
  maxWaitMs: number;
}

export const DEFAULT_POLICY: FetchPolicy = { timeoutMs: 30_000, retries: 3, baseDelayMs: 2_000, maxWaitMs: 120_000 };

export interface HttpDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
}

export const realHttp: HttpDeps = { fetch: (...a) => fetch(...a), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** A fetch that failed for good; `retryable` false for answers that retrying will not change (401, 403, 404, 400). */
export class FeedFetchError extends Error {
  constructor(message: string, readonly status: number | null, readonly retryable: boolean, readonly waitMs: number | null = null) {
    super(message);
    this.name = 'FeedFetchError';
  }
}

/** The URL as it may be shown: query values of secret-looking parameters hidden. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  for (const k of [...u.searchParams.keys()]) if (/token|secret|key|password/i.test(k)) u.searchParams.set(k, '***');
  return u.toString();
}

/** Retry-After in ms: seconds or an HTTP date (relative to `now`); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const t = Date.parse(header);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

async function attempt(url: string, init: RequestInit, policy: FetchPolicy, deps: HttpDeps, now: () => number): Promise<string> {
  const shown = redactUrl(url);
  let res: Response;
  try {
    res = await deps.fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
  } catch (e) {
    const err = e as Error;
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    throw new FeedFetchError(timedOut ? `${shown}: no answer within ${policy.timeoutMs} ms` : `${shown}: ${err.message}`, null, true);
  }
  if (!res.ok) {
    const body = (await res.text().catch(() => '')).slice(0, 200).replace(/\s+/g, ' ').trim();
    const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), now()) : null;
    const retryable = res.status === 429 || res.status >= 500;
    throw new FeedFetchError(`${shown}: HTTP ${res.status}${body ? `: ${body}` : ''}`, res.status, retryable, wait);
  }
  try {
    return await res.text();
  } catch (e) {
    throw new FeedFetchError(`${shown}: the answer broke off (${(e as Error).message})`, res.status, true);
  }
}

/** Fetches the body as text, retrying time-outs, broken answers, 429 and 5xx with a doubling delay. */
export async function fetchText(url: string, init: RequestInit, policy: FetchPolicy, deps: HttpDeps, now: () => number = Date.now): Promise<string> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(url, init, policy, deps, now);
    } catch (e) {
      if (!(e instanceof FeedFetchError) || !e.retryable || n >= policy.retries) throw e;
      const wait = e.waitMs ?? policy.baseDelayMs * 2 ** n;
      if (wait > policy.maxWaitMs) throw new FeedFetchError(`${e.message} (asked to wait ${Math.round(wait / 1000)} s, more than ${Math.round(policy.maxWaitMs / 1000)} s)`, e.status, false);
      await deps.sleep(wait);
    }
  }
}
