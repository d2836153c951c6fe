/** Checks on what callers hand the queue: a wrong option names its field. */
import { invalid } from '../core/errors.ts';
import type { EnqueueOptions, JobData, JobFilter, JobState, RetryPolicy } from './types.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function checkJobName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid(field, 'a job name is 1-100 letters, digits, "_", "-", "." or "/", starting with a letter or digit');
  }
  return name;
}

export function isJobId(id: unknown): id is string {
  return typeof id === 'string' && UUID.test(id);
}

export function checkJobData(data: unknown): JobData {
  if (data === undefined) return {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw invalid('data', 'must be a JSON object');
  try {
    JSON.stringify(data);
  } catch (err) {
    throw invalid('data', `is not JSON: ${(err as Error).message}`);
  }
  return data as JobData;
}

function wholeNumber(value: unknown, field: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(field, `must be a whole number >= ${min}`);
  }
  return value;
}

export function checkRetryPolicy(opts: RetryPolicy = {}, prefix = 'opts.'): RetryPolicy {
  const retryBackoff = opts.retryBackoff;
  if (retryBackoff !== undefined && typeof retryBackoff !== 'boolean') throw invalid(`${prefix}retryBackoff`, 'must be true or false');
  return {
    retryLimit: wholeNumber(opts.retryLimit, `${prefix}retryLimit`, 0),
    retryDelaySeconds: wholeNumber(opts.retryDelaySeconds, `${prefix}retryDelaySeconds`, 0),
    retryBackoff,
    timeoutSeconds: wholeNumber(opts.timeoutSeconds, `${prefix}timeoutSeconds`, 1),
  };
}

export function checkEnqueueOptions(opts: EnqueueOptions = {}): EnqueueOptions {
  const checked: EnqueueOptions = checkRetryPolicy(opts);
  if (opts.dedupKey !== undefined) {
    if (typeof opts.dedupKey !== 'string' || opts.dedupKey.length === 0 || opts.dedupKey.length > 500) {
      throw invalid('opts.dedupKey', 'must be a non-empty string of at most 500 characters');
    }
    checked.dedupKey = opts.dedupKey;
  }
  if (opts.startAfter !== undefined) {
    const t = opts.startAfter instanceof Date ? opts.startAfter.getTime() : opts.startAfter;
    if (typeof t !== 'number' || !Number.isFinite(t)) throw invalid('opts.startAfter', 'must be a Date or epoch milliseconds');
    checked.startAfter = t;
  }
  if (opts.id !== undefined) {
    if (!isJobId(opts.id)) throw invalid('opts.id', 'must be a UUID');
    checked.id = opts.id;
  }
  return checked;
}

export function checkConcurrency(value: unknown, field = 'opts.concurrency'): number {
  return wholeNumber(value, field, 1) ?? 1;
}

const JOB_STATES: JobState[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

export function checkJobFilter(filter: JobFilter = {}): Required<Pick<JobFilter, 'limit'>> & JobFilter {
  if (filter.name !== undefined) checkJobName(filter.name, 'filter.name');
  if (filter.states !== undefined && (!Array.isArray(filter.states) || filter.states.some((s) => !JOB_STATES.includes(s)))) {
    throw invalid('filter.states', `each state must be one of ${JOB_STATES.join(', ')}`);
  }
  if (filter.data !== undefined) checkJobData(filter.data);
  const limit = wholeNumber(filter.limit, 'filter.limit', 1) ?? 50;
  if (limit > 1000) throw invalid('filter.limit', 'must be at most 1000');
  return { ...filter, limit };
}
