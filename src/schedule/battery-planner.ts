/**
 * One battery against prices, solved exactly without a solver: a dynamic programme over the stored energy whose
 * value functions are convex and piecewise linear, so each step is a merge of slope lists.
 *
 * Applies to a request of exactly one battery plus forecasts (inflexible loads, PV, curtailable or not), without a
 * peak charge, where in every slot 0 ≤ exportPrice ≤ importPrice. Why its answer is the HiGHS model's optimum:
 *
 * - Per slot, with y = forecasts + battery power the net power before curtailment, the site pays
 *   f(y) = Δt·importPrice·y above 0 and Δt·exportPrice·y down to −exportLimit; below that, curtailable PV must
 *   give way, at the model's tie-break ε per kW. Curtailing more than that never pays (f is nondecreasing above the
 *   limit, ε > 0), so f is convex with slopes ≥ −ε·Δt, and y ≥ −exportLimit − curtailable PV.
 * - The model runs a store in one direction per slot (it adds a binary wherever a solve shows both). With one
 *   direction, Δ = Δt·ηc·p for p ≥ 0 and Δt·p/ηd for p < 0, and the slot's cost as a function of Δ,
 *   g(Δ) = φ(p(Δ)) with φ(p) = f(forecasts + p) + ε·Δt·|p| + cycle·Δt·max(−p, 0), is convex: φ is convex with kinks
 *   at p = 0, where the site turns from export to import, and where curtailment ends; p ↦ Δ is increasing and
 *   linear on each side of 0; and at p = 0 the slope on the right is ≥ 0 (−ε + ε), while the slope on the left
 *   is ≤ 0 or, when positive, no more than the right one and multiplied by ηd ≤ 1/ηc.
 * - SoC targets and a soft band add convex penalties of the SoC; a hard band or the capacity bounds it.
 * - V_t(s) = h_t(s) + min over Δ of V_{t−1}((s − Δ)/keep) + g_t(Δ) on the bounds of slot t. Scaling, the
 *   infimal convolution (merge of the slope lists), clipping to the bounds and adding convex penalties keep V
 *   convex and piecewise linear, and every step is exact. The SoC at the end is where V's slope turns
 *   non-negative; walking the merged slope list of each step backwards splits it into the SoC before and Δ.
 *
 * This is the model with one direction in every slot: HiGHS' answer once its rounds have put binaries where its
 * linear programme mixed directions (with nonnegative prices that pays only where the export limit leaves no
 * other way to lower a SoC). The objective is the model's term for term (money, cycle cost, the ladder's
 * penalties, the tie-breaks ε through the store and on curtailable PV's columns), and property tests compare
 * both on random instances. Negative prices (where the store's cost of Δ is not convex: burning energy pays),
 * export paying more than import, a peak charge, any other asset, and SoC bounds that leave no path within 1e-9
 * go to HiGHS, which also names the conflict.
 */
import type { Battery, Problem } from '../flex/types.ts';
import type { Ladder } from './ladder.ts';

/** A convex piecewise-linear function on [x0, x0 + Σ len]: value v0 at x0, segment slopes nondecreasing. */
interface Pwl {
  x0: number;
  v0: number;
  len: number[];
  slope: number[];
}

/** One step's merged slope list before clipping: which segments came from the stored energy (0) or from Δ (1). */
interface Step {
  ax0: number;
  gx0: number;
  len: number[];
  tag: Uint8Array;
}

export interface BatteryPlan {
  battery: Battery;
  /** kW at the meter, per slot */
  chargeKw: Float64Array;
  dischargeKw: Float64Array;
  /** PV curtailed to keep the export limit, kW per slot (over all curtailable PV) */
  curtailKw: Float64Array;
  /** kWh at the end of each slot */
  socKwh: Float64Array;
  /** the model's objective: money + cycle cost + penalties + tie-breaks */
  objective: number;
}

const TINY = 1e-12;

