/**
 * The job queue: `createQueue(...)` gives a JobQueue on PostgreSQL (a connection string) or on the
 * embedded PGlite (the instance the store opened). Both run pg-boss 10 in their own schema.
 */
import type { PGliteInterface } from '@electric-sql/pglite';
import { BossQueue, type QueueTuning } from './boss-queue.ts';
import { pgliteRunner, postgresRunner } from './sql.ts';
import type { JobQueue } from './types.ts';
import type { Store } from '../store/types.ts';

export type QueueConfig = QueueTuning & (
  | { kind: 'postgres'; connectionString: string; schema?: string; maxConnections?: number }
  | { kind: 'pglite'; pglite: PGliteInterface; schema?: string }
);

export const DEFAULT_JOBS_SCHEMA = 'pgboss';

export function createQueue(config: QueueConfig): JobQueue {
  const schema = config.schema ?? DEFAULT_JOBS_SCHEMA;
  const runner = config.kind === 'postgres'
    ? postgresRunner(config.connectionString, config.maxConnections)
    : pgliteRunner(config.pglite);
  return new BossQueue(runner, schema, config);
}

/**
 * The queue on the store's database: the same PGlite instance, or the same PostgreSQL with pg-boss in
 * `<store schema>_pgboss` (or `pgboss` when the store uses the default search path).
 */
export function createQueueForStore(store: Pick<Store, 'kind' | 'pglite' | 'databaseUrl' | 'schema'>, tuning: QueueTuning = {}): JobQueue {
  if (store.kind === 'pglite') {
    if (!store.pglite) throw new Error('the store has no PGlite instance');
    return createQueue({ ...tuning, kind: 'pglite', pglite: store.pglite });
  }
  if (!store.databaseUrl) throw new Error('the store has no database URL');
  const schema = store.schema ? `${store.schema}_pgboss` : DEFAULT_JOBS_SCHEMA;
  return createQueue({ ...tuning, kind: 'postgres', connectionString: store.databaseUrl, schema });
}

export type * from './types.ts';
export { DEFAULT_POLICY, type QueueTuning } from './boss-queue.ts';
export { registerJob, registeredJobs, type JobDefinition } from './registry.ts';
export { runWorker, type RunningWorker, type RunWorkerOptions } from './worker.ts';
