/**
 * The jobs the platform knows: later parts (scheduling, feeds, market clearing, retention) call
 * `registerJob` when their module loads; `runWorker` runs every registered job.
 */
import { conflict } from '../core/errors.ts';
import type { JobData, JobHandler, RetryPolicy, WorkOptions } from './types.ts';
import { checkConcurrency, checkJobName, checkRetryPolicy } from './validate.ts';

export interface JobDefaults extends RetryPolicy, WorkOptions {}

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
    defaults: { ...checkRetryPolicy(defaults, 'defaults.'), concurrency: checkConcurrency(defaults.concurrency) },
  };
  definitions.set(name, definition);
  return definition;
}

export function registeredJobs(): JobDefinition[] {
  return [...definitions.values()];
}

/** For tests: forget every registration. */
export function clearRegistry(): void {
  definitions.clear();
}
