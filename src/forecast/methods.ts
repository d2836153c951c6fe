import { invalid } from '../core/errors.ts';
import { Calendar } from './calendar.ts';
import { leastSquares } from './linalg.ts';
import type { ForecastInput, Forecaster } from './types.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

function slotsPer(periodMs: number, resolutionMs: number): number {
  if (periodMs % resolutionMs !== 0) throw invalid('resolution', `a ${resolutionMs / 60_000}-minute grid does not divide a day`);
  return periodMs / resolutionMs;
}

function lastKnown(h: ArrayLike<number | null>, before = h.length): number {
  for (let i = before - 1; i >= 0; i--) {
    const v = h[i];
    if (v !== null && !Number.isNaN(v)) return v;
  }
  return NaN;
}

/** Persistence: the last known value, for every slot ahead. */
export const persistence: Forecaster = ({ history, horizon }) => new Float64Array(horizon).fill(lastKnown(history));

/**
 * The value of slot `t` one or more whole periods back, the most recent one known before `n` (up to
 * four periods back when values are missing).
 */
function seasonalLag(h: ArrayLike<number | null>, t: number, period: number, n: number): number {
  let i = t - period * Math.max(1, Math.ceil((t - n + 1) / period));
  for (let k = 0; k < 4 && i >= 0; k++, i -= period) {
    const v = h[i];
    if (v !== null && v !== undefined && !Number.isNaN(v)) return v;
  }
  return NaN;
}

/** Seasonal naive: the same slot one period back (yesterday or last week), the latest such slot known. */
export function seasonalNaive(periodMs: number): Forecaster {
  return ({ history, resolutionMs, first, horizon }) => {
    const m = slotsPer(periodMs, resolutionMs);
    const out = new Float64Array(horizon);
    const fallback = lastKnown(history);
    for (let k = 0; k < horizon; k++) {
      const v = seasonalLag(history, first + k, m, history.length);
      out[k] = Number.isNaN(v) ? fallback : v;
    }
    return out;
  };
}

export interface SmoothingOptions {
  /** Level, daily and weekly smoothing weights, each in (0, 1). */
  alpha?: number;
  delta?: number;
  omega?: number;
  /** History used, in weeks (the start-up uses the first two). Default 8. */
  weeks?: number;
}

/**
 * Additive exponential smoothing with a daily and a weekly seasonal cycle (Taylor's double seasonal
 * Holt-Winters without trend). States start from the first two weeks of the window; a missing value
 * leaves the states as they are. The default weights (0.01, 0.2, 0.2) were the best of a small grid on
 * the household load of docs/data.md.
 */
export function expSmoothing(options: SmoothingOptions = {}): Forecaster {
  const alpha = options.alpha ?? 0.01;
  const delta = options.delta ?? 0.2;
  const omega = options.omega ?? 0.2;
  return ({ history, resolutionMs, first, horizon }) => {
    const m1 = slotsPer(DAY, resolutionMs);
    const m2 = slotsPer(WEEK, resolutionMs);
    const n = history.length;
    const from = Math.max(0, n - (options.weeks ?? 8) * m2);
    if (n - from < 2 * m2) return seasonalNaive(WEEK)({ history, resolutionMs, first, horizon, start: 0 });
    const d = new Float64Array(m1);
    const w = new Float64Array(m2);
    let level = initialise(history, from, m1, m2, d, w);
    for (let t = from + m2; t < n; t++) {
      const y = history[t];
      if (y === null || Number.isNaN(y)) continue;
      const di = t % m1;
      const wi = t % m2;
      const l = alpha * (y - d[di] - w[wi]) + (1 - alpha) * level;
      const dn = delta * (y - l - w[wi]) + (1 - delta) * d[di];
      w[wi] = omega * (y - l - d[di]) + (1 - omega) * w[wi];
      d[di] = dn;
      level = l;
    }
    const out = new Float64Array(horizon);
    for (let k = 0; k < horizon; k++) {
      const t = first + k;
      out[k] = level + d[t % m1] + w[t % m2];
    }
    return out;
  };
}

/** Level = mean of the first week; daily profile = mean by slot of day; weekly = the rest. Returns the level. */
function initialise(h: ArrayLike<number | null>, from: number, m1: number, m2: number, d: Float64Array, w: Float64Array): number {
  let sum = 0;
  let cnt = 0;
  for (let t = from; t < from + m2; t++) {
    const v = h[t];
    if (v !== null && !Number.isNaN(v)) {
      sum += v;
      cnt++;
    }
  }
  const level = cnt ? sum / cnt : 0;
  const ds = new Float64Array(m1);
  const dc = new Float64Array(m1);
  for (let t = from; t < from + m2; t++) {
    const v = h[t];
    if (v !== null && !Number.isNaN(v)) {
      ds[t % m1] += v - level;
      dc[t % m1]++;
    }
  }
  for (let i = 0; i < m1; i++) d[i] = dc[i] ? ds[i] / dc[i] : 0;
  for (let t = from; t < from + m2; t++) {
    const v = h[t];
    w[t % m2] = v !== null && !Number.isNaN(v) ? v - level - d[t % m1] : 0;
  }
  return level;
}

