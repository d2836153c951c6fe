import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createQueue } from './index.ts';
import type { JobQueue } from './types.ts';
import { waitFor, waitForState } from './testing/contract.ts';
import { DATABASE_URL, dropSchemas, sql, uniqueSchema } from './testing/postgres.ts';

const runsSchema = uniqueSchema('jobs_proc');
const bossSchema = `${runsSchema}_pgboss`;
const script = fileURLToPath(new URL('./testing/worker-process.ts', import.meta.url));

interface Worker { child: ChildProcess; output: string[]; exit: Promise<number | null> }

function startWorker(): Promise<Worker> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, DATABASE_URL, JOBS_RUNS_SCHEMA: runsSchema, JOBS_BOSS_SCHEMA: bossSchema },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const output: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output.push(...chunk.toString().split('\n').filter(Boolean));
      if (output.includes('ready')) resolve({ child, output, exit });
    });
    exit.then((code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
}

describe('two worker processes on PostgreSQL', () => {
  let queue: JobQueue;
  let workers: Worker[] = [];

  beforeAll(async () => {
    await sql(`CREATE SCHEMA ${runsSchema}`);
    await sql(`CREATE TABLE ${runsSchema}.runs (job_id uuid NOT NULL, job_name text NOT NULL, attempt int NOT NULL, pid int NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
    queue = createQueue({ kind: 'postgres', connectionString: DATABASE_URL, schema: bossSchema, pollingIntervalSeconds: 0.5, maintenanceIntervalSeconds: 1 });
    await queue.start();
    workers = await Promise.all([startWorker(), startWorker()]);
  });

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await queue?.stop();
    await dropSchemas(bossSchema, runsSchema);
  });

  test('200 jobs: each runs exactly once, spread over both processes', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 200; i += 20) {
      ids.push(...(await Promise.all(Array.from({ length: 20 }, (_, j) => queue.enqueue('count', { i: i + j })))));
    }
    await waitFor('200 completed jobs', async () => {
      const { rows } = await sql(`SELECT count(*)::int AS n FROM ${bossSchema}.job WHERE name = 'count' AND state = 'completed'`);
      return rows[0].n === 200;
    }, 30_000);
    const { rows } = await sql(`SELECT job_id, count(*)::int AS runs, min(pid) AS pid FROM ${runsSchema}.runs WHERE job_name = 'count' GROUP BY job_id`);
    expect(rows).toHaveLength(200);
    expect(rows.every((r) => r.runs === 1)).toBe(true);
    expect(new Set(rows.map((r) => r.job_id))).toEqual(new Set(ids));
    const pids = new Set(rows.map((r) => r.pid));
    expect(pids).toEqual(new Set(workers.map((w) => w.child.pid)));
    const sample = await queue.get(ids[0]);
    expect(sample).toMatchObject({ state: 'completed', attempts: 1 });
    expect(workers.map((w) => w.child.pid)).toContain((sample?.result as { pid: number }).pid);
  });

  test('a job whose worker is killed with SIGKILL runs again on the other worker', async () => {
    const id = await queue.enqueue('slow', {}, { timeoutSeconds: 3, retryLimit: 2, retryDelaySeconds: 0, retryBackoff: false });
    const first = await waitFor('the first attempt', async () => {
      const { rows } = await sql(`SELECT pid FROM ${runsSchema}.runs WHERE job_id = $1`, [id]);
      return rows[0] as { pid: number } | undefined;
    });
    const victim = workers.find((w) => w.child.pid === first.pid)!;
    const survivor = workers.find((w) => w !== victim)!;
    victim.child.kill('SIGKILL');
    expect(await victim.exit).toBeNull();

    const job = await waitForState(queue, id, ['completed', 'failed'], 20_000);
    expect(job).toMatchObject({ state: 'completed', attempts: 2, result: { pid: survivor.child.pid } });
    const { rows } = await sql(`SELECT attempt, pid FROM ${runsSchema}.runs WHERE job_id = $1 ORDER BY attempt`, [id]);
    expect(rows).toEqual([{ attempt: 1, pid: victim.child.pid }, { attempt: 2, pid: survivor.child.pid }]);

    survivor.child.kill('SIGTERM');
    expect(await survivor.exit).toBe(0);
    expect(survivor.output).toContain('stopped');
  });
});
