/**
 * The job queue on PostgreSQL and on PGlite: enqueue rate (plain and with a dedup key), run-through of
 * trivial jobs with 4 concurrent handlers in one process, and pickup latency with and without a local wake-up.
 */
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createQueue, type JobQueue, type QueueConfig } from '../src/jobs/index.ts';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function waitAll(queue: JobQueue, ids: string[]): Promise<void> {
  for (const id of ids) {
    for (;;) {
      const job = await queue.get(id);
      if (job && (job.state === 'completed' || job.state === 'failed')) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function measure(label: string, config: QueueConfig, other: QueueConfig, n: number): Promise<void> {
  const queue = createQueue(config);
  const started = await timed(() => queue.start());
  emit(`jobs.${label}.start`, started, 'ms');

  const ids: string[] = [];
  const enqueueMs = await timed(async () => {
    for (let i = 0; i < n; i++) ids.push(await queue.enqueue('bench-noop', { i }));
  });
  emit(`jobs.${label}.enqueue`, (n / enqueueMs) * 1000, 'jobs/s');
  const dedupMs = await timed(async () => {
    for (let i = 0; i < n / 2; i++) await queue.enqueue('bench-dedup', { i }, { dedupKey: `k${i}`, startAfter: Date.now() + 3_600_000 });
  });
  emit(`jobs.${label}.enqueue-with-dedup-key`, (n / 2 / dedupMs) * 1000, 'jobs/s');

  const runMs = await timed(async () => {
    await queue.work('bench-noop', async ({ data }) => data.i, { concurrency: 4 });
    await waitAll(queue, ids);
  });
  emit(`jobs.${label}.run-through-4-handlers`, (n / runMs) * 1000, 'jobs/s');

  // Latency: a job enqueued in the same process wakes the idle loop; one enqueued elsewhere waits for the poll.
  const seenAt = new Map<string, number>();
  await queue.work('bench-latency', async ({ id }) => void seenAt.set(id, performance.now()));
  const elsewhere = createQueue(other);
  await elsewhere.start();
  const local: number[] = [];
  const remote: number[] = [];
  for (let i = 0; i < 10; i++) {
    for (const [from, into] of [[queue, local], [elsewhere, remote]] as const) {
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 600));
      const t0 = performance.now();
      const id = await from.enqueue('bench-latency', {});
      while (!seenAt.has(id)) await new Promise((r) => setTimeout(r, 2));
      into.push(seenAt.get(id)! - t0);
    }
  }
  emit(`jobs.${label}.pickup-latency-same-process-median`, median(local), 'ms');
  emit(`jobs.${label}.pickup-latency-other-process-median`, median(remote), 'ms');
  await elsewhere.stop();
  await queue.stop();
}

const tuning = { pollingIntervalSeconds: 1, onError: (e: Error) => console.error(e.message) };

const schema = `bench_jobs_${process.pid}`;
await measure('postgres', { kind: 'postgres', connectionString: url, schema, ...tuning }, { kind: 'postgres', connectionString: url, schema, ...tuning }, 2000);
const admin = new pg.Client({ connectionString: url });
await admin.connect();
await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
await admin.end();

const db = new PGlite();
await measure('pglite', { kind: 'pglite', pglite: db, ...tuning }, { kind: 'pglite', pglite: db, ...tuning }, 1000);
await db.close();