export interface RegressionOptions {
  /** Training window in weeks before the origin. Default 8. */
  weeks?: number;
  /** Ridge weight relative to the largest diagonal of X'X (keeps rare dummies solvable). Default 1e-7. */
  lambda?: number;
}

/**
 * Linear regression on calendar features (hour of day, day of week), lags (the same slot on the latest
 * day and week known at the origin, and the mean of the last day before the origin) and the given
 * regressors. It is trained on pseudo-origins one day apart in the window before the real origin, with
 * the same lead and horizon, so the lags it learns from are as old as the ones it forecasts with.
 */
export function regression(options: RegressionOptions = {}): Forecaster {
  return (input) => {
    const { history, resolutionMs, first, horizon } = input;
    const m1 = slotsPer(DAY, resolutionMs);
    const m2 = slotsPer(WEEK, resolutionMs);
    const n = history.length;
    const lead = first - n;
    const cal = new Calendar(input.timeZone);
    const regs = input.regressors ?? [];
    const p = 1 + 23 + 6 + 3 + regs.length;
    const features = (origin: number, t: number, row: Float64Array, at: number): boolean => {
      const ms = input.start + t * resolutionMs;
      row.fill(0, at, at + p);
      row[at] = 1;
      const hour = cal.hour(ms);
      if (hour > 0) row[at + hour] = 1;
      const wd = cal.weekday(ms);
      if (wd > 0) row[at + 23 + wd] = 1;
      const day = seasonalLag(history, t, m1, origin);
      const week = seasonalLag(history, t, m2, origin);
      const mean = meanOf(history, origin - m1, origin);
      if (Number.isNaN(day) || Number.isNaN(week) || Number.isNaN(mean)) return false;
      row[at + 30] = day;
      row[at + 31] = week;
      row[at + 32] = mean;
      for (let r = 0; r < regs.length; r++) {
        const v = regs[r].values[t];
        if (v === null || v === undefined || Number.isNaN(v)) return false;
        row[at + 33 + r] = v;
      }
      return true;
    };
    const days = (options.weeks ?? 8) * 7;
    const x = new Float64Array(days * horizon * p);
    const y = new Float64Array(days * horizon);
    let rows = 0;
    for (let k = days; k >= 1; k--) {
      const origin = n - k * m1;
      if (origin - m2 < 0) continue;
      for (let h = 0; h < horizon; h++) {
        const t = origin + lead + h;
        if (t >= n) break;
        const target = history[t];
        if (target === null || Number.isNaN(target)) continue;
        if (!features(origin, t, x, rows * p)) continue;
        y[rows++] = target;
      }
    }
    if (rows < 2 * p) return seasonalNaive(DAY)(input);
    const beta = leastSquares(x, y, rows, p, options.lambda ?? 1e-7);
    const fallback = seasonalNaive(DAY)(input);
    const row = new Float64Array(p);
    const out = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      if (!features(n, first + h, row, 0)) {
        out[h] = fallback[h];
        continue;
      }
      let s = 0;
      for (let i = 0; i < p; i++) s += beta[i] * row[i];
      out[h] = s;
    }
    return out;
  };
}

function meanOf(h: ArrayLike<number | null>, from: number, to: number): number {
  let s = 0;
  let c = 0;
  for (let i = Math.max(0, from); i < to; i++) {
    const v = h[i];
    if (v !== null && v !== undefined && !Number.isNaN(v)) {
      s += v;
      c++;
    }
  }
  return c ? s / c : NaN;
}

export const METHODS = ['persistence', 'seasonal-naive-day', 'seasonal-naive-week', 'exp-smoothing', 'regression'] as const;
export type MethodName = (typeof METHODS)[number];

/** The forecaster of a method name. */
export function method(name: MethodName | string): Forecaster {
  switch (name) {
    case 'persistence': return persistence;
    case 'seasonal-naive-day': return seasonalNaive(DAY);
    case 'seasonal-naive-week': return seasonalNaive(WEEK);
    case 'exp-smoothing': return expSmoothing();
    case 'regression': return regression();
    default: throw invalid('method', `unknown method "${name}"; use one of ${METHODS.join(', ')}`);
  }
}
