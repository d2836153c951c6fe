import { getJob, type Job } from './api.ts';
import type { View } from './dom.ts';

const FINISHED = new Set(['completed', 'failed', 'cancelled']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a job until it finishes (or the page is left), telling each state seen; answers the last job read. */
export async function followJob(id: string, view: View, onState: (job: Job) => void, everyMs = 400): Promise<Job | null> {
  for (;;) {
    const job = await getJob(id);
    if (!view.alive) return null;
    onState(job);
    if (FINISHED.has(job.state)) return job;
    await sleep(everyMs);
    if (!view.alive) return null;
  }
}

export { sleep };