/** Net power of the forecasts (inflexible loads − all PV at full production), and the PV that may be curtailed, kW per slot. */
export function forecastsKw(p: Problem): { fixed: Float64Array; curtailable: Float64Array } {
  const fixed = new Float64Array(p.n);
  const curtailable = new Float64Array(p.n);
  for (const a of p.assets) {
    if (a.type === 'inflexible-load') for (let t = 0; t < p.n; t++) fixed[t] += a.forecastKw[t];
    else if (a.type === 'pv')
      for (let t = 0; t < p.n; t++) {
        fixed[t] -= a.forecastKw[t];
        if (a.curtailable && a.forecastKw[t] > 0) curtailable[t] += a.forecastKw[t];
      }
  }
  return { fixed, curtailable };
}

/** True when the request has the shape the battery planner solves exactly (see the top of this file). */
export function batteryPlannerApplies(p: Problem): boolean {
  if (p.peakPricePerKw > 0) return false;
  let battery: Battery | undefined;
  for (const a of p.assets) {
    if (a.type === 'battery') {
      if (battery) return false;
      battery = a;
    } else if (a.type !== 'inflexible-load' && a.type !== 'pv') return false;
  }
  // the backward pass divides by the share kept over a slot
  if (!battery || !(battery.keep > 0)) return false;
  for (let t = 0; t < p.n; t++) {
    const ep = p.exportPrice[t];
    if (!(ep >= 0 && ep <= p.importPrice[t])) return false;
  }
  return true;
}

/**
 * The slot's cost as a function of Δ (kWh into the store); undefined when the connection leaves no power.
 * The site's money at net power y = fixed + p before curtailment: importPrice above 0, exportPrice down to the
 * export limit, and below it the tie-break ε per kW of PV curtailed to stay within the limit (up to `curtailableKw`).
 */
function slotCost(b: Battery, dt: number, fixedKw: number, curtailableKw: number, ip: number, ep: number, importLimitKw: number, exportLimitKw: number, epsilon: number): Pwl | undefined {
  const lo = Math.max(-b.dischargeMaxKw, -exportLimitKw - curtailableKw - fixedKw);
  let hi = Math.min(b.chargeMaxKw, importLimitKw - fixedKw);
  // within the diagnosis' tolerance a limit met exactly is met
  if (lo > hi + 1e-9) return undefined;
  if (lo > hi) hi = lo;
  // kinks: where curtailment ends, where the site turns from export to import, where the battery turns
  const curtailEnds = -exportLimitKw - fixedKw;
  const importStarts = -fixedKw;
  const kinks = importStarts <= 0 ? [curtailEnds, importStarts, 0] : curtailEnds <= 0 ? [curtailEnds, 0, importStarts] : [0, curtailEnds, importStarts];
  const cuts = [lo];
  for (const k of kinks) if (k > cuts[cuts.length - 1] && k < hi) cuts.push(k);
  if (hi > cuts[cuts.length - 1]) cuts.push(hi);
  const len: number[] = [];
  const slope: number[] = [];
  const cycle = b.cycleCostPerKwh;
  for (let k = 0; k + 1 < cuts.length; k++) {
    const a = cuts[k];
    const z = cuts[k + 1];
    const mid = (a + z) / 2;
    const y = fixedKw + mid;
    const site = y > 0 ? ip : y >= -exportLimitKw ? ep : -epsilon;
    const sigma = (site + (mid > 0 ? epsilon : -(epsilon + cycle))) * dt;
    const l = toDelta(b, dt, z) - toDelta(b, dt, a);
    if (!(l > 0)) continue;
    len.push(l);
    slope.push(mid > 0 ? sigma / (b.etaCharge * dt) : (sigma * b.etaDischarge) / dt);
  }
  return { x0: toDelta(b, dt, lo), v0: siteMoney(fixedKw + lo, ip, ep, exportLimitKw, epsilon) * dt + (lo > 0 ? epsilon * lo : -(epsilon + cycle) * lo) * dt, len, slope };
}

/** Money per hour at net power y before curtailment, with the curtailment's tie-break below the export limit. */
function siteMoney(y: number, ip: number, ep: number, exportLimitKw: number, epsilon: number): number {
  if (y > 0) return ip * y;
  if (y >= -exportLimitKw) return ep * y;
  return -ep * exportLimitKw + epsilon * (-exportLimitKw - y);
}

