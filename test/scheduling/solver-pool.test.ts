import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ProblemError } from '../../src/core/errors.ts';
import { parseSmardCsv } from '../../src/ingest/formats/smard.ts';
import { batteryRequest } from '../../src/schedule/fixtures.ts';
import { withStopReason } from '../../src/scheduling/job.ts';
import { SolverPool } from '../../src/scheduling/solver-pool.ts';

/** The demo battery on 2024-06-15 (DE-LU prices below zero from 09:00 to 18:00): a MILP whose bound closes slowly. */
export function negativePriceDay() {
  const prices = parseSmardCsv(readFileSync(new URL('../../data/demo/smard-day-ahead-prices-2024.csv', import.meta.url), 'utf8')).series.find((s) => s.key === 'DE-LU')!;
  const i0 = (Date.parse('2024-06-14T22:00:00Z') - prices.start) / prices.resolutionMs;
  return {
    start: '2024-06-15T00:00:00+02:00', end: '2024-06-16T00:00:00+02:00', resolution: 'PT15M', timezone: 'Europe/Berlin',
    context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: prices.values.slice(i0, i0 + 24) }, importLimitKw: 17, exportLimitKw: 17 },
    assets: [{ id: 'b', type: 'battery', capacityKwh: 10, socKwh: 5, socMinKwh: 1, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9 }],
  };
}

const pool = new SolverPool({ size: 2, warmUpRounds: 0 });
afterAll(() => pool.close());

describe('the solver pool', () => {
  it('solves in a thread and gives the same schedule as solving here', async () => {
    const { schedule } = await import('../../src/schedule/index.ts');
    const req = batteryRequest(96, 'PT15M');
    const [there, here] = await Promise.all([pool.solve(req), schedule(req)]);
    expect(there.status).toBe('optimal');
    expect(there.cost.total).toBeCloseTo(here.cost.total, 9);
    expect(there.assets[0].powerKw).toEqual(here.assets[0].powerKw);
  });

  it('passes bad input back as a ProblemError with its status, field and items', async () => {
    const req = batteryRequest(96, 'PT15M') as { assets: Record<string, unknown>[] };
    req.assets[0].capacityKwh = -1;
    const err = await pool.solve(req).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProblemError);
    expect((err as ProblemError).status).toBe(400);
    expect((err as ProblemError).field).toBe('assets[0].capacityKwh');
    expect((err as ProblemError).errors[0].field).toBe('assets[0].capacityKwh');
  });

  it('stops a running solve when its signal aborts, and the next solve gets a fresh thread', async () => {
    const ac = new AbortController();
    const began = performance.now();
    const solving = pool.solve(negativePriceDay(), {}, ac.signal);
    await new Promise((r) => setTimeout(r, 500));
    expect(pool.stats().busy).toBeGreaterThan(0);
    ac.abort(new Error('cancelled by the test'));
    await expect(solving).rejects.toThrow('cancelled by the test');
    expect(performance.now() - began).toBeLessThan(2_000);
    const next = await pool.solve(batteryRequest(96, 'PT15M'));
    expect(next.status).toBe('optimal');
  });

  it('a solve stopped by its time limit reports the best schedule found and its gap, not infeasible', async () => {
    const result = withStopReason(await pool.solve(negativePriceDay(), { timeLimitS: 1.5 }));
    expect(result.status).toBe('optimal');
    expect(result.solver.method).toMatch(/^highs:milp/);
    expect(result.solver.stoppedAt).toBe('time-limit');
    expect(result.solver.mipGap).toBeGreaterThan(result.solver.mipRelGap);
    expect(result.assets[0].powerKw).toHaveLength(96);
    // 2024-06-15 has prices below zero: even the first schedule found earns money, where idling earns nothing.
    expect(result.cost.total).toBeLessThan(0);
  });

  it('says time-limit rather than infeasible when HiGHS found no schedule in time', () => {
    const reason = 'no schedule found within the time limit of 1 s; raise timeLimitS or shorten the horizon';
    const r = withStopReason({ status: 'infeasible', reason, solver: { method: 'highs:milp', timeMs: 1000, mipGap: 0, timeLimitS: 1, mipRelGap: 1e-4 } } as never);
    expect(r.status).toBe('time-limit');
    expect(r.solver.stoppedAt).toBe('time-limit');
    const proven = withStopReason({ status: 'infeasible', reason: 'these hard limits conflict: …', solver: { method: 'highs:lp', timeMs: 1, mipGap: 0, timeLimitS: 30, mipRelGap: 1e-4 } } as never);
    expect(proven.status).toBe('infeasible');
  });
});
