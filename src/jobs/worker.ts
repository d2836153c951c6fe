/**
 * `gridflex worker` (and the in-process workers of `gridflex serve`): run the handlers of the given or the
 * registered jobs on a started queue until SIGTERM or SIGINT, then stop cleanly (running jobs finish first).
 */
import type { JobQueue } from './types.ts';
import { registeredJobs, type JobDefinition } from './registry.ts';

export interface RunWorkerOptions {
  queue: JobQueue;
  /** Default: every job registered with `registerJob`. */
  handlers?: JobDefinition[];
  /** Stop on these signals (default SIGTERM and SIGINT); [] to leave signals to the caller. */
  signals?: NodeJS.Signals[];
}

export interface RunningWorker {
  /** Job names this worker runs. */
  names: string[];
  /** Stops taking jobs, waits for running ones, stops the queue. */
  stop(): Promise<void>;
  /** Settles when the worker has stopped (by stop() or a signal). */
  stopped: Promise<void>;
}

export async function runWorker({ queue, handlers = registeredJobs(), signals = ['SIGTERM', 'SIGINT'] }: RunWorkerOptions): Promise<RunningWorker> {
  await queue.start();
  for (const { name, handler, defaults } of handlers) {
    const { concurrency, cron, tz, cronData, ...policy } = defaults;
    if (Object.values(policy).some((v) => v !== undefined)) await queue.configure(name, policy);
    // A job registered without cron keeps any schedule made elsewhere (queue.schedule); unschedule to drop it.
    if (cron) await queue.schedule(name, cron, cronData ?? {}, { tz });
    await queue.work(name, handler, { concurrency });
  }

  let stopping: Promise<void> | null = null;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const onSignal = () => void stop();
  const stop = () => {
    stopping ??= (async () => {
      for (const s of signals) process.off(s, onSignal);
      await queue.stop();
      resolveStopped();
    })();
    return stopping;
  };
  for (const s of signals) process.on(s, onSignal);
  return { names: handlers.map((h) => h.name), stop, stopped };
}