/** kWh into the store over a slot at battery power `kw` (one direction). */
function toDelta(b: Battery, dt: number, kw: number): number {
  return kw >= 0 ? kw * b.etaCharge * dt : (kw * dt) / b.etaDischarge;
}

/** Merges the slope lists of `a` and `g` (their infimal convolution), remembering where each segment came from. */
function merge(a: Pwl, g: Pwl): { f: Pwl; step: Step } {
  const na = a.len.length;
  const ng = g.len.length;
  const len: number[] = new Array(na + ng);
  const slope: number[] = new Array(na + ng);
  const tag = new Uint8Array(na + ng);
  let i = 0;
  let j = 0;
  for (let k = 0; k < na + ng; k++) {
    if (j >= ng || (i < na && a.slope[i] <= g.slope[j])) {
      len[k] = a.len[i];
      slope[k] = a.slope[i++];
    } else {
      len[k] = g.len[j];
      slope[k] = g.slope[j++];
      tag[k] = 1;
    }
  }
  return { f: { x0: a.x0 + g.x0, v0: a.v0 + g.v0, len, slope }, step: { ax0: a.x0, gx0: g.x0, len, tag } };
}

/** Restricts f to [lo, hi]; undefined when they do not meet. */
function clip(f: Pwl, lo: number, hi: number): Pwl | undefined {
  let end = f.x0;
  for (const l of f.len) end += l;
  const tol = 1e-9 * (1 + Math.abs(lo) + Math.abs(hi));
  if (f.x0 > hi + tol || end < lo - tol) return undefined;
  let x = f.x0;
  let v = f.v0;
  let i = 0;
  const n = f.len.length;
  // move the start up to lo
  while (i < n && x + f.len[i] <= lo) {
    v += f.slope[i] * f.len[i];
    x += f.len[i];
    i++;
  }
  const len: number[] = [];
  const slope: number[] = [];
  let first = i < n && x < lo ? lo - x : 0;
  if (first > 0) {
    v += f.slope[i] * first;
    x = lo;
  }
  if (x > hi) return { x0: x, v0: v, len, slope };
  let at = x;
  for (; i < n; i++) {
    const l = Math.min(f.len[i] - first, hi - at);
    first = 0;
    if (l <= TINY) {
      if (hi - at <= TINY) break;
      continue;
    }
    const k = slope.length;
    if (k > 0 && slope[k - 1] === f.slope[i]) len[k - 1] += l;
    else {
      len.push(l);
      slope.push(f.slope[i]);
    }
    at += l;
  }
  return { x0: x, v0: v, len, slope };
}

/** Adds Σ w·max(0, a − s) over `below` and Σ w·max(0, s − b) over `above` to f. */
function addPenalties(f: Pwl, below: [number, number][], above: [number, number][]): Pwl {
  if (below.length === 0 && above.length === 0) return f;
  const x0 = f.x0;
  let v0 = f.v0;
  let base = 0;
  const events: [number, number][] = [];
  for (const [a, w] of below) {
    v0 += w * Math.max(0, a - x0);
    if (a > x0) {
      base -= w;
      events.push([a, w]);
    }
  }
  for (const [b, w] of above) {
    v0 += w * Math.max(0, x0 - b);
    if (b <= x0) base += w;
    else events.push([b, w]);
  }
  // by position (a few at most: no comparator closure in this per-slot path)
  for (let i = 1; i < events.length; i++)
    for (let j = i; j > 0 && events[j - 1][0] > events[j][0]; j--) [events[j - 1], events[j]] = [events[j], events[j - 1]];
  const len: number[] = [];
  const slope: number[] = [];
  let e = 0;
  let at = x0;
  let extra = base;
  for (let i = 0; i < f.len.length; i++) {
    let left = f.len[i];
    while (left > 0) {
      while (e < events.length && events[e][0] <= at + TINY) extra += events[e++][1];
      const next = e < events.length ? events[e][0] : Infinity;
      const l = Math.min(left, next - at);
      if (l > TINY) {
        len.push(l);
        slope.push(f.slope[i] + extra);
      }
      at += l;
      left -= l;
      if (left <= TINY) break;
    }
  }
  return { x0, v0, len, slope };
}

