/**
 * The jobs the platform knows: later parts (scheduling, feeds, market clearing, retention) call
 * `registerJob` when their module loads; `runWorker` runs every registered job.
 */
import { conflict, invalid } from '../core/errors.ts';
import type { JobData, JobHandler, RetryPolicy, WorkOptions } from './types.ts';
import { checkConcurrency, checkJobName, checkRetryPolicy } from './validate.ts';

export interface JobDefaults extends RetryPolicy, WorkOptions {
  /** Run periodically: a 5-field cron expression (minute granularity), read in `tz` (default UTC). */
  cron?: string;
  tz?: string;
  /** The data the periodic runs get (default {}). */
  cronData?: JobData;
}

export interface JobDefinition {
  name: string;
  handler: JobHandler;
  defaults: JobDefaults;
}

const definitions = new Map<string, JobDefinition>();

export function registerJob<D extends JobData = JobData>(name: string, handler: JobHandler<D>, defaults: JobDefaults = {}): JobDefinition {
  checkJobName(name);
  const existing = definitions.get(name);
  if (existing && existing.handler !== handler) throw conflict(`a job named "${name}" is already registered`);
  const definition: JobDefinition = {
    name,
    handler: handler as JobHandler,
    defaults: {
      ...checkRetryPolicy(defaults, 'defaults.'),
      concurrency: checkConcurrency(defaults.concurrency, 'defaults.concurrency'),
      ...checkPeriodic(defaults),
    },
  };
  definitions.set(name, definition);
  return definition;
}

function checkPeriodic({ cron, tz, cronData }: JobDefaults): Pick<JobDefaults, 'cron' | 'tz' | 'cronData'> {
  if (cron === undefined) return {};
  if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5) {
    throw invalid('defaults.cron', 'must have 5 fields: minute hour day-of-month month day-of-week');
  }
  return { cron: cron.trim(), tz, cronData };
}

export function registeredJobs(): JobDefinition[] {
  return [...definitions.values()];
}

/** For tests: forget every registration. */
export function clearRegistry(): void {
  definitions.clear();
}
