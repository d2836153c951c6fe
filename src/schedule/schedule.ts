/**
 * `schedule(request, options?)`: the schedule of lowest cost that respects every hard limit, meets the wishes
 * where it can, and reports what it could not meet. Pure: no I/O, no clock (pass `now` to time the whole call).
 */
import type { Highs } from 'highs';
import { formatDuration, formatInstant } from '../core/time.ts';
import { normalizeRequest } from '../flex/normalize.ts';
import type { EvCharger, Problem, ShiftableLoad } from '../flex/types.ts';
import { batteryUnmet } from './assets/battery.ts';
import { baselineCost } from './baseline.ts';
import { batteryPlannerApplies, planSingleBattery } from './battery-planner.ts';
import { siteCost } from './cost.ts';
import { hardLimitConflict } from './diagnose.ts';
import { DEFAULT_SETTINGS, highsInstance, type SolveSettings } from './highs.ts';
import { penaltyLadder } from './ladder.ts';
import { solveSite, type SolvedSite } from './model.ts';
import { planSingleEv, singleEvPlannerApplies } from './planners.ts';
import { planSingleLoad, singleLoadPlannerApplies } from './load-planner.ts';
import type { AssetSchedule, ScheduleResult, Unmet } from './result.ts';

export interface ScheduleOptions {
  /** `auto` uses an exact fast planner when one applies; `highs` always builds the model. */
  method?: 'auto' | 'highs';
  /** Solver time limit, seconds (default 30). */
  timeLimitS?: number;
  /** Relative MIP gap at which HiGHS may stop (default 1e-4). */
  mipRelGap?: number;
  /** A monotonic clock in ms (e.g. performance.now) to report the whole call's time instead of HiGHS' own. */
  now?: () => number;
}

/** Validates the request (400 ProblemError naming the field) and schedules it. */
export async function schedule(request: unknown, options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const problem = normalizeRequest(request);
  return scheduleProblem(problem, await highsInstance(), options);
}

/** Schedules a normalised problem with a loaded HiGHS instance (synchronous). */
export function scheduleProblem(p: Problem, highs: Highs, options: ScheduleOptions = {}): ScheduleResult {
  const began = options.now?.();
  const settings: SolveSettings = { timeLimitS: options.timeLimitS ?? DEFAULT_SETTINGS.timeLimitS, mipRelGap: options.mipRelGap ?? DEFAULT_SETTINGS.mipRelGap };
  const conflict = hardLimitConflict(p);
  const auto = (options.method ?? 'auto') === 'auto';
  let result: ScheduleResult | undefined;
  if (conflict) result = infeasible(p, conflict, settings, 'diagnosis');
  else if (auto && singleEvPlannerApplies(p)) result = fromEvPlanner(p, settings);
  else if (auto && singleLoadPlannerApplies(p)) result = fromLoadPlanner(p, settings);
  else if (auto && batteryPlannerApplies(p)) result = fromBatteryPlanner(p, settings);
  result ??= fromHighs(p, highs, settings);
  if (began !== undefined) result.solver.timeMs = options.now!() - began;
  return result;
}

function envelope(p: Problem): Pick<ScheduleResult, 'start' | 'end' | 'resolution' | 'currency'> {
  return {
    start: formatInstant(p.start, p.timezone),
    end: formatInstant(p.start + p.n * p.resolutionMs, p.timezone),
    resolution: formatDuration(p.resolutionMs),
    currency: p.currency,
  };
}

function infeasible(p: Problem, reason: string, settings: SolveSettings, method: string): ScheduleResult {
  const baseline = baselineCost(p);
  return {
    status: 'infeasible',
    reason,
    ...envelope(p),
    assets: [],
    site: { importKw: [], exportKw: [] },
    cost: { total: 0, energy: 0, peak: 0, cycle: 0, penalty: 0 },
    baseline: { cost: baseline },
    saving: 0,
    unmet: [],
    solver: { method, timeMs: 0, mipGap: 0, timeLimitS: settings.timeLimitS, mipRelGap: settings.mipRelGap },
  };
}

function finish(p: Problem, assets: AssetSchedule[], cycle: number, penalty: number, unmet: Unmet[], solver: ScheduleResult['solver']): ScheduleResult {
  const net = new Float64Array(p.n);
  for (const a of assets) for (let t = 0; t < p.n; t++) net[t] += a.powerKw[t];
  const flows = siteCost(p, net);
  const total = flows.energy + flows.peak + cycle;
  const baseline = baselineCost(p);
  return {
    status: unmet.length ? 'unmet-wishes' : 'optimal',
    ...envelope(p),
    assets,
    site: { importKw: flows.importKw, exportKw: flows.exportKw },
    cost: { total, energy: flows.energy, peak: flows.peak, cycle, penalty },
    baseline: { cost: baseline },
    saving: baseline - total,
    unmet,
    solver,
  };
}

