/** Reading pg-boss's job rows into our Job: its six states onto our five, its output onto result and error. */
import type { Job, JobState } from './types.ts';

/** The columns `jobByIdSql` selects. */
export interface JobRow {
  id: string;
  name: string;
  data: Record<string, unknown> | null;
  state: string;
  retry_limit: number;
  retry_count: number;
  singleton_key: string | null;
  created_on: Date | string;
  started_on: Date | string | null;
  completed_on: Date | string | null;
  output: Record<string, unknown> | null;
  progress_fraction: number | null;
  progress_message: string | null;
  progress_at: Date | string | null;
}

const STATES: Record<string, JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
};

export function mapState(bossState: string): JobState {
  const state = STATES[bossState];
  if (!state) throw new Error(`unknown pg-boss job state "${bossState}"`);
  return state;
}

function epochMs(value: Date | string | null): number | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.getTime() : new Date(value).getTime();
}

/**
 * We complete with `{result}` and fail with `{error: {message}}`; pg-boss's own expiry writes
 * `{value: {message}}`. A retry keeps the last failure's output, so a queued job can show its last error.
 */
export function errorOf(output: Record<string, unknown> | null): string | null {
  if (!output) return null;
  const error = (output.error ?? output.value) as { message?: unknown } | undefined;
  if (error && typeof error === 'object' && typeof error.message === 'string') return error.message;
  return null;
}

export function rowToJob(row: JobRow): Job {
  const state = mapState(row.state);
  const startedAt = epochMs(row.started_on);
  return {
    id: row.id,
    name: row.name,
    state,
    data: row.data ?? {},
    result: state === 'completed' && row.output && 'result' in row.output ? (row.output.result ?? null) : null,
    error: state === 'completed' ? null : errorOf(row.output),
    // pg-boss counts retries when an attempt starts again; started_on is set by the first start.
    attempts: startedAt === null ? 0 : Number(row.retry_count) + 1,
    maxAttempts: Number(row.retry_limit) + 1,
    dedupKey: row.singleton_key,
    createdAt: epochMs(row.created_on) as number,
    startedAt,
    completedAt: epochMs(row.completed_on),
    progress: row.progress_fraction === null || row.progress_fraction === undefined
      ? null
      : { fraction: Number(row.progress_fraction), message: row.progress_message, at: epochMs(row.progress_at) as number },
  };
}

const COLUMNS = 'id, name, data, state::text AS state, retry_limit, retry_count, singleton_key, created_on, started_on, completed_on, output';

/** Our states back onto pg-boss's, for filters. */
export function bossStates(states: JobState[]): string[] {
  return Object.entries(STATES).filter(([, ours]) => states.includes(ours)).map(([boss]) => boss);
}

/** $1 name or null, $2 pg-boss states or null, $3 data to contain or null, $4 limit. */
export function listJobsSql(schema: string): string {
  return `SELECT j.*, p.fraction AS progress_fraction, p.message AS progress_message, p.updated_on AS progress_at
    FROM (SELECT ${COLUMNS} FROM ${schema}.job
          WHERE ($1::text IS NULL OR name = $1) AND ($2::text[] IS NULL OR state::text = ANY($2::text[]))
            AND ($3::jsonb IS NULL OR data @> $3::jsonb) AND name NOT LIKE '\\_\\_pgboss\\_\\_%'
          ORDER BY created_on DESC, id LIMIT $4) j
    LEFT JOIN ${schema}.${PROGRESS_TABLE} p ON p.id = j.id
    ORDER BY j.created_on DESC, j.id`;
}

/** Progress reports live beside pg-boss's tables, one row per job, in the same schema. */
export const PROGRESS_TABLE = 'gridflex_job_progress';

export function jobByIdSql(schema: string): string {
  return `SELECT j.*, p.fraction AS progress_fraction, p.message AS progress_message, p.updated_on AS progress_at
    FROM (SELECT ${COLUMNS} FROM ${schema}.job WHERE id = $1
          UNION ALL SELECT ${COLUMNS} FROM ${schema}.archive WHERE id = $1
          LIMIT 1) j
    LEFT JOIN ${schema}.${PROGRESS_TABLE} p ON p.id = j.id`;
}

export function upsertProgressSql(schema: string): string {
  return `INSERT INTO ${schema}.${PROGRESS_TABLE} (id, fraction, message, updated_on) VALUES ($1, $2, $3, now())
    ON CONFLICT (id) DO UPDATE SET fraction = EXCLUDED.fraction, message = EXCLUDED.message, updated_on = EXCLUDED.updated_on`;
}
