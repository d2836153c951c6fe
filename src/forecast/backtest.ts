import { invalid } from '../core/errors.ts';
import { ErrorSums, skill, skillRmse, type Metrics } from './metrics.ts';
import { method, type MethodName } from './methods.ts';
import type { Belief, Forecaster } from './types.ts';

export interface BacktestOptions {
  /** The actual values, slot 0 at `start`. */
  values: ArrayLike<number | null>;
  start: number;
  resolutionMs: number;
  timeZone?: string;
  /**
   * When each actual became known (epoch ms per slot); default the slot end. A value is in the history of
   * an origin only when it was known at the origin.
   */
  knownAt?: ArrayLike<number>;
  /** Methods by name, or your own forecasters by label. */
  methods: (MethodName | { name: string; forecaster: Forecaster })[];
  /** The method skill is measured against. Default `seasonal-naive-day`. */
  reference?: MethodName;
  /** Slots forecast at each origin. */
  horizon: number;
  /** Slots between an origin and the first slot forecast (e.g. 12 h for a day-ahead made at noon). Default 0. */
  lead?: number;
  /** Index of the first origin (default four weeks in) and the step between origins (default one day). */
  firstOrigin?: number;
  every?: number;
  /** Explicit origin indexes (ascending); replaces firstOrigin and every. */
  origins?: number[];
  /** Regressors as beliefs (slot, belief time, value); each origin sees the latest belief made by then. */
  regressors?: { name: string; beliefs: Belief[] }[];
  /** Keep every forecast in the result (for charts and tests). */
  keepForecasts?: boolean;
}

export type Scored = Metrics & { skill: number; skillRmse: number };

export interface MethodReport {
  method: string;
  /** `skill` compares MAE with the reference's, `skillRmse` compares squared errors. */
  overall: Scored;
  /** One entry per horizon step (0 = the first slot forecast). */
  byHorizon: Scored[];
  forecasts?: { origin: number; first: number; values: Float64Array }[];
}

export interface BacktestReport {
  reference: string;
  origins: number;
  methods: MethodReport[];
}

/**
 * The latest belief per slot made at or before `asOf` (null where none): "as of" reading, so a back-test
 * never sees the future.
 */
export function beliefsAsOf(beliefs: readonly Belief[], asOf: number, length: number): (number | null)[] {
  const out: (number | null)[] = new Array(length).fill(null);
  const when = new Float64Array(length).fill(-Infinity);
  for (const b of beliefs) {
    if (b.beliefTime > asOf || b.slot < 0 || b.slot >= length) continue;
    if (b.beliefTime >= when[b.slot]) {
      when[b.slot] = b.beliefTime;
      out[b.slot] = b.value;
    }
  }
  return out;
}

/** A forecaster that replays recorded forecasts (e.g. a feed's beliefs), as known at each origin. */
export function replayBeliefs(beliefs: readonly Belief[], originTime: (origin: number) => number): Forecaster {
  return ({ history, first, horizon }) => {
    const known = beliefsAsOf(beliefs, originTime(history.length), first + horizon);
    const out = new Float64Array(horizon);
    for (let k = 0; k < horizon; k++) out[k] = known[first + k] ?? NaN;
    return out;
  };
}

function scored(m: Metrics, ref: Metrics): Scored {
  return { ...m, skill: skill(m, ref), skillRmse: skillRmse(m, ref) };
}

/**
 * The history of an origin: the actuals known at its time, nulls for the rest. It runs up to the origin,
 * and on through the slots after it that were already known then (day-ahead prices published before the
 * origin), so a method sees today's published prices when it forecasts tomorrow's.
 */
function historyAt(o: BacktestOptions, origin: number, originTime: number, first: number): (number | null)[] {
  const knownAt = (i: number) => (o.knownAt ? o.knownAt[i] : o.start + (i + 1) * o.resolutionMs);
  let end = origin;
  while (end < first && knownAt(end) <= originTime) end++;
  const h: (number | null)[] = new Array(end);
  for (let i = 0; i < end; i++) {
    const v = o.values[i];
    h[i] = knownAt(i) <= originTime && v !== null && !Number.isNaN(v) ? v : null;
  }
  return h;
}

/**
 * Rolling-origin back-test: at each origin every method forecasts from the history known then, and is
 * scored against the actuals of the slots it forecast. Reports MAE, RMSE, sMAPE and the skill against
 * the reference, overall and per horizon step. A slot whose actual is missing is not scored; a forecast
 * slot every method cannot say (NaN) is not scored for any method, so all compare on the same slots.
 */
export function backtest(o: BacktestOptions): BacktestReport {
  const n = o.values.length;
  const lead = o.lead ?? 0;
  const every = o.every ?? Math.round(86_400_000 / o.resolutionMs);
  const firstOrigin = o.firstOrigin ?? 28 * Math.round(86_400_000 / o.resolutionMs);
  if (!(o.horizon >= 1)) throw invalid('horizon', 'must be at least one slot');
  if (!(every >= 1)) throw invalid('every', 'must be at least one slot');
  const refName = o.reference ?? 'seasonal-naive-day';
  const entries = [{ name: refName, forecaster: method(refName) }, ...o.methods.map((m) => (typeof m === 'string' ? { name: m, forecaster: method(m) } : m))];
  const sums = entries.map(() => ({ all: new ErrorSums(), byH: Array.from({ length: o.horizon }, () => new ErrorSums()) }));
  const kept: MethodReport['forecasts'][] = entries.map(() => []);
  let origins = 0;
  const originList = o.origins ?? Array.from({ length: Math.max(0, Math.floor((n - lead - o.horizon - firstOrigin) / every) + 1) }, (_, k) => firstOrigin + k * every);
  for (const origin of originList) {
    if (origin < 0 || origin + lead + o.horizon > n) continue;
    const originTime = o.start + origin * o.resolutionMs;
    const history = historyAt(o, origin, originTime, origin + lead);
    const regressors = o.regressors?.map((r) => ({ name: r.name, values: beliefsAsOf(r.beliefs, originTime, origin + lead + o.horizon) }));
    const input = { history, start: o.start, resolutionMs: o.resolutionMs, first: origin + lead, horizon: o.horizon, timeZone: o.timeZone, regressors };
    const forecasts = entries.map((e) => e.forecaster(input));
    origins++;
    for (let h = 0; h < o.horizon; h++) {
      const actual = o.values[origin + lead + h];
      if (actual === null || Number.isNaN(actual)) continue;
      if (forecasts.some((f) => Number.isNaN(f[h]))) continue;
      forecasts.forEach((f, m) => {
        sums[m].all.add(f[h], actual);
        sums[m].byH[h].add(f[h], actual);
      });
    }
    if (o.keepForecasts) forecasts.forEach((f, m) => kept[m]!.push({ origin, first: origin + lead, values: f }));
  }
  const ref = sums[0];
  const reports = entries.map((e, m) => {
    const overall = sums[m].all.metrics();
    const r: MethodReport = {
      method: e.name,
      overall: scored(overall, ref.all.metrics()),
      byHorizon: sums[m].byH.map((s, h) => scored(s.metrics(), ref.byH[h].metrics())),
    };
    if (o.keepForecasts) r.forecasts = kept[m];
    return r;
  });
  const seen = new Set<string>();
  return { reference: refName, origins, methods: reports.filter((r) => (seen.has(r.method) ? false : (seen.add(r.method), true))) };
}
