import { describe, expect, test } from 'vitest';
import { errorOf, mapState, rowToJob, type JobRow } from './rows.ts';

const base: JobRow = {
  id: '7f0c1d2e-0000-4000-8000-000000000001', name: 'forecast', data: { siteId: 3 }, state: 'created',
  retry_limit: 2, retry_count: 0, singleton_key: null,
  created_on: new Date('2026-01-01T00:00:00Z'), started_on: null, completed_on: null, output: null,
  progress_fraction: null, progress_message: null, progress_at: null,
};

describe('reading pg-boss rows', () => {
  test('pg-boss states map onto ours: a job waiting for its retry is queued', () => {
    expect(['created', 'retry', 'active', 'completed', 'cancelled', 'failed'].map(mapState))
      .toEqual(['queued', 'queued', 'running', 'completed', 'cancelled', 'failed']);
    expect(() => mapState('archived')).toThrow(/archived/);
  });

  test('a job never started has no attempts; a retry counts the attempts started', () => {
    expect(rowToJob(base)).toMatchObject({ state: 'queued', attempts: 0, maxAttempts: 3, startedAt: null, createdAt: Date.parse('2026-01-01T00:00:00Z') });
    const retrying = rowToJob({ ...base, state: 'retry', retry_count: 1, started_on: '2026-01-01T00:00:05Z', output: { error: { name: 'Error', message: 'feed down' } } });
    expect(retrying).toMatchObject({ state: 'queued', attempts: 2, error: 'feed down', result: null, startedAt: Date.parse('2026-01-01T00:00:05Z') });
  });

  test('result comes from a completed job only, including falsy results', () => {
    const done = { ...base, state: 'completed', started_on: new Date(1), completed_on: new Date(2) };
    expect(rowToJob({ ...done, output: { result: 0 } }).result).toBe(0);
    expect(rowToJob({ ...done, output: { result: { kwh: 4.5 } } })).toMatchObject({ result: { kwh: 4.5 }, error: null, completedAt: 2 });
    expect(rowToJob({ ...base, state: 'failed', output: { result: 1, error: { message: 'x' } } }).result).toBeNull();
  });

  test('progress is shown once reported', () => {
    expect(rowToJob(base).progress).toBeNull();
    const at = new Date('2026-01-01T00:01:00Z');
    expect(rowToJob({ ...base, state: 'active', progress_fraction: 0.25, progress_message: 'day 1 of 4', progress_at: at }).progress)
      .toEqual({ fraction: 0.25, message: 'day 1 of 4', at: at.getTime() });
  });

  test('errors are read from our output and from pg-boss expiry output', () => {
    expect(errorOf({ error: { message: 'time limit of 3 s exceeded' } })).toBe('time limit of 3 s exceeded');
    expect(errorOf({ value: { message: 'job failed by timeout in active state' } })).toBe('job failed by timeout in active state');
    expect(errorOf({ value: 42 })).toBeNull();
    expect(errorOf(null)).toBeNull();
  });
});
