import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expSmoothing, method, persistence, regression, seasonalNaive } from './methods.ts';
import { leastSquares } from './linalg.ts';
import type { ForecastInput } from './types.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2024-01-01T00:00:00Z'); // a Monday

/** Hourly series: a daily shape, a weekend drop, optional noise from a fixed generator. */
function load(days: number, noise = 0): number[] {
  let seed = 7;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * noise;
  return Array.from({ length: days * 24 }, (_, i) => {
    const hour = i % 24;
    const weekend = Math.floor(i / 24) % 7 >= 5 ? -3 : 0;
    return 10 + 5 * Math.sin((2 * Math.PI * hour) / 24) + weekend + rnd();
  });
}

function input(history: (number | null)[], horizon: number, lead = 0): ForecastInput {
  return { history, start: START, resolutionMs: HOUR, first: history.length + lead, horizon };
}

describe('forecasting methods', () => {
  it('persistence repeats the last known value, skipping trailing gaps', () => {
    expect([...persistence(input([1, 2, 3, null], 3))]).toEqual([3, 3, 3]);
  });

  it('seasonal naive (day) repeats yesterday, and the latest known day for a horizon past one day', () => {
    const h = load(14);
    const f = seasonalNaive(DAY)(input(h, 36));
    for (let k = 0; k < 36; k++) expect(f[k]).toBe(h[h.length - 24 + (k % 24)]);
  });

  it('seasonal naive (week) is exact on a weekly periodic series, and skips a missing week', () => {
    const h: (number | null)[] = load(28);
    const truth = load(29).slice(28 * 24);
    expect([...seasonalNaive(7 * DAY)(input(h, 24))]).toEqual(truth);
    for (let i = 21 * 24; i < 22 * 24; i++) h[i] = null;
    expect([...seasonalNaive(7 * DAY)(input(h, 24))]).toEqual(truth);
  });

  it('exponential smoothing forecasts a noiseless daily and weekly pattern almost exactly', () => {
    const all = load(63);
    const h = all.slice(0, 56 * 24);
    const f = expSmoothing()(input(h, 48));
    for (let k = 0; k < 48; k++) expect(f[k]).toBeCloseTo(all[h.length + k], 6);
  });

  it('regression learns a series driven by a regressor, with a lead time', () => {
    const days = 70;
    const temp = Array.from({ length: days * 24 }, (_, i) => 10 + 8 * Math.sin(i / 37) + 3 * Math.cos(i / 11));
    const y = load(days).map((v, i) => v - 0.8 * temp[i]);
    const n = 63 * 24 + 12;
    const f = regression()({ ...input(y.slice(0, n), 24, 12), regressors: [{ name: 'temperature', values: temp }] });
    for (let k = 0; k < 24; k++) expect(f[k]).toBeCloseTo(y[n + 12 + k], 2);
    const naive = seasonalNaive(DAY)(input(y.slice(0, n), 24, 12));
    const naiveError = Math.max(...Array.from(naive, (v, k) => Math.abs(v - y[n + 12 + k])));
    expect(naiveError).toBeGreaterThan(0.5);
  });

  it('refuses an unknown method by name', () => {
    expect(() => method('crystal-ball')).toThrow(/method: unknown method "crystal-ball"/);
  });
});

describe('least squares', () => {
  it('property: recovers the coefficients of an exact linear model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }),
        fc.integer({ min: 1, max: 1000 }),
        (beta, seed) => {
          const n = 40;
          const p = 3;
          let s = seed;
          const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647) * 2 - 1;
          const x = new Float64Array(n * p);
          const y = new Float64Array(n);
          for (let r = 0; r < n; r++) {
            x[r * p] = 1;
            x[r * p + 1] = rnd();
            x[r * p + 2] = rnd();
            y[r] = beta[0] + beta[1] * x[r * p + 1] + beta[2] * x[r * p + 2];
          }
          const b = leastSquares(x, y, n, p, 1e-12);
          for (let i = 0; i < p; i++) expect(b[i]).toBeCloseTo(beta[i], 5);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a singular problem is an actionable error', () => {
    const x = new Float64Array([1, 2, 1, 2, 1, 2]);
    expect(() => leastSquares(x, new Float64Array([1, 1, 1]), 3, 2, 0)).toThrow(/singular/);
  });
});
