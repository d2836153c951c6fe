/**
 * The penalty ladder. Wishes are soft and priced so that meeting a wish always beats saving money, and a
 * higher rung always beats a lower one:
 *
 *   rung 1  battery SoC targets                    W        per kWh missed
 *   rung 2  EV charging need, must-run loads       10·W     per kWh missed
 *   rung 3  comfort (building band, heat demand)   100·W    per kWh of heat missed (÷ COP), per K·slot × C
 *   rung 4  a battery's own SoC band               1000·W   per kWh outside the band per slot
 *
 * W = 10 · S / ηmin, where S bounds what one kWh can be worth in money over the horizon (the largest import
 * plus the largest export price, the largest cycle cost and the peak price spread over one slot) and ηmin
 * is the smallest efficiency in the request: not delivering 1 kWh into a store saves at most S/ηmin.
 */
import type { Problem } from '../flex/types.ts';

export interface Ladder {
  /** per kWh of a missed SoC target */
  socTarget: number;
  /** per kWh of a missed EV need or must-run load energy */
  charge: number;
  /** per kWh of heat (thermal) missed, before dividing by the COP */
  comfort: number;
  /** per kWh outside a battery's band, per slot */
  band: number;
  /** tie-break per kWh moved through a store: never move energy for no gain */
  epsilon: number;
}

export function moneyScale(p: Problem): number {
  let maxImport = 0;
  let maxExport = 0;
  for (let t = 0; t < p.n; t++) {
    maxImport = Math.max(maxImport, Math.abs(p.importPrice[t]));
    maxExport = Math.max(maxExport, Math.abs(p.exportPrice[t]));
  }
  let cycle = 0;
  for (const a of p.assets) if (a.type === 'battery') cycle = Math.max(cycle, a.cycleCostPerKwh);
  return maxImport + maxExport + cycle + p.peakPricePerKw / p.dtH;
}

export function smallestEfficiency(p: Problem): number {
  let eta = 1;
  for (const a of p.assets) {
    if (a.type === 'battery' || a.type === 'ev-charger') eta = Math.min(eta, a.etaCharge, a.etaDischarge);
  }
  return eta;
}

export function penaltyLadder(p: Problem): Ladder {
  const scale = Math.max(moneyScale(p), 1e-3);
  const w = (10 * scale) / smallestEfficiency(p);
  return { socTarget: w, charge: 10 * w, comfort: 100 * w, band: 1000 * w, epsilon: scale * 1e-5 };
}
