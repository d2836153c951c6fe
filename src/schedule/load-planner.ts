/**
 * Exact planner for one shiftable load alone on the connection (no shared limit, no peak charge): the cost
 * of each step depends only on its slot, so
 * - one uninterrupted run: the cheapest start, by a scan over the window;
 * - breakable, equal steps: the cheapest slots of the window (ties to the earliest);
 * - breakable, unequal steps kept in order: dynamic programming over (step, slot).
 * An optional load runs only when that costs no more than its maxCost.
 */
import type { Problem, ShiftableLoad } from '../flex/types.ts';

export function singleLoadPlannerApplies(p: Problem): boolean {
  if (p.assets.length !== 1 || p.peakPricePerKw > 0) return false;
  const l = p.assets[0];
  return l.type === 'shiftable-load' && p.importLimitKw >= Math.max(...l.profileKw);
}

export interface LoadPlan {
  powerKw: Float64Array;
  /** Slot of each step, or undefined when the load does not run. */
  slots?: number[];
  cost: number;
}

export function planSingleLoad(l: ShiftableLoad, p: Problem): LoadPlan {
  const stepCost = (j: number, t: number) => l.profileKw[j] * p.importPrice[t] * p.dtH;
  const uniform = l.profileKw.every((v) => v === l.profileKw[0]);
  const found = !l.breakable ? cheapestStart(l, stepCost) : uniform ? cheapestSlotsOf(l, stepCost) : orderedSteps(l, stepCost);
  const powerKw = new Float64Array(p.n);
  if (!found || (l.optional && found.cost > l.maxCost)) return { powerKw, cost: 0 };
  found.slots.forEach((t, j) => (powerKw[t] = l.profileKw[j]));
  return { powerKw, slots: found.slots, cost: found.cost };
}

type StepCost = (step: number, slot: number) => number;

function cheapestStart(l: ShiftableLoad, cost: StepCost): { slots: number[]; cost: number } | undefined {
  const k = l.profileKw.length;
  let best: { slots: number[]; cost: number } | undefined;
  for (let s = l.earliestSlot; s + k <= l.endSlot; s++) {
    let c = 0;
    for (let j = 0; j < k; j++) c += cost(j, s + j);
    if (!best || c < best.cost - 1e-12) best = { slots: Array.from({ length: k }, (_, j) => s + j), cost: c };
  }
  return best;
}

function cheapestSlotsOf(l: ShiftableLoad, cost: StepCost): { slots: number[]; cost: number } | undefined {
  const k = l.profileKw.length;
  if (l.endSlot - l.earliestSlot < k) return undefined;
  const window = Array.from({ length: l.endSlot - l.earliestSlot }, (_, i) => l.earliestSlot + i);
  const slots = window.sort((a, b) => cost(0, a) - cost(0, b) || a - b).slice(0, k).sort((a, b) => a - b);
  return { slots, cost: slots.reduce((s, t, j) => s + cost(j, t), 0) };
}

/** best[j][t]: the cheapest placement of steps 0..j with step j in slot t, in order. */
function orderedSteps(l: ShiftableLoad, cost: StepCost): { slots: number[]; cost: number } | undefined {
  const k = l.profileKw.length;
  const w = l.endSlot - l.earliestSlot;
  if (w < k) return undefined;
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let j = 0; j < k; j++) {
    const row = new Float64Array(w).fill(Infinity);
    const back = new Int32Array(w).fill(-1);
    let runMin = Infinity;
    let runArg = -1;
    for (let i = j; i <= w - k + j; i++) {
      if (j > 0 && best[j - 1][i - 1] < runMin) {
        runMin = best[j - 1][i - 1];
        runArg = i - 1;
      }
      row[i] = (j === 0 ? 0 : runMin) + cost(j, l.earliestSlot + i);
      back[i] = runArg;
    }
    best.push(row);
    from.push(back);
  }
  let end = -1;
  for (let i = k - 1; i < w; i++) if (end < 0 || best[k - 1][i] < best[k - 1][end] - 1e-12) end = i;
  const slots = new Array<number>(k);
  for (let j = k - 1, i = end; j >= 0; i = from[j][i], j--) slots[j] = l.earliestSlot + i;
  return { slots, cost: best[k - 1][end] };
}
