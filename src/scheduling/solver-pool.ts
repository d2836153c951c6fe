/**
 * Schedules solved off the main event loop: HiGHS (WASM) is synchronous, and a MILP can take seconds, which
 * would hold every HTTP request of the process meanwhile. A pool of worker threads (up to one per core,
 * `GRIDFLEX_SOLVER_THREADS` to change, started as solves overlap) each keeps its own warmed-up HiGHS instance
 * and solves one request at a time; further requests wait their turn. An aborted solve (job time limit, cancel) terminates its thread,
 * which is replaced on the next solve. A `ProblemError` thrown in a thread arrives as a `ProblemError` with
 * its status, field and items.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ProblemError } from '../core/errors.ts';
import type { ScheduleOptions, ScheduleResult } from '../schedule/index.ts';
import type { SerializedError, SolveReply } from './solve-thread.ts';

const ENTRY = new URL('./solve-thread.mjs', import.meta.url);

export interface SolverPoolOptions {
  /** Threads (default `GRIDFLEX_SOLVER_THREADS`, else the number of cores). */
  size?: number;
  /** Warm-up solves each thread runs when it starts (default 50). */
  warmUpRounds?: number;
}

interface Task {
  id: number;
  request: unknown;
  options: Omit<ScheduleOptions, 'now'>;
  resolve: (r: ScheduleResult) => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface Thread { worker: Worker; task: Task | null }

function revive(e: SerializedError): Error {
  if (e.kind === 'problem') return new ProblemError(e.status, e.title, e.detail, { field: e.field, line: e.line, errors: e.errors });
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

export function defaultPoolSize(): number {
  const env = Number(process.env.GRIDFLEX_SOLVER_THREADS);
  return Number.isInteger(env) && env > 0 ? env : Math.max(1, availableParallelism());
}

export class SolverPool {
  readonly size: number;
  private readonly warmUpRounds: number;
  private readonly threads: Thread[] = [];
  private readonly waiting: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: SolverPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(opts.size ?? defaultPoolSize()));
    this.warmUpRounds = opts.warmUpRounds ?? 50;
  }

  /**
   * Starts one thread now, which warms up its HiGHS, so the first solve need not wait for it. The others start
   * when solves overlap: a process that schedules little spends no CPU on threads it does not use.
   */
  start(): void {
    if (!this.closed && this.threads.length === 0) this.spawn();
  }

  /** Threads running, and solves running or waiting. */
  stats(): { threads: number; busy: number; waiting: number } {
    return { threads: this.threads.length, busy: this.threads.filter((t) => t.task).length, waiting: this.waiting.length };
  }

  /** `schedule(request, options)` in a solver thread. Rejects with the signal's reason when it aborts. */
  solve(request: unknown, options: Omit<ScheduleOptions, 'now'> = {}, signal?: AbortSignal): Promise<ScheduleResult> {
    if (this.closed) return Promise.reject(new Error('the solver pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ScheduleResult>((resolve, reject) => {
      const task: Task = { id: this.nextId++, request, options, resolve, reject, signal };
      if (signal) {
        task.onAbort = () => this.abort(task, signal.reason);
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.waiting.push(task);
      this.dispatch();
    });
  }

  /** Stops taking solves; running ones finish (or are aborted by their signal), then every thread ends. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.waiting.splice(0)) this.settle(t, () => t.reject(new Error('the solver pool is closed')));
    await Promise.all(this.threads.map(async (t) => {
      if (t.task) await new Promise<void>((resolve) => t.worker.once('exit', () => resolve()).once('message', () => void t.worker.terminate()));
      else await t.worker.terminate();
    }));
    this.threads.length = 0;
  }

  private spawn(): Thread {
    const worker = new Worker(ENTRY, { workerData: { warmUpRounds: this.warmUpRounds } });
    worker.unref(); // an idle pool never keeps the process alive
    const thread: Thread = { worker, task: null };
    worker.on('message', (m: SolveReply) => {
      const task = thread.task;
      if (!task || task.id !== m.id) return;
      thread.task = null;
      worker.unref();
      if ('error' in m) this.settle(task, () => task.reject(revive(m.error)));
      else this.settle(task, () => task.resolve(m.result as ScheduleResult));
      this.dispatch();
    });
    worker.on('error', (err) => this.lose(thread, err));
    worker.on('exit', (code) => this.lose(thread, new Error(`the solver thread stopped (exit code ${code})`)));
    this.threads.push(thread);
    return thread;
  }

  /** A thread that died: its task fails, and it is replaced on demand. */
  private lose(thread: Thread, err: Error): void {
    const i = this.threads.indexOf(thread);
    if (i >= 0) this.threads.splice(i, 1);
    const task = thread.task;
    thread.task = null;
    if (task) this.settle(task, () => task.reject(err));
    this.dispatch();
  }

  private dispatch(): void {
    while (this.waiting.length && !this.closed) {
      const thread = this.threads.find((t) => !t.task) ?? (this.threads.length < this.size ? this.spawn() : undefined);
      if (!thread) return;
      const task = this.waiting.shift()!;
      thread.task = task;
      thread.worker.ref(); // a running solve keeps the process alive, like any pending I/O
      thread.worker.postMessage({ id: task.id, request: task.request, options: task.options });
    }
  }

  private abort(task: Task, reason: unknown): void {
    const w = this.waiting.indexOf(task);
    if (w >= 0) {
      this.waiting.splice(w, 1);
      this.settle(task, () => task.reject(reason));
      return;
    }
    const thread = this.threads.find((t) => t.task === task);
    if (!thread) return;
    // HiGHS cannot be interrupted from outside: end the thread (a new one takes its place when needed).
    thread.task = null;
    const i = this.threads.indexOf(thread);
    if (i >= 0) this.threads.splice(i, 1);
    void thread.worker.terminate();
    this.settle(task, () => task.reject(reason));
    this.dispatch();
  }

  private settle(task: Task, fn: () => void): void {
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    fn();
  }
}

let shared: SolverPool | undefined;

/** The process' pool, made on first use. */
export function solverPool(): SolverPool {
  shared ??= new SolverPool();
  return shared;
}

/** Closes the process' pool (a later `solverPool()` makes a new one). */
export async function closeSolverPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
