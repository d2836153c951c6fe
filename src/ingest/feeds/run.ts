/**
 * One run of a feed: fetch, parse, store in one transaction, and record the outcome in the feed's status.
 * A failed fetch or a broken answer writes nothing; the feed tries again after a delay that doubles with each
 * failure in a row (never later than its normal interval).
 */
import { ProblemError } from '../../core/errors.ts';
import type { Store } from '../../store/types.ts';
import { importParsed } from '../store-import.ts';
import { CONNECTORS } from './connectors.ts';
import { DEFAULT_POLICY, type FetchPolicy, type HttpDeps, realHttp } from './http.ts';
import { feedsRepo, type Feed } from './repo.ts';

export interface FeedRunDeps { http?: HttpDeps; policy?: FetchPolicy }

export interface FeedRunResult {
  feedId: number; ok: boolean; written: number; series: { key: string; sensorId: number; written: number }[];
  rejected: number; error: string | null; nextRunAt: number;
}

const RETRY_BASE_MS = 60_000;

/** When a feed that has failed `failures` times in a row tries again. */
export function nextRunAfterFailure(feed: Feed, now: number, failures: number): number {
  return now + Math.min(feed.intervalMs, RETRY_BASE_MS * 2 ** Math.max(0, failures - 1));
}

function messageOf(e: unknown): string {
  if (e instanceof ProblemError) return `${e.message}${e.errors[0] && !e.message.includes(e.errors[0].message) ? `: ${e.errors[0].field ?? `line ${e.errors[0].line}`}: ${e.errors[0].message}` : ''}`;
  return (e as Error)?.message ?? String(e);
}

export async function runFeed(store: Store, feed: Feed, now: number, deps: FeedRunDeps = {}): Promise<FeedRunResult> {
  const repo = feedsRepo(store);
  try {
    const fetched = await CONNECTORS[feed.kind]({
      config: feed.config, secrets: await repo.secrets(feed.id), now, http: deps.http ?? realHttp, policy: deps.policy ?? DEFAULT_POLICY,
    });
    const outcome = await importParsed(store, { accountId: feed.accountId }, fetched, { accountId: feed.accountId }, {
      beliefTime: now, sourceKind: 'feed', sourceName: fetched.sourceName,
    });
    const nextRunAt = now + feed.intervalMs;
    await repo.recordSuccess(feed.id, now, outcome.written, nextRunAt);
    return {
      feedId: feed.id, ok: true, written: outcome.written, rejected: outcome.rejected.length, error: null, nextRunAt,
      series: outcome.series.map((s) => ({ key: s.key, sensorId: s.sensorId, written: s.written })),
    };
  } catch (e) {
    const error = messageOf(e);
    const nextRunAt = nextRunAfterFailure(feed, now, feed.failures + 1);
    await repo.recordFailure(feed.id, now, error, nextRunAt);
    return { feedId: feed.id, ok: false, written: 0, series: [], rejected: 0, error, nextRunAt };
  }
}
