import { describe, expect, test } from 'vitest';
import { ProblemError } from '../core/errors.ts';
import { checkEnqueueOptions, checkJobData, checkJobName, isJobId } from './validate.ts';
import { clearRegistry, registerJob, registeredJobs } from './registry.ts';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProblemError) return err.field;
    throw err;
  }
  return undefined;
}

describe('checking what callers hand the queue', () => {
  test('job names: letters, digits and _ - . /, nothing else', () => {
    expect(checkJobName('schedule/site-3.v1_x')).toBe('schedule/site-3.v1_x');
    for (const bad of ['', ' x', 'a b', '__pgboss__send-it', 'x'.repeat(101), 7]) expect(fieldOf(() => checkJobName(bad))).toBe('name');
  });

  test('data is a JSON object; options name the offending field', () => {
    expect(checkJobData(undefined)).toEqual({});
    expect(fieldOf(() => checkJobData('text'))).toBe('data');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(fieldOf(() => checkJobData(cyclic))).toBe('data');
    expect(fieldOf(() => checkEnqueueOptions({ retryDelaySeconds: 1.5 }))).toBe('opts.retryDelaySeconds');
    expect(fieldOf(() => checkEnqueueOptions({ retryBackoff: 'yes' as never }))).toBe('opts.retryBackoff');
    expect(fieldOf(() => checkEnqueueOptions({ dedupKey: '' }))).toBe('opts.dedupKey');
    expect(checkEnqueueOptions({ startAfter: new Date(5000), dedupKey: 'k' })).toMatchObject({ startAfter: 5000, dedupKey: 'k' });
  });

  test('job ids are UUIDs', () => {
    expect(isJobId('7f0c1d2e-0000-4000-8000-000000000001')).toBe(true);
    expect(isJobId("1' OR '1'='1")).toBe(false);
  });

  test('the registry keeps one handler per name and checks its defaults', () => {
    clearRegistry();
    const handler = async () => null;
    registerJob('retention', handler, { retryLimit: 1, concurrency: 2 });
    registerJob('retention', handler, { retryLimit: 3 });
    expect(registeredJobs()).toHaveLength(1);
    expect(registeredJobs()[0].defaults).toMatchObject({ retryLimit: 3, concurrency: 1 });
    expect(() => registerJob('retention', async () => 1)).toThrow(/already registered/);
    expect(fieldOf(() => registerJob('other', handler, { concurrency: 0 }))).toBe('defaults.concurrency');
    expect(fieldOf(() => registerJob('other', handler, { cron: '*/5 * * *' }))).toBe('defaults.cron');
    expect(registerJob('nightly', handler, { cron: ' 15 3 * * * ' }).defaults.cron).toBe('15 3 * * *');
    clearRegistry();
  });
});
