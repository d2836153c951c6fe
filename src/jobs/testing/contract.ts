/** The behaviour every JobQueue must show, run against PostgreSQL and PGlite by their test files. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { ProblemError } from '../../core/errors.ts';
import type { Job, JobQueue } from '../types.ts';

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function waitForState(queue: JobQueue, id: string, states: Job['state'][], timeoutMs?: number): Promise<Job> {
  return waitFor(`job ${id} to reach ${states.join('/')}`, async () => {
    const job = await queue.get(id);
    return job && states.includes(job.state) ? job : null;
  }, timeoutMs);
}

function problemField(fn: () => Promise<unknown>): Promise<string | undefined> {
  return fn().then(
    () => 'no error',
    (err) => (err instanceof ProblemError ? err.field : `not a ProblemError: ${err}`),
  );
}

/** Registers the contract's tests; `open` returns a started queue, `close` stops it and drops what it made. */
export function queueContract(label: string, open: () => Promise<JobQueue>, close: (q: JobQueue) => Promise<void>): void {
  describe.concurrent(`job queue on ${label}`, () => {
    let queue: JobQueue;
    beforeAll(async () => {
      queue = await open();
    });
    afterAll(async () => {
      if (queue) await close(queue);
    });

    test.concurrent('a job runs once and its JSON result is stored with its times', async ({ expect }) => {
      let runs = 0;
      await queue.work<{ n: number }>('double', async ({ data, attempt }) => {
        runs++;
        return { twice: data.n * 2, attempt };
      });
      const id = await queue.enqueue('double', { n: 21 });
      const job = await waitForState(queue, id, ['completed', 'failed']);
      expect(job).toMatchObject({ id, name: 'double', state: 'completed', data: { n: 21 }, result: { twice: 42, attempt: 1 }, error: null, attempts: 1, maxAttempts: 3 });
      expect(job.startedAt).toBeGreaterThanOrEqual(job.createdAt);
      expect(job.completedAt).toBeGreaterThanOrEqual(job.startedAt as number);
      expect(runs).toBe(1);
    });

    test.concurrent('a running job reports its progress; a bad report names its field', async ({ expect }) => {
      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      let badField: string | undefined;
      await queue.work('long-import', async ({ reportProgress }) => {
        await reportProgress(0.4, 'row 400 of 1000');
        badField = await problemField(() => reportProgress(1.5));
        await gate;
        await reportProgress(1, 'done');
        return 1000;
      });
      const id = await queue.enqueue('long-import', {});
      const midway = await waitFor('a progress report', async () => {
        const job = await queue.get(id);
        return job?.progress ? job : null;
      });
      expect(midway).toMatchObject({ state: 'running', progress: { fraction: expect.closeTo(0.4, 5), message: 'row 400 of 1000' } });
      release();
      const done = await waitForState(queue, id, ['completed', 'failed']);
      expect(done).toMatchObject({ state: 'completed', result: 1000, progress: { fraction: 1, message: 'done' } });
      expect(badField).toBe('progress');
    });

    test.concurrent('list filters by name, state and contained data, newest first', async ({ expect }) => {
      const later = Date.now() + 60_000;
      // Enqueued a few milliseconds apart: "newest first" needs distinct creation times, which a busy machine
      // does not guarantee for back-to-back calls.
      const pause = () => new Promise((r) => setTimeout(r, 10));
      const a1 = await queue.enqueue('listed', { accountId: 1, site: 'a' }, { startAfter: later });
      await pause();
      const b = await queue.enqueue('listed', { accountId: 2 }, { startAfter: later });
      await pause();
      const a2 = await queue.enqueue('listed', { accountId: 1, site: 'b' }, { startAfter: later });
      expect((await queue.list({ name: 'listed', data: { accountId: 1 } })).map((j) => j.id)).toEqual([a2, a1]);
      expect((await queue.list({ name: 'listed', limit: 1 })).map((j) => j.id)).toEqual([a2]);
      await queue.cancel(b);
      expect((await queue.list({ name: 'listed', states: ['cancelled'] })).map((j) => j.id)).toEqual([b]);
      expect((await queue.list({ name: 'listed', states: ['queued', 'running'] })).map((j) => j.id)).toEqual([a2, a1]);
      expect((await queue.list({ data: { accountId: 2 }, states: ['cancelled'] })).map((j) => j.id)).toContain(b);
      expect(await problemField(() => queue.list({ states: ['done' as never] }))).toBe('filter.states');
      expect(await problemField(() => queue.list({ limit: 5000 }))).toBe('filter.limit');
    });

    test.concurrent('a dedup key reuses the queued or running job and is free again once it finished', async ({ expect }) => {
      const later = Date.now() + 60_000;
      const first = await queue.enqueue('dedup', { v: 1 }, { dedupKey: 'k1', startAfter: later });
      expect(await queue.enqueue('dedup', { v: 2 }, { dedupKey: 'k1', startAfter: later })).toBe(first);
      expect(await queue.enqueue('dedup', { v: 3 }, { dedupKey: 'k2', startAfter: later })).not.toBe(first);
      const together = await Promise.all(Array.from({ length: 6 }, (_, i) => queue.enqueue('dedup', { i }, { dedupKey: 'k3', startAfter: later })));
      expect(new Set(together).size).toBe(1);
      expect((await queue.get(first))?.dedupKey).toBe('k1');
      expect(await queue.cancel(first)).toBe(true);
      expect(await queue.enqueue('dedup', { v: 4 }, { dedupKey: 'k1', startAfter: later })).not.toBe(first);

      let release: () => void = () => {};
      const gate = new Promise<void>((r) => (release = r));
      await queue.work('dedup-running', async () => {
        await gate;
        return 'done';
      });
      const running = await queue.enqueue('dedup-running', {}, { dedupKey: 'same-request' });
      await waitForState(queue, running, ['running']);
      expect(await queue.enqueue('dedup-running', {}, { dedupKey: 'same-request' })).toBe(running);
      release();
      expect((await waitForState(queue, running, ['completed'])).result).toBe('done');
      expect(await queue.enqueue('dedup-running', {}, { dedupKey: 'same-request' })).not.toBe(running);
    });

    test.concurrent('property: for any sequence of enqueues and cancels, a key has at most one live job and enqueue returns it', async ({ expect }) => {
      const later = Date.now() + 3_600_000;
      let run = 0;
      const op = fc.record({ kind: fc.constantFrom('enqueue', 'enqueue', 'cancel'), key: fc.constantFrom('a', 'b', 'c') });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
          run++;
          const live = new Map<string, string>();
          const seen = new Set<string>();
          for (const { kind, key } of ops) {
            const dedupKey = `run${run}-${key}`;
            if (kind === 'enqueue') {
              const id = await queue.enqueue('dedup-property', {}, { dedupKey, startAfter: later });
              if (live.has(key)) expect(id).toBe(live.get(key));
              else expect(seen.has(id)).toBe(false);
              live.set(key, id);
              seen.add(id);
            } else {
              const id = live.get(key);
              if (id) expect(await queue.cancel(id)).toBe(true);
              live.delete(key);
            }
          }
          for (const id of seen) {
            const job = await queue.get(id);
            expect(job?.state).toBe([...live.values()].includes(id) ? 'queued' : 'cancelled');
          }
        }),
        { numRuns: 15 },
      );
    });

    test.concurrent('a throwing handler is retried with growing delays, then failed with its error', async ({ expect }) => {
      const starts: number[] = [];
      await queue.work('always-throws', async ({ attempt }) => {
        starts.push(Date.now());
        throw new Error(`boom on attempt ${attempt}`);
      });
      const id = await queue.enqueue('always-throws', {}, { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true });
      const job = await waitForState(queue, id, ['failed'], 20_000);
      expect(job).toMatchObject({ state: 'failed', attempts: 3, maxAttempts: 3, error: 'boom on attempt 3', result: null });
      expect(starts).toHaveLength(3);
      // back-off: delay * 2^n / 2 * (1 + random) -> first retry after 1-2 s, second after 2-4 s
      expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(950);
      expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(1950);
    });

    test.concurrent('an attempt over its time limit is aborted, failed and retried', async ({ expect }) => {
      const reasons: string[] = [];
      await queue.work('slow-once', async ({ attempt, signal }) => {
        if (attempt > 1) return { attempt };
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        reasons.push((signal.reason as Error).name);
        return { ignored: true };
      });
      const retried = await queue.enqueue('slow-once', {}, { timeoutSeconds: 1, retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false });

      await queue.work('hangs', async () => new Promise((resolve) => setTimeout(resolve, 4000)));
      const hung = await queue.enqueue('hangs', {}, { timeoutSeconds: 1, retryLimit: 0 });

      const ok = await waitForState(queue, retried, ['completed', 'failed']);
      expect(ok).toMatchObject({ state: 'completed', attempts: 2, result: { attempt: 2 } });
      expect(reasons).toEqual(['JobTimeoutError']);
      const failed = await waitForState(queue, hung, ['completed', 'failed']);
      expect(failed).toMatchObject({ state: 'failed', attempts: 1, error: 'time limit of 1 s exceeded' });
      // failed by the limit, well before the handler itself would have returned after 4 s
      expect((failed.completedAt as number) - (failed.startedAt as number)).toBeLessThan(3900);
    });

    test.concurrent('a cron schedule enqueues its job with its data', async ({ expect }) => {
      const seen: unknown[] = [];
      await queue.work('tick', async ({ data }) => {
        seen.push(data);
      });
      await queue.schedule('tick', '* * * * *', { from: 'cron' }, { tz: 'Europe/Berlin' });
      await waitFor('a cron run', async () => seen.length > 0, 20_000);
      await queue.unschedule('tick');
      expect(seen[0]).toEqual({ from: 'cron' });
    });

    test.concurrent('cancel stops a queued job and aborts a running one; unknown ids are reported as such', async ({ expect }) => {
      const queued = await queue.enqueue('cancel-me', {}, { startAfter: Date.now() + 60_000 });
      expect(await queue.cancel(queued)).toBe(true);
      expect(await queue.cancel(queued)).toBe(false);
      expect((await queue.get(queued))?.state).toBe('cancelled');

      let aborted = false;
      await queue.work('cancel-running', async ({ signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        aborted = true;
        throw new Error('stopped');
      });
      const running = await queue.enqueue('cancel-running', {});
      await waitForState(queue, running, ['running']);
      expect(await queue.cancel(running)).toBe(true);
      await waitFor('the handler to see the abort', async () => aborted, 5000);
      await new Promise((r) => setTimeout(r, 300));
      expect((await queue.get(running))?.state).toBe('cancelled');

      expect(await queue.cancel('00000000-0000-4000-8000-000000000000')).toBe(false);
      expect(await queue.get('00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await queue.get('not-an-id')).toBeNull();
    });

    test.concurrent('bad input names its field', async ({ expect }) => {
      expect(await problemField(() => queue.enqueue('bad name!', {}))).toBe('name');
      expect(await problemField(() => queue.enqueue('ok', [] as never))).toBe('data');
      expect(await problemField(() => queue.enqueue('ok', {}, { retryLimit: -1 }))).toBe('opts.retryLimit');
      expect(await problemField(() => queue.enqueue('ok', {}, { timeoutSeconds: 0 }))).toBe('opts.timeoutSeconds');
      expect(await problemField(() => queue.enqueue('ok', {}, { startAfter: Number.NaN }))).toBe('opts.startAfter');
      expect(await problemField(() => queue.schedule('ok', 'every minute'))).toBe('cron');
      expect(await problemField(() => queue.schedule('ok', '61 * * * *'))).toBe('cron');
      expect(await problemField(() => queue.schedule('ok', '* * * * *', {}, { tz: 'Mars/Olympus' }))).toBe('opts.tz');
    });
  });
}
