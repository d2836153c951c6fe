import type { FastifyInstance } from 'fastify';
import type { Clock } from '../core/clock.ts';
import type { Store } from '../store/types.ts';
import type { JobQueue } from '../jobs/types.ts';
import type { JobDefinition } from '../jobs/registry.ts';

/** What a capability gets to add its routes to the API. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  /** The job queue (to enqueue work and read its status). */
  queue: JobQueue;
}

export type ApiExtension = (app: FastifyInstance, ctx: ApiContext) => void | Promise<void>;

/** What a capability needs to run its jobs in a worker. */
export interface JobsContext {
  store: Store;
  clock: Clock;
  queue: JobQueue;
}

/**
 * A capability (scheduling, data feeds, the local market, the edge service) plugs into the platform with
 * its API routes, its job handlers and their periodic schedules. The list lives in `src/api/capabilities.ts`.
 */
export interface Capability {
  name: string;
  routes?: ApiExtension;
  jobs?: (ctx: JobsContext) => JobDefinition[];
  /** Periodic jobs: cron (5 fields, UTC unless tz), run by whichever worker is free. */
  schedules?: { name: string; cron: string; data?: Record<string, unknown>; tz?: string }[];
  /** Long-running services started with the workers (e.g. the MQTT telemetry service); returns a stop function. */
  services?: (ctx: JobsContext) => Promise<() => Promise<void>>;
}
