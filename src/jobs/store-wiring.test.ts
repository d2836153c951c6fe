import { afterAll, describe, expect, test } from 'vitest';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { createQueueForStore } from './index.ts';
import { waitForState } from './testing/contract.ts';
import { DATABASE_URL, dropSchemas, uniqueSchema } from './testing/postgres.ts';
import type { JobQueue } from './types.ts';

/** A job that writes through the store, on the queue that shares the store's database. */
async function roundTrip(store: Store, queue: JobQueue): Promise<void> {
  await store.query('CREATE TABLE IF NOT EXISTS job_wiring_probe (n int NOT NULL)');
  await queue.start();
  await queue.work<{ n: number }>('probe', async ({ data }) => {
    await store.query('INSERT INTO job_wiring_probe (n) VALUES ($1)', [data.n]);
    const rows = await store.query<{ total: number }>('SELECT sum(n)::int AS total FROM job_wiring_probe');
    return rows[0].total;
  });
  const a = await queue.enqueue('probe', { n: 2 });
  expect((await waitForState(queue, a, ['completed', 'failed'])).result).toBe(2);
  const b = await queue.enqueue('probe', { n: 5 });
  expect((await waitForState(queue, b, ['completed', 'failed'])).result).toBe(7);
}

describe('the queue on the store\'s own database', () => {
  const schema = uniqueSchema('jobs_store');
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  test('shares the embedded PGlite instance with the store', async () => {
    const store = await openStore({ dataDir: 'memory://' });
    const queue = createQueueForStore(store, { pollingIntervalSeconds: 0.5 });
    cleanups.push(async () => {
      await queue.stop();
      await store.close();
    });
    await roundTrip(store, queue);
  });

  test('on PostgreSQL, keeps pg-boss in <store schema>_pgboss beside the store', async () => {
    const store = await openStore({ databaseUrl: DATABASE_URL, schema });
    const queue = createQueueForStore(store, { pollingIntervalSeconds: 0.5 });
    cleanups.push(async () => {
      await queue.stop();
      await store.close();
      await dropSchemas(`${schema}_pgboss`, schema);
    });
    await roundTrip(store, queue);
  });
});
