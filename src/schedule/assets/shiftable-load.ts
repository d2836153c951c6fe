/** A shiftable load: one uninterrupted run, or steps spread over the window (in order); optional with maxCost. */
import type { ShiftableLoad } from '../../flex/types.ts';
import type { Term } from '../lp.ts';
import { emptyTerms, type AssetModel, type BuildContext } from './common.ts';

export function buildShiftable(l: ShiftableLoad, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const terms = emptyTerms(p.n);
  const k = l.profileKw.length;
  const energy = l.profileKw.reduce((s, v) => s + v, 0) * p.dtH;
  const notRunCost = l.optional ? l.maxCost : ladder.charge * Math.max(energy, 1e-3);
  const notRun = lp.addBinary(notRunCost);
  const uniform = l.profileKw.every((v) => v === l.profileKw[0]);
  if (!l.breakable) uninterruptedRun(l, ctx, terms, notRun);
  else if (uniform) spreadUniformSteps(l, ctx, terms, notRun);
  else spreadOrderedSteps(l, ctx, terms, notRun);
  const fits = l.endSlot - l.earliestSlot >= k;
  return {
    terms,
    constant: new Float64Array(p.n),
    maxAbsKw: Math.max(...l.profileKw),
    penaltyCols: l.optional ? [] : [[notRun, notRunCost]],
    cycleCols: [],
    unmet: (x) =>
      !l.optional && x[notRun] > 0.5
        ? [{ assetId: l.id, kind: 'not-run', amount: energy, unit: 'kWh', message: fits ? 'the run did not fit within the limits of its window' : `the window holds ${Math.max(0, l.endSlot - l.earliestSlot)} slot(s) of the horizon but the run needs ${k}` }]
        : [],
  };
}

function uninterruptedRun(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const starts: Term[] = [[notRun, 1]];
  for (let s = l.earliestSlot; s + k <= l.endSlot; s++) {
    const x = lp.addBinary();
    starts.push([x, 1]);
    for (let j = 0; j < k; j++) if (l.profileKw[j] !== 0) terms[s + j].push([x, l.profileKw[j]]);
  }
  lp.addRow(1, 1, starts);
}

/** Equal steps: any k slots of the window, at most one step per slot. */
function spreadUniformSteps(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const row: Term[] = [[notRun, k]];
  for (let t = l.earliestSlot; t < l.endSlot; t++) {
    const z = lp.addBinary();
    row.push([z, 1]);
    terms[t].push([z, l.profileKw[0]]);
  }
  lp.addRow(k, k, row);
}

/** Unequal steps keep their order: step j runs in a later slot than step j − 1, one step per slot. */
function spreadOrderedSteps(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const perSlot = new Map<number, Term[]>();
  let prevCum: Map<number, number> | undefined;
  for (let j = 0; j < k; j++) {
    const first = l.earliestSlot + j;
    const last = l.endSlot - k + j;
    const once: Term[] = [[notRun, 1]];
    const cum = new Map<number, number>();
    for (let t = first; t <= last; t++) {
      const y = lp.addBinary();
      once.push([y, 1]);
      terms[t].push([y, l.profileKw[j]]);
      if (!perSlot.has(t)) perSlot.set(t, []);
      perSlot.get(t)!.push([y, 1]);
      const c = lp.addCol(0, 0, 1);
      const row: Term[] = [[c, 1], [y, -1]];
      if (t > first) row.push([cum.get(t - 1)!, -1]);
      lp.addRow(0, 0, row);
      cum.set(t, c);
      if (prevCum) lp.addRow(-Infinity, 0, [[c, 1], [prevCum.get(t - 1)!, -1]]);
    }
    if (first <= last) lp.addRow(1, 1, once);
    prevCum = cum;
  }
  for (const row of perSlot.values()) if (row.length > 1) lp.addRow(-Infinity, 1, row);
  if (l.endSlot - l.earliestSlot < k) lp.addRow(1, 1, [[notRun, 1]]);
}
