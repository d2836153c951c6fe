/**
 * The JobQueue on pg-boss 10, for PostgreSQL and PGlite alike (pg-boss reaches either through a SqlRunner).
 *
 * pg-boss keeps the jobs, the retry policy with back-off, expiry of jobs whose worker died, archiving and
 * cron. The worker loop is ours: it fetches one job at a time (SKIP LOCKED, so no job runs twice), runs the
 * next job at once when there is one, sleeps a polling interval when there is none, is woken early by an
 * enqueue in the same process, and gives each attempt an AbortSignal that fires at its time limit.
 */
import PgBoss from 'pg-boss';
import { IANAZone } from 'luxon';
import { invalid } from '../core/errors.ts';
import type { SqlExecutor, SqlRunner } from './sql.ts';
import type { EnqueueOptions, Job, JobData, JobFilter, JobHandler, JobQueue, RetryPolicy, ScheduleOptions, WorkOptions } from './types.ts';
import { bossStates, jobByIdSql, listJobsSql, PROGRESS_TABLE, rowToJob, upsertProgressSql, type JobRow } from './rows.ts';
import { checkConcurrency, checkEnqueueOptions, checkJobFilter, checkJobData, checkJobName, checkRetryPolicy, isJobId } from './validate.ts';
import { Wakeup } from './wakeup.ts';

export interface QueueTuning {
  /** How often an idle worker loop asks for a job (seconds, >= 0.5; default 1). */
  pollingIntervalSeconds?: number;
  /** How often expired jobs (dead workers, time limits) are failed and retried, and old jobs archived (seconds, default 30). */
  maintenanceIntervalSeconds?: number;
  /** How often cron schedules are checked (seconds, default 15). */
  cronIntervalSeconds?: number;
  /** How long stop() waits for running handlers before aborting them (seconds, default 30). */
  stopGraceSeconds?: number;
  /** Retry policy of jobs that set none and whose name has no configured defaults. */
  defaults?: RetryPolicy;
  /** Errors of the background machinery (maintenance, cron, a failed fetch); default: written to stderr. */
  onError?: (err: Error) => void;
}

export const DEFAULT_POLICY: Required<RetryPolicy> = { retryLimit: 2, retryDelaySeconds: 5, retryBackoff: true, timeoutSeconds: 900 };

const CRON_QUEUE = '__pgboss__send-it';
const CANCEL_PREFIX = 'cancel:';

type BossJob = { id: string; name: string; data: JobData; expireInSeconds: number | string; retryCount: number };

function withoutUndefined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * pg-boss expires a running job (fails it, to be retried) once it runs longer than its `expireIn`; the worker
 * enforces the time limit itself. The expiry comes this much later, so the worker's own limit acts first and
 * pg-boss's expiry only catches jobs whose worker died (or whose event loop was blocked).
 */
export const EXPIRY_GRACE_SECONDS = 2;

function bossPolicy(p: RetryPolicy) {
  return withoutUndefined({
    retryLimit: p.retryLimit,
    retryDelay: p.retryDelaySeconds,
    retryBackoff: p.retryBackoff,
    expireInSeconds: p.timeoutSeconds === undefined ? undefined : p.timeoutSeconds + EXPIRY_GRACE_SECONDS,
  });
}