function clean(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => (Math.abs(v) < 1e-9 ? 0 : v));
}

function fromEvPlanner(p: Problem, settings: SolveSettings): ScheduleResult {
  const ev = p.assets[0] as EvCharger;
  const { powerKw, shortKwh } = planSingleEv(ev, p);
  const unmet: Unmet[] =
    shortKwh > 1e-4
      ? [{ assetId: ev.id, kind: 'energy', amount: shortKwh, unit: 'kWh', message: `${shortKwh.toFixed(2)} kWh of the ${ev.needInHorizonKwh.toFixed(2)} kWh needed cannot be charged by ${formatInstant(Math.min(ev.departure, p.start + p.n * p.resolutionMs), p.timezone)}` }]
      : [];
  const penalty = shortKwh * penaltyLadder(p).charge;
  return finish(p, [{ id: ev.id, type: ev.type, powerKw: clean(powerKw) }], 0, penalty, unmet, {
    method: 'planner:ev-cheapest-slots',
    timeMs: 0,
    mipGap: 0,
    timeLimitS: settings.timeLimitS,
    mipRelGap: settings.mipRelGap,
  });
}

function fromLoadPlanner(p: Problem, settings: SolveSettings): ScheduleResult {
  const l = p.assets[0] as ShiftableLoad;
  const plan = planSingleLoad(l, p);
  const energy = l.profileKw.reduce((s, v) => s + v, 0) * p.dtH;
  const missed = !plan.slots && !l.optional;
  const fits = l.endSlot - l.earliestSlot >= l.profileKw.length;
  const unmet: Unmet[] = missed
    ? [{ assetId: l.id, kind: 'not-run', amount: energy, unit: 'kWh', message: fits ? 'the run did not fit within the limits of its window' : `the window holds ${Math.max(0, l.endSlot - l.earliestSlot)} slot(s) of the horizon but the run needs ${l.profileKw.length}` }]
    : [];
  const penalty = missed ? penaltyLadder(p).charge * Math.max(energy, 1e-3) : 0;
  return finish(p, [{ id: l.id, type: l.type, powerKw: clean(plan.powerKw) }], 0, penalty, unmet, {
    method: 'planner:shiftable-load',
    timeMs: 0,
    mipGap: 0,
    timeLimitS: settings.timeLimitS,
    mipRelGap: settings.mipRelGap,
  });
}

/** The battery planner's schedule, or undefined (no feasible SoC path) for HiGHS to explain. */
function fromBatteryPlanner(p: Problem, settings: SolveSettings): ScheduleResult | undefined {
  const ladder = penaltyLadder(p);
  const plan = planSingleBattery(p, ladder);
  if (!plan) return undefined;
  const { battery: b, chargeKw, dischargeKw, socKwh } = plan;
  const power = new Float64Array(p.n);
  let cycle = 0;
  for (let t = 0; t < p.n; t++) {
    power[t] = chargeKw[t] - dischargeKw[t];
    cycle += b.cycleCostPerKwh * p.dtH * dischargeKw[t];
  }
  const hardBand = b.soc0 >= b.socMin && b.soc0 <= b.socMax && b.keep === 1;
  const band = hardBand ? [] : Array.from(socKwh, (s, t) => ({ t, under: Math.max(0, b.socMin - s), over: Math.max(0, s - b.socMax) }));
  const targets = b.targets.map((target) => ({ target, short: Math.max(0, (target.minKwh ?? -Infinity) - socKwh[target.slot]), excess: Math.max(0, socKwh[target.slot] - (target.maxKwh ?? Infinity)) }));
  let penalty = 0;
  for (const c of band) penalty += ladder.band * (c.under + c.over);
  for (const c of targets) penalty += ladder.socTarget * (c.short + c.excess);
  // curtailment, where the export limit asks for it, taken from the curtailable PV in the request's order
  const curtail = Float64Array.from(plan.curtailKw);
  const assets: AssetSchedule[] = p.assets.map((a) => {
    if (a === b) return { id: a.id, type: a.type, powerKw: clean(power), socKwh: clean(socKwh) };
    if (a.type === 'inflexible-load') return { id: a.id, type: a.type, powerKw: clean(a.forecastKw) };
    const pv = new Float64Array(p.n);
    for (let t = 0; t < p.n; t++) {
      const cut = a.type === 'pv' && a.curtailable ? Math.min(curtail[t], a.forecastKw[t]) : 0;
      curtail[t] -= cut;
      pv[t] = -(a as { forecastKw: Float64Array }).forecastKw[t] + cut;
    }
    return { id: a.id, type: a.type, powerKw: clean(pv) };
  });
  return finish(p, assets, cycle, penalty, batteryUnmet(b, p, targets, band), {
    method: 'planner:battery',
    objective: plan.objective,
    timeMs: 0,
    mipGap: 0,
    timeLimitS: settings.timeLimitS,
    mipRelGap: settings.mipRelGap,
  });
}

