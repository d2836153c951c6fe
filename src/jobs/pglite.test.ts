/**
 * The job queue on the embedded database. One PGlite instance serves both suites (creating one is the
 * slowest step here); each suite keeps pg-boss in its own schema.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createQueue } from './index.ts';
import { clearRegistry, registerJob } from './registry.ts';
import { queueContract, waitFor, waitForState } from './testing/contract.ts';
import type { JobQueue } from './types.ts';
import { runWorker, type RunningWorker } from './worker.ts';
import { pgliteRunner } from './sql.ts';

let db: PGlite;

beforeAll(async () => {
  db = new PGlite();
  await db.waitReady;
});

afterAll(async () => {
  await db.close();
});

describe('the PGlite runner', () => {
  test('a failing BEGIN ... COMMIT text is rolled back and leaves the one connection usable', async () => {
    const runner = pgliteRunner(db);
    await runner.executeSql('CREATE TABLE runner_probe (n int)');
    await expect(runner.executeSql('BEGIN; INSERT INTO runner_probe VALUES (1); SELECT 1/0; COMMIT;')).rejects.toThrow(/division by zero/);
    expect((await runner.executeSql('SELECT count(*)::int AS n FROM runner_probe', [])).rows).toEqual([{ n: 0 }]);
    await runner.executeSql('BEGIN; INSERT INTO runner_probe VALUES (2); COMMIT;');
    expect((await db.query('SELECT n FROM runner_probe')).rows).toEqual([{ n: 2 }]);
    await runner.executeSql('DROP TABLE runner_probe');
  });
});

queueContract(
  'PGlite (pg-boss through executeSql)',
  async () => {
    const queue = createQueue({ kind: 'pglite', pglite: db, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1 });
    await queue.start();
    return queue;
  },
  (queue) => queue.stop(),
);

describe('runWorker on the embedded database', () => {
  let queue: JobQueue;
  let worker: RunningWorker;
  const seen: number[] = [];
  const periodic: string[] = [];

  beforeAll(async () => {
    queue = createQueue({ kind: 'pglite', pglite: db, schema: 'worker_pgboss', pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1, stopGraceSeconds: 5 });
    clearRegistry();
    registerJob<{ n: number; ms?: number }>('square', async ({ data }) => {
      if (data.ms) await new Promise((r) => setTimeout(r, data.ms));
      seen.push(data.n);
      return data.n * data.n;
    }, { concurrency: 2 });
    registerJob('flaky-feed', async () => {
      throw new Error('feed unreachable');
    }, { retryLimit: 0 });
    registerJob<{ what: string }>('nightly-retention', async ({ data }) => {
      periodic.push(data.what);
    }, { cron: '* * * * *', tz: 'Europe/Berlin', cronData: { what: 'old forecasts' } });
    worker = await runWorker({ queue, signals: ['SIGUSR2'] });
  });

  afterAll(async () => {
    clearRegistry();
  });

  test('runs every registered job, with the registered defaults for jobs that set none', async () => {
    expect(worker.names.sort()).toEqual(['flaky-feed', 'nightly-retention', 'square']);
    const ids = await Promise.all([3, 4, 5].map((n) => queue.enqueue('square', { n })));
    const done = await Promise.all(ids.map((id) => waitForState(queue, id, ['completed', 'failed'])));
    expect(done.map((j) => j.result)).toEqual([9, 16, 25]);
    expect(seen.sort()).toEqual([3, 4, 5]);

    const failing = await queue.enqueue('flaky-feed', {});
    expect(await waitForState(queue, failing, ['failed'])).toMatchObject({ attempts: 1, maxAttempts: 1, error: 'feed unreachable' });
  });

  test('a job registered with a cron expression runs periodically with its data', async () => {
    await waitFor('the periodic run', async () => periodic.length > 0, 20_000);
    expect(periodic[0]).toBe('old forecasts');
  });

  test('a stop signal lets the running job finish, then the worker settles and takes no more work', async () => {
    const last = await queue.enqueue('square', { n: 6, ms: 800 });
    await waitForState(queue, last, ['running']);
    process.emit('SIGUSR2', 'SIGUSR2');
    await worker.stopped;
    expect(await queue.get(last).catch(() => null)).toMatchObject({ state: 'completed', result: 36 });
    await expect(queue.enqueue('square', { n: 7 })).rejects.toThrow(/not running/);
    await expect(queue.start()).rejects.toThrow(/was stopped/);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });
});
