/**
 * The jobs every gridflex process runs: the queue on the store's own database, the handlers of the platform
 * (retention now; scheduling, feeds and market clearing as they arrive), and their periodic schedules.
 */
import type { Store } from '../store/types.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { Capability } from '../api/extensions.ts';
import { createQueueForStore } from './index.ts';
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
  clock?: Clock;
  /** Capabilities whose jobs, schedules and services run here. */
  capabilities?: Capability[];
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
  const tuning = pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds };
  return createQueueForStore(databaseUrl ? { ...store, kind: 'postgres', databaseUrl } : store, tuning);
}

/** Starts the queue; with workers on, runs every platform job here and schedules the periodic ones. */
export async function startPlatformJobs(opts: PlatformJobOptions): Promise<PlatformJobs> {
  const queue = queueFor(opts.store, opts.databaseUrl, opts.pollingIntervalSeconds);
  if (opts.workers === false) {
    await queue.start();
    return { queue, names: [], stop: () => queue.stop() };
  }
  const ctx = { store: opts.store, clock: opts.clock ?? systemClock, queue };
  const caps = opts.capabilities ?? [];
  const handlers = [retentionJob(opts.store), ...caps.flatMap((c) => c.jobs?.(ctx) ?? [])];
  const worker: RunningWorker = await runWorker({ queue, handlers, signals: [] });
  await queue.schedule(RETENTION_JOB, '17 * * * *');
  for (const s of caps.flatMap((c) => c.schedules ?? [])) await queue.schedule(s.name, s.cron, s.data, s.tz ? { tz: s.tz } : undefined);
  const stops: (() => Promise<void>)[] = [];
  for (const c of caps) if (c.services) stops.push(await c.services(ctx));
  return {
    queue, names: worker.names,
    async stop() {
      for (const stop of stops.reverse()) await stop();
      await worker.stop();
    },
  };
}
