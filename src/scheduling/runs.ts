/**
 * Schedule runs on the platform: a request is stored, run as a job, and its result stored with it and as
 * beliefs of a `scheduler` source on the assets' power sensors. Identical pending requests share one run.
 */
import { createHash, randomUUID } from 'node:crypto';
import { notFound } from '../core/errors.ts';
import type { Id, Scope, Store } from '../store/types.ts';
import type { JobQueue } from '../jobs/types.ts';

export const SCHEDULE_JOB = 'schedule-run';

export type RunKind = 'site' | 'charging';
export type RunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ScheduleRun {
  id: Id;
  accountId: Id;
  siteId: Id | null;
  kind: RunKind;
  request: Record<string, unknown>;
  jobId: string | null;
  status: RunStatus;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: number;
  finishedAt: number | null;
}

type Row = {
  id: number; account_id: number; site_id: number | null; kind: RunKind; request: unknown; job_id: string | null;
  status: RunStatus; result: unknown; error: string | null; created_at: Date | string; finished_at: Date | string | null;
};

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
const ms = (v: Date | string) => new Date(v).getTime();

function toRun(r: Row): ScheduleRun {
  return {
    id: r.id, accountId: r.account_id, siteId: r.site_id, kind: r.kind, request: json(r.request), jobId: r.job_id, status: r.status,
    result: r.result === null ? null : json(r.result), error: r.error, createdAt: ms(r.created_at), finishedAt: r.finished_at === null ? null : ms(r.finished_at),
  };
}

/** A stable fingerprint of a request: the same JSON with keys in any order gives the same hash. */
export function requestHash(kind: RunKind, siteId: Id | null, request: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify([kind, siteId, canonical(request)])).digest('hex');
}

/**
 * These writes commit without waiting for their WAL flush (`synchronous_commit` off for the one statement):
 * each is followed, before anyone is told, by a write that does wait (the job's insert after the run's; the
 * job's completion after the run's result), and that flush covers everything written before it. So a 202
 * never names a run that a crash could lose, and a request waits for one disk flush instead of two.
 */
const ASYNC_COMMIT = `(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit`;

const INSERT_RUN = `INSERT INTO schedule_runs (account_id, site_id, kind, request_hash, request, job_id)
  SELECT $1::int8, $2::int8, $3::text, $4::text, $5::jsonb, $6::text FROM ${ASYNC_COMMIT}
  ON CONFLICT (account_id, request_hash) WHERE status IN ('queued', 'running') DO NOTHING RETURNING *`;
const PENDING_RUN = `SELECT * FROM schedule_runs WHERE account_id = $1 AND request_hash = $2 AND status IN ('queued', 'running')`;

/**
 * Creates a run and its job, or returns the pending run of an identical request. A unique index on pending
 * runs makes the reuse atomic across API processes, so the job itself needs no de-duplication lock. The job's
 * id is chosen here and stored with the run in the same statement; the job is made right after.
 */
export async function startRun(store: Store, queue: JobQueue, input: { accountId: Id; siteId: Id | null; kind: RunKind; request: Record<string, unknown> }): Promise<{ run: ScheduleRun; reused: boolean }> {
  const hash = requestHash(input.kind, input.siteId, input.request);
  const jobId = randomUUID();
  const [row] = await store.query<Row>(INSERT_RUN, [input.accountId, input.siteId, input.kind, hash, JSON.stringify(input.request), jobId], { prepared: true });
  if (!row) {
    const pending = await store.query<Row>(PENDING_RUN, [input.accountId, hash], { prepared: true });
    if (pending[0]) return { run: toRun(pending[0]), reused: true };
    return startRun(store, queue, input); // it finished in between: make a new one
  }
  try {
    // A charging request rides with its job, so the worker plans it without reading the run back.
    const data = input.kind === 'charging' ? { accountId: input.accountId, runId: row.id, request: input.request } : { accountId: input.accountId, runId: row.id };
    await queue.enqueue(SCHEDULE_JOB, data, { id: jobId, retryLimit: 1, timeoutSeconds: 120 });
  } catch (err) {
    // A run without its job would hold back every identical request: close it.
    await store.query("UPDATE schedule_runs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1", [row.id, `the job could not be made: ${(err as Error).message}`]).catch(() => undefined);
    throw err;
  }
  return { run: toRun(row), reused: false };
}

export async function getRun(store: Store, scope: Scope, id: Id, kind?: RunKind): Promise<ScheduleRun> {
  const rows = await store.query<Row>('SELECT * FROM schedule_runs WHERE id = $1', [id], { prepared: true });
  const run = rows[0] ? toRun(rows[0]) : null;
  if (!run || (scope !== 'all' && run.accountId !== scope.accountId) || (kind && run.kind !== kind)) throw notFound(`${kind === 'charging' ? 'charging request' : 'schedule'} ${id}`);
  return run;
}

export async function listSiteRuns(store: Store, siteId: Id, limit = 20): Promise<ScheduleRun[]> {
  return (await store.query<Row>("SELECT * FROM schedule_runs WHERE site_id = $1 AND kind = 'site' ORDER BY id DESC LIMIT $2", [siteId, limit])).map(toRun);
}

/** Marks the run running (the job's completion, which waits for the disk, follows). */
export async function markRunning(store: Store, id: Id): Promise<ScheduleRun | null> {
  const rows = await store.query<Row>(`UPDATE schedule_runs SET status = 'running' FROM ${ASYNC_COMMIT} WHERE id = $1 RETURNING schedule_runs.*`, [id], { prepared: true });
  return rows[0] ? toRun(rows[0]) : null;
}

/** Stores the run's outcome; called by its job, whose completion (which waits for the disk) follows. */
export async function finishRun(store: Store, id: Id, outcome: { result: unknown } | { error: string }, now: number): Promise<void> {
  if ('result' in outcome) {
    await store.query(`UPDATE schedule_runs SET status = 'done', result = $2, error = NULL, finished_at = $3 FROM ${ASYNC_COMMIT} WHERE id = $1`, [id, JSON.stringify(outcome.result), new Date(now)], { prepared: true });
  } else {
    await store.query("UPDATE schedule_runs SET status = 'failed', error = $2, finished_at = $3 WHERE id = $1", [id, outcome.error, new Date(now)]);
  }
}
