import { afterAll, describe, expect, test } from 'vitest';
import { createQueue } from './index.ts';
import { queueContract, waitFor, waitForState } from './testing/contract.ts';
import { DATABASE_URL, dropSchemas, uniqueSchema } from './testing/postgres.ts';

const schema = `${uniqueSchema('jobs_pg')}_pgboss`;

queueContract(
  'PostgreSQL (pg-boss)',
  async () => {
    const queue = createQueue({ kind: 'postgres', connectionString: DATABASE_URL, schema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1 });
    await queue.start();
    return queue;
  },
  async (queue) => {
    await queue.stop();
    await dropSchemas(schema);
  },
);

describe('two queues on one PostgreSQL', () => {
  const shared = `${uniqueSchema('jobs_notify')}_pgboss`;
  const open = () => createQueue({ kind: 'postgres', connectionString: DATABASE_URL, schema: shared, pollingIntervalSeconds: 10, maintenanceIntervalSeconds: 1 });
  const producer = open();
  const consumer = open();
  afterAll(async () => {
    await producer.stop();
    await consumer.stop();
    await dropSchemas(shared);
  });

  test('a job enqueued by another process wakes an idle worker at once, not after its 10 s poll', async () => {
    await producer.start();
    await consumer.start();
    const seenAt = new Map<string, number>();
    await consumer.work('wake-me', async ({ id }) => void seenAt.set(id, Date.now()));
    await new Promise((r) => setTimeout(r, 500)); // the worker has polled once and sleeps
    for (let i = 0; i < 3; i++) {
      const t0 = Date.now();
      const id = await producer.enqueue('wake-me', { i }, i === 2 ? { dedupKey: 'only-one' } : {});
      await waitFor('the other queue to run it', async () => seenAt.has(id), 9000);
      expect(seenAt.get(id)! - t0).toBeLessThan(3000);
    }
  });

  test('cancelling from another process aborts the running attempt where it runs', async () => {
    let abortedBy: string | null = null;
    await consumer.work('cancel-elsewhere', async ({ signal }) => {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      abortedBy = (signal.reason as Error).message;
      throw signal.reason;
    });
    const id = await producer.enqueue('cancel-elsewhere', {});
    await waitForState(producer, id, ['running'], 9000);
    expect(await producer.cancel(id)).toBe(true);
    await waitFor('the abort in the other queue', async () => abortedBy !== null, 5000);
    expect(abortedBy).toBe('the job was cancelled');
    expect((await producer.get(id))?.state).toBe('cancelled');
  });
});