/**
 * The cheapest schedule of the request's battery (see the conditions above); undefined when the bounds leave no
 * feasible path, for HiGHS to name the conflict.
 */
export function planSingleBattery(p: Problem, ladder: Ladder): BatteryPlan | undefined {
  const b = p.assets.find((a): a is Battery => a.type === 'battery')!;
  const dt = p.dtH;
  const { fixed, curtailable } = forecastsKw(p);
  const hardBand = b.soc0 >= b.socMin && b.soc0 <= b.socMax && b.keep === 1;
  const lo = hardBand ? b.socMin : 0;
  const hi = hardBand ? b.socMax : b.capacityKwh;
  // soft wishes per slot: w·max(0, a − s) below, w·max(0, s − a) above
  const none: [number, number][] = [];
  const bandBelow: [number, number][] = hardBand ? none : [[b.socMin, ladder.band]];
  const bandAbove: [number, number][] = hardBand ? none : [[b.socMax, ladder.band]];
  const below = new Map<number, [number, number][]>();
  const above = new Map<number, [number, number][]>();
  for (const target of b.targets) {
    if (target.minKwh !== undefined) below.set(target.slot, [...(below.get(target.slot) ?? bandBelow), [target.minKwh, ladder.socTarget]]);
    if (target.maxKwh !== undefined) above.set(target.slot, [...(above.get(target.slot) ?? bandAbove), [target.maxKwh, ladder.socTarget]]);
  }
  const steps: Step[] = new Array(p.n);
  let v: Pwl = { x0: b.soc0, v0: 0, len: [], slope: [] };
  for (let t = 0; t < p.n; t++) {
    if (b.keep !== 1) {
      v.x0 *= b.keep;
      for (let i = 0; i < v.len.length; i++) {
        v.len[i] *= b.keep;
        v.slope[i] /= b.keep;
      }
    }
    const g = slotCost(b, dt, fixed[t], curtailable[t], p.importPrice[t], p.exportPrice[t], p.importLimitKw, p.exportLimitKw, ladder.epsilon);
    if (!g) return undefined;
    const { f, step } = merge(v, g);
    steps[t] = step;
    const clipped = clip(f, lo, hi);
    if (!clipped) return undefined;
    v = addPenalties(clipped, below.get(t) ?? bandBelow, above.get(t) ?? bandAbove);
  }
  // the end SoC: where the slope turns non-negative
  let s = v.x0;
  let objective = v.v0;
  for (let i = 0; i < v.len.length && v.slope[i] < 0; i++) {
    s += v.len[i];
    objective += v.slope[i] * v.len[i];
  }
  const socKwh = new Float64Array(p.n);
  const chargeKw = new Float64Array(p.n);
  const dischargeKw = new Float64Array(p.n);
  const curtailKw = new Float64Array(p.n);
  for (let t = p.n - 1; t >= 0; t--) {
    socKwh[t] = s;
    const { ax0, gx0, len, tag } = steps[t];
    let rest = s - ax0 - gx0;
    let y = ax0;
    let delta = gx0;
    for (let i = 0; i < len.length && rest > 0; i++) {
      const take = Math.min(len[i], rest);
      if (tag[i]) delta += take;
      else y += take;
      rest -= take;
    }
    if (delta >= 0) chargeKw[t] = delta / (b.etaCharge * dt);
    else dischargeKw[t] = (-delta * b.etaDischarge) / dt;
    // the model's curtailment columns cost ε·Δt per kW of power, which is −ε·Δt·forecast when nothing is curtailed
    curtailKw[t] = Math.min(curtailable[t], Math.max(0, -p.exportLimitKw - fixed[t] - chargeKw[t] + dischargeKw[t]));
    objective -= ladder.epsilon * dt * curtailable[t];
    s = y / b.keep;
  }
  return { battery: b, chargeKw, dischargeKw, curtailKw, socKwh, objective };
}
