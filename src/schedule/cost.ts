import type { Problem } from '../flex/types.ts';

export interface SiteFlows {
  importKw: number[];
  exportKw: number[];
  energy: number;
  peak: number;
}

/** Import and export from the net site power (+ consumption), and what they cost. */
export function siteCost(p: Problem, net: ArrayLike<number>): SiteFlows {
  const importKw: number[] = new Array(p.n);
  const exportKw: number[] = new Array(p.n);
  let energy = 0;
  let peakKw = 0;
  for (let t = 0; t < p.n; t++) {
    const v = Math.abs(net[t]) < 1e-9 ? 0 : net[t];
    importKw[t] = v > 0 ? v : 0;
    exportKw[t] = v < 0 ? -v : 0;
    energy += (p.importPrice[t] * importKw[t] - p.exportPrice[t] * exportKw[t]) * p.dtH;
    peakKw = Math.max(peakKw, importKw[t]);
  }
  return { importKw, exportKw, energy, peak: p.peakPricePerKw * peakKw };
}
