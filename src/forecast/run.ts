import { invalid } from '../core/errors.ts';
import { parseDuration } from '../core/time.ts';
import { method, type MethodName } from './methods.ts';
import type { BacktestReport } from './backtest.ts';

export interface ForecastRequest {
  /** The sensor's values as known at `now` (read "as of" now), slot 0 at `start`. */
  values: ArrayLike<number | null>;
  start: number;
  resolutionMs: number;
  timeZone?: string;
  method: MethodName;
  /** ISO 8601 duration, e.g. PT48H. */
  horizon: string;
  /** The belief time of the forecast: the clock's now, passed in. */
  now: number;
  regressors?: { name: string; values: ArrayLike<number | null> }[];
}

export interface ForecastResult {
  /** Slot start of values[0]: the start of the first slot that has not begun at `now`. */
  start: number;
  resolutionMs: number;
  values: (number | null)[];
  beliefTime: number;
  method: MethodName;
}

/**
 * One forecast as the forecast job makes it: from the slots finished by `now`, the slots from the next
 * slot start over the horizon, with `now` as the belief time. Values a method cannot give are null.
 */
export function runForecast(r: ForecastRequest): ForecastResult {
  const horizonMs = parseDuration(r.horizon, 'horizon');
  const res = r.resolutionMs;
  if (r.now < r.start) throw invalid('now', 'is before the first value of the series');
  const finished = Math.min(r.values.length, Math.floor((r.now - r.start) / res));
  const first = Math.ceil((r.now - r.start) / res);
  const history: (number | null)[] = new Array(finished);
  for (let i = 0; i < finished; i++) {
    const v = r.values[i];
    history[i] = v === null || Number.isNaN(v) ? null : v;
  }
  const slots = Math.ceil(horizonMs / res);
  const f = method(r.method)({ history, start: r.start, resolutionMs: res, first, horizon: slots, timeZone: r.timeZone, regressors: r.regressors });
  return { start: r.start + first * res, resolutionMs: res, values: Array.from(f, (v) => (Number.isFinite(v) ? v : null)), beliefTime: r.now, method: r.method };
}

/** The metrics table `gridflex backtest` prints: one row per method, then skill by horizon for each. */
export function backtestTable(report: BacktestReport, resolutionMs: number, unit = ''): string {
  const pad = (s: string, n: number) => s.padStart(n);
  const num = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const lines = [
    `${report.origins} origins; skill against ${report.reference} (1 - MAE/MAE_ref; MSE-based in brackets)`,
    `${'method'.padEnd(22)}${pad(`MAE ${unit}`, 14)}${pad(`RMSE ${unit}`, 14)}${pad('sMAPE %', 9)}${pad('skill', 18)}`,
  ];
  for (const m of report.methods) {
    const o = m.overall;
    lines.push(`${m.method.padEnd(22)}${pad(num(o.mae, 2), 14)}${pad(num(o.rmse, 2), 14)}${pad(num(o.smape), 9)}${pad(`${num(o.skill, 3)} (${num(o.skillRmse, 3)})`, 18)}`);
  }
  const steps = report.methods[0]?.byHorizon.length ?? 0;
  const perBlock = Math.max(1, Math.round(steps / 4));
  lines.push('', `skill by hours ahead of the first forecast slot`);
  for (const m of report.methods) {
    const blocks: string[] = [];
    for (let b = 0; b < steps; b += perBlock) {
      const part = m.byHorizon.slice(b, b + perBlock);
      const mean = part.reduce((s, h) => s + h.skill, 0) / part.length;
      blocks.push(`${(b * resolutionMs) / 3_600_000}-${((b + part.length) * resolutionMs) / 3_600_000} h: ${num(mean, 3)}`);
    }
    lines.push(`${m.method.padEnd(22)}${blocks.join('  ')}`);
  }
  return lines.join('\n');
}
