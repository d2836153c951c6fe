/**
 * Finds hard limits that conflict before any solve: a slot where even every flexible asset at its lowest
 * (or highest) power cannot keep the site within its connection limits. Answers a reason a person can act on.
 */
import { formatInstant } from '../core/time.ts';
import type { FlexAsset, Problem } from '../flex/types.ts';

interface Range {
  min: number;
  max: number;
  fixed: number;
}

function powerRange(a: FlexAsset, t: number): Range {
  switch (a.type) {
    case 'battery':
      return { min: -a.dischargeMaxKw, max: a.chargeMaxKw, fixed: 0 };
    case 'ev-charger':
      return { min: -a.dischargeMaxKw * a.plugged[t], max: a.maxKw * a.plugged[t], fixed: 0 };
    case 'heat-pump':
      return { min: 0, max: a.maxKw, fixed: 0 };
    case 'shiftable-load':
      return { min: 0, max: Math.max(...a.profileKw), fixed: 0 };
    case 'pv':
      return a.curtailable ? { min: -a.forecastKw[t], max: 0, fixed: 0 } : { min: -a.forecastKw[t], max: -a.forecastKw[t], fixed: -a.forecastKw[t] };
    case 'inflexible-load':
      return { min: a.forecastKw[t], max: a.forecastKw[t], fixed: a.forecastKw[t] };
  }
}

/** The first conflict of hard limits found, or undefined. */
export function hardLimitConflict(p: Problem): string | undefined {
  for (let t = 0; t < p.n; t++) {
    let min = 0;
    let max = 0;
    for (const a of p.assets) {
      const r = powerRange(a, t);
      min += r.min;
      max += r.max;
    }
    if (min > p.importLimitKw + 1e-9)
      return `slot ${t} (${slotStart(p, t)}): the site needs at least ${min.toFixed(2)} kW (${fixedPowers(p, t) || 'fixed loads'}) with every flexible asset at its lowest power, above context.importLimitKw ${p.importLimitKw} kW`;
    if (max < -p.exportLimitKw - 1e-9)
      return `slot ${t} (${slotStart(p, t)}): the site must export at least ${(-max).toFixed(2)} kW (${fixedPowers(p, t) || 'non-curtailable production'}) with every flexible asset at its highest power, above context.exportLimitKw ${p.exportLimitKw} kW; make the PV curtailable or raise the limit`;
  }
  return undefined;
}

function slotStart(p: Problem, t: number): string {
  return formatInstant(p.start + t * p.resolutionMs, p.timezone);
}

/** The fixed powers of slot t, named: "house 20.00 kW, roof -3.00 kW". */
function fixedPowers(p: Problem, t: number): string {
  const named: string[] = [];
  for (const a of p.assets) {
    const fixed = powerRange(a, t).fixed;
    if (fixed !== 0) named.push(`${a.id} ${fixed.toFixed(2)} kW`);
  }
  return named.join(', ');
}
