/**
 * The site model: every asset's part, the import/export balance per slot, the connection limits and the
 * peak charge. Binaries only where needed: charge/discharge exclusivity in slots where burning energy
 * could pay (a negative price) or where a solve showed both directions at once, import/export exclusivity
 * where export pays more than import, and the on/off devices and runs of the assets themselves.
 */
import type { Highs } from 'highs';
import type { Problem } from '../flex/types.ts';
import { buildAsset, type AssetModel } from './assets/index.ts';
import { solveArrays, type LpSolution, type SolveSettings } from './highs.ts';
import type { Ladder } from './ladder.ts';
import { LpBuilder, type Term } from './lp.ts';

export interface SiteModel {
  lp: LpBuilder;
  assets: AssetModel[];
  imp: number[];
  exp: number[];
}

/** Slots where a store might gain by charging and discharging at once: a price below zero. */
export function negativePriceSlots(p: Problem): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < p.n; t++) if (p.importPrice[t] < 0 || p.exportPrice[t] < 0) out.add(t);
  return out;
}

export function buildSiteModel(p: Problem, ladder: Ladder, binarySlots: Set<number>[]): SiteModel {
  const lp = new LpBuilder();
  const assets = p.assets.map((a, i) => buildAsset(a, { lp, p, ladder, binarySlots: binarySlots[i] }));
  const bigM = assets.reduce((s, a) => s + a.maxAbsKw, 0) + 1;
  const peak = p.peakPricePerKw > 0 ? lp.addCol(p.peakPricePerKw, 0, Infinity) : -1;
  const imp: number[] = [];
  const exp: number[] = [];
  const fixedIds = p.assets.filter((a) => a.type === 'inflexible-load' || (a.type === 'pv' && !a.curtailable)).map((a) => a.id).join(', ');
  const importLabel = `context.importLimitKw ${p.importLimitKw} kW`;
  const exportLabel = `context.exportLimitKw ${p.exportLimitKw} kW`;
  const fixedLabel = `the fixed power of ${fixedIds}`;
  for (let t = 0; t < p.n; t++) {
    const i = lp.addCol(p.importPrice[t] * p.dtH, 0, Math.min(p.importLimitKw, bigM));
    const e = lp.addCol(-p.exportPrice[t] * p.dtH, 0, Math.min(p.exportLimitKw, bigM));
    if (Number.isFinite(p.importLimitKw)) lp.label('col', i, importLabel, t);
    if (Number.isFinite(p.exportLimitKw)) lp.label('col', e, exportLabel, t);
    const row: Term[] = [[i, 1], [e, -1]];
    let constant = 0;
    for (const a of assets) {
      constant += a.constant[t];
      for (const [col, coef] of a.terms[t]) row.push([col, -coef]);
    }
    const balance = lp.addRow(constant, constant, row);
    if (constant !== 0) lp.label('row', balance, fixedLabel, t);
    if (p.exportPrice[t] > p.importPrice[t]) siteExclusive(lp, i, e, Math.min(p.importLimitKw, bigM), Math.min(p.exportLimitKw, bigM));
    if (peak >= 0) lp.addRow(-Infinity, 0, [[i, 1], [peak, -1]]);
    imp.push(i);
    exp.push(e);
  }
  return { lp, assets, imp, exp };
}

function siteExclusive(lp: LpBuilder, imp: number, exp: number, impMax: number, expMax: number): void {
  const w = lp.addBinary();
  lp.addRow(-Infinity, 0, [[imp, 1], [w, -impMax]]);
  lp.addRow(-Infinity, expMax, [[exp, 1], [w, expMax]]);
}

/** Slots, per asset, where the solution charges and discharges at once. */
function simultaneousFlows(model: SiteModel, x: Float64Array): Set<number>[] {
  return model.assets.map((a) => {
    const slots = new Set<number>();
    for (const pair of a.pairs ?? []) if (pair.charge >= 0 && x[pair.charge] > 1e-6 && x[pair.discharge] > 1e-6) slots.add(pair.slot);
    return slots;
  });
}

export interface SolvedSite {
  model: SiteModel;
  solution: LpSolution;
  rounds: number;
  /** HiGHS time over all rounds, ms */
  timeMs: number;
}

/**
 * Solves, and where a store charges and discharges in one slot, adds the exclusivity binary to exactly those
 * slots and solves again (at most three rounds).
 */
export function solveSite(highs: Highs, p: Problem, ladder: Ladder, settings: SolveSettings): SolvedSite {
  const initial = negativePriceSlots(p);
  const binarySlots = p.assets.map(() => new Set(initial));
  let rounds = 0;
  let timeMs = 0;
  for (;;) {
    rounds++;
    const model = buildSiteModel(p, ladder, binarySlots);
    const solution = solveArrays(highs, model.lp.toArrays(), settings);
    timeMs += solution.timeMs;
    if (solution.status !== 'optimal' && solution.status !== 'time-limit') return { model, solution, rounds, timeMs };
    const both = simultaneousFlows(model, solution.x);
    let added = 0;
    both.forEach((slots, i) => slots.forEach((t) => !binarySlots[i].has(t) && (binarySlots[i].add(t), added++)));
    if (added === 0 || rounds >= 3) return { model, solution, rounds, timeMs };
  }
}