function fromHighs(p: Problem, highs: Highs, settings: SolveSettings): ScheduleResult {
  const ladder = penaltyLadder(p);
  const solved = solveSite(highs, p, ladder, settings);
  const { solution } = solved;
  const method = solution.isMip ? 'highs:milp' : 'highs:lp';
  if (solution.status !== 'optimal' && solution.status !== 'time-limit') {
    const reason =
      solution.status === 'no-solution'
        ? `no schedule found within the time limit of ${settings.timeLimitS} s; raise timeLimitS or shorten the horizon`
        : (conflictReason(p, solved) ??
          `the hard limits cannot all be met (HiGHS: ${solution.status}): check context.importLimitKw and context.exportLimitKw against the non-curtailable production, the inflexible loads and the assets' power limits`);
    const r = infeasible(p, reason, settings, method);
    r.solver.timeMs = solved.timeMs;
    return r;
  }
  return readSolution(p, solved, method, settings);
}

/** Names the hard limits of HiGHS' irreducible infeasible subset, grouped with the slots they bind in. */
function conflictReason(p: Problem, solved: SolvedSite): string | undefined {
  const conflict = solved.solution.conflict;
  if (!conflict) return undefined;
  const { lp } = solved.model;
  const limits = conflict.cols.flatMap(({ col, bound }) => {
    const label = lp.colLabels.get(col);
    return label && (bound === 'upper' || (bound === 'lower' && label.lowerIsLimit)) ? [label] : [];
  });
  const labels = [...conflict.rows.map((r) => lp.rowLabels.get(r)), ...limits];
  const slots = new Map<string, number[]>();
  for (const l of labels) if (l) slots.set(l.what, [...(slots.get(l.what) ?? []), ...(l.slot !== undefined ? [l.slot] : [])]);
  if (slots.size === 0) return undefined;
  const parts = [...slots].map(([what, ts]) => (ts.length ? `${what} (${slotRanges(p, ts)})` : what));
  return `these hard limits conflict: ${parts.join('; ')}`;
}

function slotRanges(p: Problem, slots: number[]): string {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const t of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && last[1] === t - 1) last[1] = t;
    else ranges.push([t, t]);
  }
  const at = (t: number) => formatInstant(p.start + t * p.resolutionMs, p.timezone);
  const text = ranges.slice(0, 4).map(([a, b]) => (a === b ? `slot ${a} at ${at(a)}` : `slots ${a}–${b} from ${at(a)}`));
  return text.join(', ') + (ranges.length > 4 ? ', …' : '');
}

function readSolution(p: Problem, solved: SolvedSite, method: string, settings: SolveSettings): ScheduleResult {
  const { model, solution } = solved;
  const x = solution.x;
  const assets: AssetSchedule[] = [];
  const unmet: Unmet[] = [];
  let cycle = 0;
  let penalty = 0;
  model.assets.forEach((m, i) => {
    const a = p.assets[i];
    const power = new Float64Array(p.n);
    for (let t = 0; t < p.n; t++) {
      let v = m.constant[t];
      for (const [col, coef] of m.terms[t]) v += coef * x[col];
      power[t] = v;
    }
    const state = m.state?.(x) ?? {};
    assets.push({ id: a.id, type: a.type, powerKw: clean(power), ...(state.socKwh ? { socKwh: clean(state.socKwh) } : {}), ...(state.temperatureC ? { temperatureC: state.temperatureC } : {}) });
    for (const [col, coef] of m.cycleCols) cycle += coef * x[col];
    for (const [col, coef] of m.penaltyCols) penalty += coef * x[col];
    unmet.push(...m.unmet(x));
  });
  return finish(p, assets, cycle, penalty, unmet, {
    method: solved.rounds > 1 ? `${method} (${solved.rounds} rounds)` : method,
    objective: solution.objective,
    timeMs: solved.timeMs,
    mipGap: solution.mipGap,
    timeLimitS: settings.timeLimitS,
    mipRelGap: settings.mipRelGap,
  });
}
