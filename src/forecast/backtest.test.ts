import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backtest, beliefsAsOf, replayBeliefs } from './backtest.ts';
import { ErrorSums } from './metrics.ts';
import type { Belief, ForecastInput, Forecaster } from './types.ts';
import { parseGenericCsv } from '../ingest/formats/generic-csv.ts';

const HOUR = 3_600_000;
const START = Date.parse('2024-01-01T00:00:00Z');

function series(days: number, seed = 3): number[] {
  let s = seed;
  return Array.from({ length: days * 24 }, (_, i) => {
    s = (s * 16807) % 2147483647;
    return 20 + 10 * Math.sin((2 * Math.PI * (i % 24)) / 24) + (s / 2147483647) * 4;
  });
}

describe('metrics', () => {
  it('MAE, RMSE and sMAPE of a hand-checked case', () => {
    const e = new ErrorSums();
    e.add(110, 100);
    e.add(90, 100);
    e.add(0, 0);
    const m = e.metrics();
    expect(m.mae).toBeCloseTo(20 / 3, 12);
    expect(m.rmse).toBeCloseTo(Math.sqrt(200 / 3), 12);
    expect(m.smape).toBeCloseTo((200 * 10 / 210 + 200 * 10 / 190) / 3, 12);
  });
});

describe('rolling-origin back-test', () => {
  it('at every origin a method sees only the values known then', () => {
    const values = series(40);
    const seen: { n: number; first: number; nonNullAfter: boolean }[] = [];
    const spy: Forecaster = (inp: ForecastInput) => {
      seen.push({ n: inp.history.length, first: inp.first, nonNullAfter: false });
      return new Float64Array(inp.horizon).fill(0);
    };
    const r = backtest({ values, start: START, resolutionMs: HOUR, methods: [{ name: 'spy', forecaster: spy }], horizon: 24, lead: 6 });
    expect(r.origins).toBe(seen.length);
    expect(r.origins).toBe(Math.floor((40 * 24 - 28 * 24 - 6 - 24) / 24) + 1);
    for (const s of seen) {
      expect(s.n % 24).toBe(0);
      expect(s.first).toBe(s.n + 6);
    }
  });

  it('property: changing any value at or after an origin changes nothing forecast at that origin', () => {
    const base = series(36);
    const methods = ['persistence', 'seasonal-naive-day', 'seasonal-naive-week', 'exp-smoothing', 'regression'] as const;
    const run = (v: number[]) => backtest({ values: v, start: START, resolutionMs: HOUR, methods: [...methods], horizon: 24, lead: 3, keepForecasts: true });
    const before = run(base);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: before.origins - 1 }), fc.double({ min: -1000, max: 1000, noNaN: true }), (k, delta) => {
        const origin = before.methods[0].forecasts![k].origin;
        const changed = base.map((v, i) => (i >= origin ? v + delta : v));
        const after = run(changed);
        for (let m = 0; m < before.methods.length; m++) {
          expect([...after.methods[m].forecasts![k].values]).toEqual([...before.methods[m].forecasts![k].values]);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a value that arrived late is hidden from origins before its arrival', () => {
    const values = series(31);
    const late = 28 * 24 - 1; // the last slot before the first origin
    const knownAt = values.map((_, i) => START + (i + 1) * HOUR);
    knownAt[late] = START + (28 * 24 + 30) * HOUR; // arrives 30 h after the first origin
    const histories: (number | null)[][] = [];
    const spy: Forecaster = (inp) => {
      histories.push(Array.from(inp.history));
      return new Float64Array(inp.horizon);
    };
    backtest({ values, start: START, resolutionMs: HOUR, knownAt, methods: [{ name: 'spy', forecaster: spy }], horizon: 24 });
    expect(histories[0][late]).toBeNull();
    expect(histories[1][late]).toBeNull();
    expect(histories[2][late]).toBe(values[late]);
  });

  it('values published before the origin (day-ahead prices) extend the history past it', () => {
    const values = series(31);
    // each day's values are published at 12:00 the day before
    const knownAt = values.map((_, i) => START + Math.floor(i / 24) * 24 * HOUR - 12 * HOUR);
    const seen: { n: number; first: number; last: number | null }[] = [];
    const spy: Forecaster = (inp) => {
      seen.push({ n: inp.history.length, first: inp.first, last: inp.history[inp.history.length - 1] });
      return new Float64Array(inp.horizon);
    };
    backtest({ values, start: START, resolutionMs: HOUR, knownAt, methods: [{ name: 'spy', forecaster: spy }], horizon: 24, lead: 12, firstOrigin: 28 * 24 + 12 });
    // at noon on day 28 the rest of day 28 is known; the forecast day 29 itself is never in the history
    expect(seen[0]).toEqual({ n: 29 * 24, first: 29 * 24, last: values[29 * 24 - 1] });
  });

  it('regressor beliefs are read as of each origin: a forecast revised later is not used', () => {
    const beliefs: Belief[] = [
      { slot: 5, beliefTime: 100, value: 1 },
      { slot: 5, beliefTime: 200, value: 2 },
      { slot: 6, beliefTime: 300, value: 3 },
    ];
    expect(beliefsAsOf(beliefs, 150, 8)).toEqual([null, null, null, null, null, 1, null, null]);
    expect(beliefsAsOf(beliefs, 300, 8).slice(5, 7)).toEqual([2, 3]);
    const replay = replayBeliefs(beliefs, (n) => (n === 4 ? 150 : 1000));
    expect([...replay({ history: [0, 0, 0, 0], start: 0, resolutionMs: 1, first: 5, horizon: 2 })]).toEqual([1, NaN]);
  });

  it('skill is measured against the reference per horizon step; a perfect forecaster has skill 1', () => {
    const values = series(35);
    const oracle: Forecaster = (inp) => Float64Array.from({ length: inp.horizon }, (_, k) => values[inp.first + k]);
    const r = backtest({ values, start: START, resolutionMs: HOUR, methods: [{ name: 'oracle', forecaster: oracle }, 'persistence'], horizon: 24 });
    const o = r.methods.find((m) => m.method === 'oracle')!;
    expect(o.overall.mae).toBe(0);
    expect(o.overall.skill).toBe(1);
    expect(o.byHorizon).toHaveLength(24);
    expect(o.byHorizon.every((h) => h.skill === 1 && h.count === r.origins)).toBe(true);
    expect(r.methods[0].method).toBe('seasonal-naive-day');
    expect(r.methods[0].overall.skill).toBe(0);
  });
});

describe('day-ahead on the real household load', () => {
  it('the regression beats seasonal naive in squared error over a year of daily origins', () => {
    const s = parseGenericCsv(readFileSync('../shared/data/household-emhass-fr/long_train_data.csv', 'utf8'), { unit: 'W', timestampColumn: 'timestamp_utc', valueColumns: ['sensor.power_load_no_var_loads'] }).series[0];
    const r = backtest({ values: s.values, start: s.start, resolutionMs: s.resolutionMs, timeZone: 'Europe/Paris', methods: ['regression'], horizon: 48, firstOrigin: 28 * 48 + 6, every: 48 * 2 });
    const reg = r.methods.find((m) => m.method === 'regression')!;
    expect(r.origins).toBeGreaterThan(150);
    expect(reg.overall.skillRmse).toBeGreaterThan(0.1);
    expect(reg.overall.mae).toBeLessThan(r.methods[0].overall.mae);
  });
});
