/**
 * The job that runs a stored schedule run: a site schedule through `schedule()`, or a charging request
 * through `planCharging()`; the result is stored with the run, and a site schedule also as beliefs of a
 * `scheduler` source on each asset's power sensor (created on first use).
 */
import type { Clock } from '../core/clock.ts';
import { ProblemError } from '../core/errors.ts';
import { parseDuration, parseInstant } from '../core/time.ts';
import { planCharging, type ScheduleResult } from '../schedule/index.ts';
import { writeSeries } from '../store/series.ts';
import type { Store } from '../store/types.ts';
import type { JobDefinition } from '../jobs/registry.ts';
import { SCHEDULE_JOB, finishRun, markRunning, type ScheduleRun } from './runs.ts';
import { offerScheduleContracts } from './dispatch.ts';
import { solverPool } from './solver-pool.ts';

export const SCHEDULER_SOURCE = { kind: 'scheduler' as const, name: 'gridflex scheduler', version: '1' };

/** Stores each asset's planned power as scheduler beliefs on its power sensor. Returns rows written. */
export async function storeScheduleBeliefs(store: Store, run: ScheduleRun, result: ScheduleResult, now: number): Promise<number> {
  const scope = { accountId: run.accountId };
  const source = await store.sources.ensure(SCHEDULER_SOURCE);
  const start = parseInstant(result.start, 'start');
  const resolutionMs = parseDuration(result.resolution);
  let written = 0;
  for (const a of result.assets) {
    const asset = /^\d+$/.test(a.id) ? await store.assets.get(scope, Number(a.id)) : null;
    if (!asset || asset.siteId !== run.siteId) continue;
    const sensors = await store.sensors.list(scope, { assetId: asset.id });
    const sensor = sensors.find((s) => s.quantity === 'power' && s.resolutionMs <= resolutionMs && resolutionMs % s.resolutionMs === 0)
      ?? (await store.sensors.create(scope, { accountId: run.accountId, name: `${asset.name} power`, quantity: 'power', unit: 'kW', resolutionMs, siteId: asset.siteId, assetId: asset.id }));
    written += await writeSeries(store, sensor, { start, resolutionMs, unit: 'kW', values: a.powerKw, beliefTime: now, sourceId: source.id });
  }
  return written;
}

/** A site schedule as the platform reports it: `time-limit` when HiGHS found no schedule in time (nothing proven). */
export type SiteRunResult = Omit<ScheduleResult, 'status' | 'solver'> & {
  status: ScheduleResult['status'] | 'time-limit';
  solver: ScheduleResult['solver'] & { stoppedAt?: 'time-limit' };
};

/**
 * HiGHS may stop at its time limit. With a schedule found, that schedule is the result, `solver.mipGap` says how
 * far it may be from optimal and `solver.stoppedAt` why it stopped; without one, the run says `time-limit`, not
 * `infeasible`, since nothing was proven.
 */
export function withStopReason(result: ScheduleResult): SiteRunResult {
  const { solver } = result;
  if (result.status === 'infeasible' && /^no schedule found within the time limit/.test(result.reason ?? '')) {
    return { ...result, status: 'time-limit', solver: { ...solver, stoppedAt: 'time-limit' } };
  }
  if (result.status !== 'infeasible' && solver.method.startsWith('highs:milp') && solver.mipGap > solver.mipRelGap && solver.timeMs >= solver.timeLimitS * 1000) {
    return { ...result, solver: { ...solver, stoppedAt: 'time-limit' } };
  }
  return result;
}

async function runSite(store: Store, run: ScheduleRun, now: number, signal: AbortSignal) {
  // In a solver thread: a slow MILP on the event loop would hold every request of an API process with workers.
  const solved = await solverPool().solve(run.request, {}, signal);
  const result = withStopReason(solved);
  const planned = result.status !== 'infeasible' && result.status !== 'time-limit';
  const beliefs = planned ? await storeScheduleBeliefs(store, run, solved, now) : 0;
  const contracts = planned && run.siteId !== null ? await offerScheduleContracts(store, run.siteId, run.id, solved, now) : 0;
  return { ...result, beliefsWritten: beliefs, contractsOffered: contracts };
}

function runCharging(request: Record<string, unknown>) {
  const r = request as unknown as Parameters<typeof planCharging>[0] & { currency: string };
  return { ...planCharging(r), currency: r.currency, priceUnit: `${r.currency}/kWh` };
}

export function scheduleJob(store: Store, clock: Clock): JobDefinition {
  return {
    name: SCHEDULE_JOB,
    defaults: { retryLimit: 1, retryDelaySeconds: 5, timeoutSeconds: 120, concurrency: 4 },
    handler: async (job) => {
      const { runId, request } = job.data as { runId: number; request?: Record<string, unknown> };
      // A charging request (planned in well under a millisecond) travels with its job: no read, no running state.
      const run = request ? null : await markRunning(store, runId);
      if (!request && !run) return { missing: runId };
      try {
        const result = run?.kind === 'site' ? await runSite(store, run, clock().getTime(), job.signal) : runCharging(request ?? run!.request);
        await finishRun(store, runId, { result }, clock().getTime());
        return { runId, status: (result as { status?: string }).status ?? 'done' };
      } catch (err) {
        // Bad input was refused before the run was made; what fails here is worth a person's look, not a retry.
        if (err instanceof ProblemError) {
          await finishRun(store, runId, { error: err.message }, clock().getTime());
          return { runId, status: 'failed', error: err.message };
        }
        if (job.attempt >= 2) await finishRun(store, runId, { error: `internal error: ${(err as Error).message}` }, clock().getTime());
        throw err;
      }
    },
  };
}
