/**
 * The jobs every gridflex process runs: the queue on the store's own database, the handlers of the platform
 * (retention now; scheduling, feeds and market clearing as they arrive), and their periodic schedules.
 */
import type { Store } from '../store/types.ts';
import { createQueue } from './index.ts';
import type { JobQueue } from './types.ts';
import { runWorker, type RunningWorker } from './worker.ts';
import type { JobDefinition } from './registry.ts';

export interface PlatformJobs {
  queue: JobQueue;
  /** Job names this process works on (empty when workers are off). */
  names: string[];
  stop(): Promise<void>;
}

export interface PlatformJobOptions {
  store: Store;
  /** Overrides the store's own PostgreSQL URL. */
  databaseUrl?: string;
  /** Work on jobs in this process (default true); false only enqueues and reads. */
  workers?: boolean;
  /** Extra handlers from later capabilities. */
  handlers?: JobDefinition[];
  pollingIntervalSeconds?: number;
}

export const RETENTION_JOB = 'retention-purge';

/** Deletes beliefs older than their sensor's (or source kind's) retention. */
export function retentionJob(store: Store): JobDefinition {
  return {
    name: RETENTION_JOB,
    handler: async () => ({ deleted: await store.retention.purge(Date.now()) }),
    defaults: { retryLimit: 2, retryDelaySeconds: 60, timeoutSeconds: 1800 },
  };
}

function queueFor(store: Store, databaseUrl: string | undefined, pollingIntervalSeconds?: number): JobQueue {
  const url = databaseUrl ?? store.databaseUrl;
  const schema = store.schema ? `${store.schema}_jobs` : undefined;
  if (store.kind === 'postgres' && url) return createQueue({ kind: 'postgres', connectionString: url, schema, pollingIntervalSeconds });
  if (store.pglite) return createQueue({ kind: 'pglite', pglite: store.pglite, pollingIntervalSeconds });
  throw new Error('the job queue needs the store\'s PostgreSQL URL or its embedded database');
}

/** Starts the queue; with workers on, runs every platform job here and schedules the periodic ones. */
export async function startPlatformJobs(opts: PlatformJobOptions): Promise<PlatformJobs> {
  const queue = queueFor(opts.store, opts.databaseUrl, opts.pollingIntervalSeconds);
  if (opts.workers === false) {
    await queue.start();
    return { queue, names: [], stop: () => queue.stop() };
  }
  const handlers = [retentionJob(opts.store), ...(opts.handlers ?? [])];
  const worker: RunningWorker = await runWorker({ queue, handlers, signals: [] });
  await queue.schedule(RETENTION_JOB, '17 * * * *');
  return { queue, names: worker.names, stop: () => worker.stop() };
}
