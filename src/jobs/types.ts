/**
 * The job queue's contract: what the scheduler, the feeds, market clearing and retention rely on.
 * One interface, two databases: pg-boss on PostgreSQL, and the same pg-boss on the embedded PGlite.
 *
 * Times are epoch milliseconds (UTC), as everywhere inside the process (see src/store/types.ts);
 * the API converts them to ISO 8601 at its boundary.
 */

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** JSON that a job takes as data and gives back as result. */
export type JobData = Record<string, unknown>;
export type JobResult = unknown;

export interface RetryPolicy {
  /** How many times a failed attempt is tried again (0 = run once). */
  retryLimit?: number;
  /** Seconds before the first retry (whole seconds). */
  retryDelaySeconds?: number;
  /** Double the delay after each failed attempt, with jitter (delay * 2^n / 2 * (1 + random)). */
  retryBackoff?: boolean;
  /** Time limit of one attempt; an attempt over it fails (and is retried per the policy). Whole seconds, >= 1. */
  timeoutSeconds?: number;
}

export interface EnqueueOptions extends RetryPolicy {
  /** While a job with this key (and name) is queued or running, enqueueing again returns its id. */
  dedupKey?: string;
  /** Not before this time (epoch ms or Date). */
  startAfter?: number | Date;
  /** The new job's id (a UUID), when the caller must store it before the job exists; default a random one. */
  id?: string;
}

export interface Job {
  id: string;
  name: string;
  state: JobState;
  data: JobData;
  /** What the handler returned, once completed; null before. */
  result: JobResult | null;
  /** Message of the last failed attempt (kept while a retry waits); null if none failed. */
  error: string | null;
  /** Attempts started so far (1 while the first runs). */
  attempts: number;
  /** 1 + retryLimit. */
  maxAttempts: number;
  dedupKey: string | null;
  createdAt: number;
  /** Start of the latest attempt. */
  startedAt: number | null;
  /** When it completed, failed for good or was cancelled. */
  completedAt: number | null;
  /** The handler's last progress report; null if it never reported. */
  progress: JobProgress | null;
}

export interface JobProgress {
  /** Share done, 0..1. */
  fraction: number;
  message: string | null;
  /** When it was reported (epoch ms). */
  at: number;
}

export interface JobContext<D extends JobData = JobData> {
  id: string;
  name: string;
  data: D;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  /** Aborted when the attempt passes its time limit, when the job is cancelled or when the worker stops. */
  signal: AbortSignal;
  /** Records how far the job is (0..1, with an optional message) for `get` to show; long jobs should call it. */
  reportProgress(fraction: number, message?: string): Promise<void>;
}

export type JobHandler<D extends JobData = JobData> = (job: JobContext<D>) => Promise<JobResult> | JobResult;

export interface WorkOptions {
  /** Jobs of this name run at the same time in this process (default 1). */
  concurrency?: number;
}

export interface ScheduleOptions extends RetryPolicy {
  /** IANA time zone the cron expression is read in (default UTC). */
  tz?: string;
}

export interface JobFilter {
  name?: string;
  states?: JobState[];
  /** Jobs whose data contains this object (JSON containment), e.g. `{ accountId: 3 }` for one tenant's jobs. */
  data?: JobData;
  /** Newest first, at most this many (default 50, at most 1000). */
  limit?: number;
}

export interface JobQueue {
  /** Creates or migrates the queue's tables and starts maintenance (expiry, archiving) and cron. */
  start(): Promise<void>;
  /** Stops taking jobs, waits for running handlers (up to the grace period), then closes. */
  stop(): Promise<void>;
  enqueue(name: string, data?: JobData, opts?: EnqueueOptions): Promise<string>;
  get(id: string): Promise<Job | null>;
  /** Jobs not yet archived (finished less than 12 h ago, or not finished), newest first. */
  list(filter?: JobFilter): Promise<Job[]>;
  work<D extends JobData = JobData>(name: string, handler: JobHandler<D>, opts?: WorkOptions): Promise<void>;
  /** Defaults for every job of this name that does not set its own (stored with the queue, seen by all processes). */
  configure(name: string, defaults: RetryPolicy): Promise<void>;
  /** Runs `name` with `data` at every match of the 5-field cron expression (minute granularity). One schedule per name. */
  schedule(name: string, cron: string, data?: JobData, opts?: ScheduleOptions): Promise<void>;
  unschedule(name: string): Promise<void>;
  /** Cancels a queued or running job; false when it was already finished or does not exist. */
  cancel(id: string): Promise<boolean>;
}
