/** The `feeds` table: each account's price feeds, their schedule and the outcome of their last runs. */
import { conflict, invalid } from '../../core/errors.ts';
import type { Id, Scope, Store } from '../../store/types.ts';
import { DEFAULT_INTERVAL_MS, eicOf, FEED_KINDS, FeedConfigs, FeedSecrets, type FeedKind } from './connectors.ts';

export interface Feed {
  id: Id; accountId: Id; name: string; kind: FeedKind;
  config: Record<string, unknown>;
  intervalMs: number; enabled: boolean;
  nextRunAt: number; lastRunAt: number | null; lastSuccessAt: number | null;
  lastError: string | null; lastErrorAt: number | null; failures: number; lastWritten: number | null;
  createdAt: number;
}

export interface NewFeed {
  accountId: Id; name: string; kind: string;
  config: unknown; secrets?: unknown; intervalMs?: number; enabled?: boolean;
}

type Row = Record<string, unknown>;
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string).getTime());
const json = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : (v as Record<string, unknown>));

function toFeed(r: Row): Feed {
  return {
    id: Number(r.id), accountId: Number(r.account_id), name: String(r.name), kind: r.kind as FeedKind, config: json(r.config),
    intervalMs: Number(r.interval_ms), enabled: Boolean(r.enabled), nextRunAt: ms(r.next_run_at)!, lastRunAt: ms(r.last_run_at),
    lastSuccessAt: ms(r.last_success_at), lastError: (r.last_error as string | null) ?? null, lastErrorAt: ms(r.last_error_at),
    failures: Number(r.failures), lastWritten: r.last_written === null ? null : Number(r.last_written), createdAt: ms(r.created_at)!,
  };
}

function scopeSql(scope: Scope, params: unknown[]): string {
  if (scope === 'all') return 'true';
  params.push(scope.accountId);
  return `account_id = $${params.length}`;
}

/** Checks kind, config and secrets against the connector's schema; errors name the field. */
export function checkFeed(input: NewFeed): { kind: FeedKind; config: Record<string, unknown>; secrets: Record<string, unknown>; intervalMs: number } {
  if (!(FEED_KINDS as readonly string[]).includes(input.kind)) throw invalid('kind', `must be one of ${FEED_KINDS.join(', ')}`);
  const kind = input.kind as FeedKind;
  const config = FeedConfigs[kind].safeParse(input.config ?? {});
  if (!config.success) throw invalid(`config.${config.error.issues[0].path.join('.')}`, config.error.issues[0].message);
  if (kind === 'entsoe') eicOf(String((config.data as { zone: string }).zone));
  const secrets = FeedSecrets[kind].safeParse(input.secrets ?? {});
  if (!secrets.success) throw invalid(`secrets.${secrets.error.issues[0].path.join('.')}`, secrets.error.issues[0].message);
  const intervalMs = input.intervalMs ?? DEFAULT_INTERVAL_MS[kind](config.data);
  if (!Number.isInteger(intervalMs) || intervalMs < 60_000) throw invalid('interval', 'must be at least one minute');
  return { kind, config: config.data, secrets: secrets.data, intervalMs };
}

export function feedsRepo(store: Store) {
  return {
    async create(input: NewFeed, now: number): Promise<Feed> {
      if (!input.name?.trim()) throw invalid('name', 'a feed needs a name');
      const f = checkFeed(input);
      const rows = await store.query<Row>(
        `INSERT INTO feeds (account_id, name, kind, config, secrets, interval_ms, enabled, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
        [input.accountId, input.name.trim(), f.kind, JSON.stringify(f.config), JSON.stringify(f.secrets), f.intervalMs, input.enabled ?? true, new Date(now).toISOString()],
      ).catch((e) => {
        if ((e as { code?: string }).code === '23505') throw conflict(`a feed named "${input.name.trim()}" already exists in this account`);
        throw e;
      });
      return toFeed(rows[0]);
    },
    async get(scope: Scope, id: Id): Promise<Feed | null> {
      const params: unknown[] = [id];
      const rows = await store.query<Row>(`SELECT * FROM feeds WHERE id = $1 AND ${scopeSql(scope, params)}`, params);
      return rows[0] ? toFeed(rows[0]) : null;
    },
    async list(scope: Scope): Promise<Feed[]> {
      const params: unknown[] = [];
      return (await store.query<Row>(`SELECT * FROM feeds WHERE ${scopeSql(scope, params)} ORDER BY id`, params)).map(toFeed);
    },
    /** The secrets, for the connector only (never shown). */
    async secrets(id: Id): Promise<Record<string, unknown>> {
      const rows = await store.query<Row>('SELECT secrets FROM feeds WHERE id = $1', [id]);
      return rows[0] ? json(rows[0].secrets) : {};
    },
    /** Enabled feeds whose next run is due at `now`. */
    async due(now: number): Promise<Feed[]> {
      return (await store.query<Row>('SELECT * FROM feeds WHERE enabled AND next_run_at <= $1 ORDER BY next_run_at', [new Date(now).toISOString()])).map(toFeed);
    },
    async recordSuccess(id: Id, now: number, written: number, nextRunAt: number): Promise<void> {
      await store.query(
        `UPDATE feeds SET last_run_at = $2, last_success_at = $2, failures = 0, last_written = $3, next_run_at = $4 WHERE id = $1`,
        [id, new Date(now).toISOString(), written, new Date(nextRunAt).toISOString()],
      );
    },
    async recordFailure(id: Id, now: number, error: string, nextRunAt: number): Promise<void> {
      await store.query(
        `UPDATE feeds SET last_run_at = $2, last_error = $3, last_error_at = $2, failures = failures + 1, next_run_at = $4 WHERE id = $1`,
        [id, new Date(now).toISOString(), error.slice(0, 2000), new Date(nextRunAt).toISOString()],
      );
    },
    async delete(scope: Scope, id: Id): Promise<boolean> {
      const params: unknown[] = [id];
      return (await store.query(`DELETE FROM feeds WHERE id = $1 AND ${scopeSql(scope, params)} RETURNING id`, params)).length > 0;
    },
  };
}

export type FeedsRepo = ReturnType<typeof feedsRepo>;
