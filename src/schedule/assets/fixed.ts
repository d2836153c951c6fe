/** PV (curtailable or not) and inflexible loads: forecasts, not decisions, except curtailment. */
import type { InflexibleLoad, Pv } from '../../flex/types.ts';
import { emptyTerms, type AssetModel, type BuildContext } from './common.ts';

export function buildPv(pv: Pv, { lp, p, ladder }: BuildContext): AssetModel {
  const terms = emptyTerms(p.n);
  const constant = new Float64Array(p.n);
  for (let t = 0; t < p.n; t++) {
    if (pv.curtailable && pv.forecastKw[t] > 0) terms[t].push([lp.addCol(ladder.epsilon * p.dtH, -pv.forecastKw[t], 0), 1]);
    else constant[t] = -pv.forecastKw[t];
  }
  return { terms, constant, maxAbsKw: Math.max(0, ...pv.forecastKw), penaltyCols: [], cycleCols: [], unmet: () => [] };
}

export function buildInflexible(l: InflexibleLoad, { p }: BuildContext): AssetModel {
  return { terms: emptyTerms(p.n), constant: Float64Array.from(l.forecastKw), maxAbsKw: Math.max(0, ...l.forecastKw.map(Math.abs)), penaltyCols: [], cycleCols: [], unmet: () => [] };
}