function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export class BossQueue implements JobQueue {
  private boss: PgBoss | null = null;
  private stopping = false;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  private readonly running = new Map<string, AbortController>();
  private readonly wakeup = new Wakeup();
  /** Per job name: a NOTIFY in flight ('busy'), and whether jobs were enqueued since it was sent ('again'). */
  private readonly notifying = new Map<string, 'busy' | 'again'>();
  private readonly notices = new Set<Promise<void>>();
  private readonly pollMs: number;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly runner: SqlRunner,
    private readonly schema: string,
    private readonly tuning: QueueTuning = {},
  ) {
    if (!/^[a-z_][a-z0-9_]{0,49}$/.test(schema)) throw invalid('schema', 'must be a lower-case SQL name of at most 50 characters');
    const poll = tuning.pollingIntervalSeconds ?? 1;
    if (!(poll >= 0.5)) throw invalid('pollingIntervalSeconds', 'must be at least 0.5');
    this.pollMs = poll * 1000;
  }

  private starting: Promise<void> | null = null;
  private closed = false;

  /** Idempotent; a stopped queue stays stopped (its connections are closed): create a new one instead. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('this job queue was stopped; create a new one'));
    this.starting ??= this.startOnce();
    this.starting.catch(() => (this.starting = null));
    return this.starting;
  }

  private async startOnce(): Promise<void> {
    const cronSeconds = this.tuning.cronIntervalSeconds ?? 15;
    const boss = new PgBoss({
      db: this.runner,
      schema: this.schema,
      ...bossPolicy({ ...DEFAULT_POLICY, ...withoutUndefined({ ...checkRetryPolicy(this.tuning.defaults, 'defaults.') }) }),
      maintenanceIntervalSeconds: this.tuning.maintenanceIntervalSeconds ?? 30,
      cronMonitorIntervalSeconds: cronSeconds,
      cronWorkerIntervalSeconds: cronSeconds,
    } as PgBoss.ConstructorOptions);
    boss.on('error', (err) => this.report(err));
    await boss.start();
    await this.runner.executeSql(this.ownTablesSql());
    // pg-boss creates its cron queue at start without our lock and ignores a failure (a deadlock with another
    // process creating queues); creating it again here, idempotently, makes sure cron has its queue.
    await this.createQueueOnce(CRON_QUEUE);
    if (this.runner.listen) {
      this.unlisten = await this.runner.listen(this.channel(), (payload) => this.onNotice(payload), (err) => this.report(err));
    }
    this.boss = boss;
    this.stopping = false;
  }

  /**
   * pg-boss finds jobs by (name, id); `get(id)` has only the id, so index it on the job and archive tables.
   * Progress reports get a small table of their own; reports older than pg-boss keeps jobs are dropped.
   */
  private ownTablesSql(): string {
    const s = this.schema;
    return `BEGIN;
      SELECT pg_advisory_xact_lock(hashtext('gridflex-jobs-index-${s}'));
      CREATE INDEX IF NOT EXISTS job_id_lookup ON ${s}.job (id);
      CREATE INDEX IF NOT EXISTS archive_id_lookup ON ${s}.archive (id);
      CREATE TABLE IF NOT EXISTS ${s}.${PROGRESS_TABLE} (
        id uuid PRIMARY KEY, fraction real NOT NULL, message text, updated_on timestamptz NOT NULL);
      DELETE FROM ${s}.${PROGRESS_TABLE} WHERE updated_on < now() - interval '14 days';
      COMMIT;`;
  }

  private async reportProgress(id: string, fraction: unknown, message: unknown): Promise<void> {
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) throw invalid('progress', 'must be a number from 0 to 1');
    if (message !== undefined && typeof message !== 'string') throw invalid('message', 'must be a string');
    await this.runner.executeSql(upsertProgressSql(this.schema), [id, fraction, message ?? null]);
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => {});
    const boss = this.boss;
    if (!boss || this.stopping) return;
    this.stopping = true;
    this.closed = true;
    this.wakeup.wakeAll();
    const loopsDone = Promise.all(this.loops);
    await Promise.race([loopsDone, delay((this.tuning.stopGraceSeconds ?? 30) * 1000)]);
    if (this.running.size > 0) {
      for (const ac of this.running.values()) ac.abort(new Error('the worker is stopping'));
      await Promise.race([loopsDone, delay(2000)]);
    }
    await Promise.all(this.notices); // jobs enqueued here are announced before the connections close
    await boss.stop({ graceful: true, wait: true, timeout: 5000, close: false });
    await this.unlisten?.();
    this.unlisten = null;
    this.boss = null;
    this.loops.length = 0;
    this.queues.clear();
    await this.runner.close();
  }

  /**
   * Other processes reach this one through NOTIFY on this channel: an enqueue sends the job name (wake the
   * idle loops of that name), a cancel sends `cancel:<id>` (abort the job if it runs here). Job names
   * cannot contain ':'.
   */
  private channel(): string {
    return `gridflex_jobs_${this.schema}`;
  }

  private onNotice(payload: string): void {
    if (payload.startsWith(CANCEL_PREFIX)) this.abortLocal(payload.slice(CANCEL_PREFIX.length));
    else this.wakeup.wake(payload);
  }

  private abortLocal(id: string): void {
    this.running.get(id)?.abort(new Error('the job was cancelled'));
  }

  private async notifyOthers(db: SqlExecutor, name: string): Promise<void> {
    if (this.runner.listen) await db.executeSql('SELECT pg_notify($1, $2)', [this.channel(), name]);
  }

  private report(err: unknown): void {
    const error = err instanceof Error ? err : new Error(String(err));
    if (this.tuning.onError) this.tuning.onError(error);
    else console.error(`jobs: ${error.message}`);
  }

  private requireBoss(): PgBoss {
    if (!this.boss || this.stopping) throw new Error('the job queue is not running (call start() first)');
    return this.boss;
  }

  /**
   * pg-boss keeps each job name in its own partition, created once. Creating two partitions at the same
   * time deadlocks on PostgreSQL (both attach to the job table), so creations take turns under a lock.
   */
  private ensureQueue(name: string): Promise<void> {
    let ready = this.queues.get(name);
    if (!ready) {
      this.requireBoss();
      ready = this.createQueueOnce(name);
      ready.catch(() => this.queues.delete(name));
      this.queues.set(name, ready);
    }
    return ready;
  }

  private async createQueueOnce(name: string): Promise<void> {
    const exists = await this.runner.executeSql(`SELECT 1 FROM ${this.schema}.queue WHERE name = $1`, [name]);
    if (exists.rows.length > 0) return;
    await this.runner.transaction(async (db) => {
      await db.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`gridflex-jobs-create-queue:${this.schema}`]);
      await db.executeSql(`SELECT ${this.schema}.create_queue($1, $2)`, [name, JSON.stringify({ policy: 'standard' })]);
    });
  }

  async enqueue(name: string, data?: JobData, opts: EnqueueOptions = {}): Promise<string> {
    checkJobName(name);
    const payload = checkJobData(data);
    const checked = checkEnqueueOptions(opts);
    const boss = this.requireBoss();
    await this.ensureQueue(name);
    const sendOptions = {
      ...bossPolicy(checked),
      ...withoutUndefined({
        id: checked.id,
        singletonKey: checked.dedupKey,
        startAfter: checked.startAfter === undefined ? undefined : new Date(checked.startAfter as number),
      }),
    };
    const id = checked.dedupKey === undefined
      ? await boss.send(name, payload, sendOptions)
      : await this.runner.transaction((db) => this.sendUnlessActive(db, name, checked.dedupKey as string, payload, sendOptions));
    if (!id) throw new Error(`pg-boss refused the job "${name}"`);
    this.wakeup.wake(name);
    if (checked.dedupKey === undefined) this.notifySoon(name);
    return id;
  }

  /**
   * Tells other processes about new jobs without holding up the enqueue: one NOTIFY at a time per name, and
   * one more after it when jobs were enqueued meanwhile, so every job is followed by a NOTIFY sent after it.
   */
  private notifySoon(name: string): void {
    if (this.notifying.has(name)) {
      this.notifying.set(name, 'again');
      return;
    }
    this.notifying.set(name, 'busy');
    const notice = (async () => {
      try {
        do {
          this.notifying.set(name, 'busy');
          await this.notifyOthers(this.runner, name);
        } while (this.notifying.get(name) === 'again');
      } catch (err) {
        this.report(err);
      } finally {
        this.notifying.delete(name);
      }
    })();
    this.notices.add(notice);
    void notice.then(() => this.notices.delete(notice));
  }

  /** Under a lock on (name, key): the id of a queued or running job with the key, else a new job's. */
  private async sendUnlessActive(db: SqlExecutor, name: string, key: string, data: JobData, options: PgBoss.SendOptions): Promise<string | null> {
    await db.executeSql('SELECT pg_advisory_xact_lock(hashtext($1))', [`gridflex-jobs-dedup:${this.schema}:${name}:${key}`]);
    const { rows } = await db.executeSql(
      `SELECT id FROM ${this.schema}.job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' ORDER BY created_on LIMIT 1`,
      [name, key],
    );
    if (rows[0]) return rows[0].id as string;
    const id = await this.requireBoss().send(name, data, { ...options, db });
    await this.notifyOthers(db, name); // delivered when the transaction commits
    return id;
  }

  async get(id: string): Promise<Job | null> {
    if (!isJobId(id)) return null;
    const { rows } = await this.runner.executeSql(jobByIdSql(this.schema), [id]);
    return rows[0] ? rowToJob(rows[0] as JobRow) : null;
  }

  async list(filter: JobFilter = {}): Promise<Job[]> {
    const f = checkJobFilter(filter);
    const { rows } = await this.runner.executeSql(listJobsSql(this.schema), [
      f.name ?? null,
      f.states ? bossStates(f.states) : null,
      f.data ? JSON.stringify(f.data) : null,
      f.limit,
    ]);
    return (rows as JobRow[]).map(rowToJob);
  }

  async cancel(id: string): Promise<boolean> {
    if (!isJobId(id)) return false;
    const { rows } = await this.runner.executeSql(`SELECT name FROM ${this.schema}.job WHERE id = $1`, [id]);
    if (!rows[0]) return false;
    const outcome = (await this.requireBoss().cancel(rows[0].name, id)) as unknown as { affected: number };
    this.abortLocal(id);
    if (outcome.affected > 0 && this.runner.listen) {
      await this.runner.executeSql('SELECT pg_notify($1, $2)', [this.channel(), `${CANCEL_PREFIX}${id}`]).catch((err) => this.report(err));
    }
    return outcome.affected > 0;
  }

  async configure(name: string, defaults: RetryPolicy): Promise<void> {
    checkJobName(name);
    const policy = bossPolicy(checkRetryPolicy(defaults, 'defaults.'));
    await this.ensureQueue(name);
    await this.requireBoss().updateQueue(name, { name, policy: 'standard', ...policy });
  }

  async schedule(name: string, cron: string, data?: JobData, opts: ScheduleOptions = {}): Promise<void> {
    checkJobName(name);
    const payload = checkJobData(data);
    if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5) {
      throw invalid('cron', 'must have 5 fields: minute hour day-of-month month day-of-week');
    }
    const tz = opts.tz ?? 'UTC';
    if (!IANAZone.isValidZone(tz)) throw invalid('opts.tz', `"${tz}" is not an IANA time zone`);
    const policy = bossPolicy(checkRetryPolicy(opts));
    await this.ensureQueue(name);
    try {
      await this.requireBoss().schedule(name, cron.trim(), payload, { tz, ...policy });
    } catch (err) {
      if (typeof (err as { code?: unknown }).code === 'string') throw err; // the database's, not the expression's
      throw invalid('cron', `"${cron}" is not a cron expression: ${(err as Error).message}`);
    }
  }

  async unschedule(name: string): Promise<void> {
    checkJobName(name);
    await this.requireBoss().unschedule(name);
  }

  async work<D extends JobData = JobData>(name: string, handler: JobHandler<D>, opts: WorkOptions = {}): Promise<void> {
    checkJobName(name);
    const concurrency = checkConcurrency(opts.concurrency);
    this.requireBoss();
    await this.ensureQueue(name);
    for (let i = 0; i < concurrency; i++) this.loops.push(this.loop(name, handler as JobHandler));
  }

  private async loop(name: string, handler: JobHandler): Promise<void> {
    while (!this.stopping) {
      const job = await this.fetchOne(name);
      if (job) await this.runAttempt(name, job, handler);
      else if (!this.stopping) await this.wakeup.sleep(name, this.pollMs);
    }
  }

  private async fetchOne(name: string): Promise<BossJob | null> {
    try {
      const jobs = await (this.boss as PgBoss).fetch<JobData>(name, { batchSize: 1, includeMetadata: true });
      return (jobs?.[0] as unknown as BossJob) ?? null;
    } catch (err) {
      this.report(err);
      return null;
    }
  }

  private async runAttempt(name: string, job: BossJob, handler: JobHandler): Promise<void> {
    const boss = this.boss as PgBoss;
    const ac = new AbortController();
    this.running.set(job.id, ac);
    const limitSeconds = Math.max(1, Number(job.expireInSeconds) - EXPIRY_GRACE_SECONDS);
    let timer: NodeJS.Timeout | undefined;
    const overLimit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`time limit of ${limitSeconds} s exceeded`);
        err.name = 'JobTimeoutError';
        ac.abort(err);
        reject(err);
      }, limitSeconds * 1000);
    });
    try {
      const attempt = async () => handler({
        id: job.id, name, data: job.data ?? {}, attempt: Number(job.retryCount) + 1, signal: ac.signal,
        reportProgress: (fraction, message) => this.reportProgress(job.id, fraction, message),
      });
      const result = await Promise.race([attempt(), overLimit]);
      await boss.complete(name, job.id, { result: result === undefined ? null : result });
    } catch (err) {
      await boss.fail(name, job.id, { error: describeError(err) }).catch((e) => this.report(e));
    } finally {
      clearTimeout(timer);
      this.running.delete(job.id);
    }
  }
}
