/**
 * A worker process for the multi-process tests: runs `count` and `slow` jobs against PostgreSQL and records
 * every attempt in `<JOBS_RUNS_SCHEMA>.runs`. Prints "ready" once it takes jobs; stops cleanly on SIGTERM.
 */
import pg from 'pg';
import { createQueue } from '../index.ts';
import { runWorker } from '../worker.ts';
import type { JobContext } from '../types.ts';

const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const runsSchema = process.env.JOBS_RUNS_SCHEMA as string;
const bossSchema = process.env.JOBS_BOSS_SCHEMA as string;

const pool = new pg.Pool({ connectionString: url, max: 4 });

async function recordRun(job: JobContext): Promise<void> {
  await pool.query(`INSERT INTO ${runsSchema}.runs (job_id, job_name, attempt, pid) VALUES ($1, $2, $3, $4)`, [job.id, job.name, job.attempt, process.pid]);
}

const queue = createQueue({ kind: 'postgres', connectionString: url, schema: bossSchema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
const worker = await runWorker({
  queue,
  handlers: [
    {
      name: 'count',
      defaults: { concurrency: 4 },
      handler: async (job) => {
        await recordRun(job);
        await new Promise((r) => setTimeout(r, 5));
        return { pid: process.pid };
      },
    },
    {
      name: 'slow',
      defaults: { concurrency: 1 },
      handler: async (job) => {
        await recordRun(job);
        if (job.attempt === 1) await new Promise((r) => setTimeout(r, 60_000));
        return { pid: process.pid };
      },
    },
  ],
});
process.stdout.write('ready\n');
await worker.stopped;
await pool.end();
process.stdout.write('stopped\n');
