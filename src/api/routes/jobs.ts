import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../core/errors.ts';
import { formatInstant } from '../../core/time.ts';
import type { Job, JobQueue } from '../../jobs/types.ts';
import { type Principal, principalOf } from '../auth.ts';

export const JobOut = z.object({
  id: z.string(), name: z.string(), state: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
  attempts: z.number(), maxAttempts: z.number(), error: z.string().nullable(), result: z.unknown(),
  createdAt: z.string(), startedAt: z.string().nullable(), completedAt: z.string().nullable(),
}).meta({ id: 'Job' });

export function jobOut(j: Job) {
  const iso = (ms: number | null) => (ms === null ? null : formatInstant(ms));
  return {
    id: j.id, name: j.name, state: j.state, attempts: j.attempts, maxAttempts: j.maxAttempts, error: j.error, result: j.result ?? null,
    createdAt: formatInstant(j.createdAt), startedAt: iso(j.startedAt), completedAt: iso(j.completedAt),
  };
}

/** Jobs enqueued for an account carry `accountId` in their data; others' jobs are not found. */
export function jobVisibleTo(job: Job, p: Principal): boolean {
  return p.scope === 'all' || (job.data as { accountId?: unknown }).accountId === p.user.accountId;
}

export async function visibleJob(queue: JobQueue, p: Principal, id: string): Promise<Job> {
  const job = /^[0-9a-f-]{36}$/i.test(id) ? await queue.get(id) : null;
  if (!job || !jobVisibleTo(job, p)) throw notFound(`job ${id}`);
  return job;
}

/** The status and result of asynchronous work (schedules, forecasts, imports, clearing). */
export function jobRoutes(app: FastifyInstance, queue: JobQueue): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/jobs/:id', {
    schema: { tags: ['jobs'], summary: 'A job: its state (queued, running, completed, failed, cancelled), attempts and result', params: z.strictObject({ id: z.string() }), response: { 200: JobOut } },
  }, async (req) => jobOut(await visibleJob(queue, principalOf(req), req.params.id)));
}
