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
    const fixed: string[] = [];
    for (const a of p.assets) {
      const r = powerRange(a, t);
      min += r.min;
      max += r.max;
      if (r.fixed !== 0) fixed.push(a.id, r.fixed.toFixed(2));
    }
    const at = () => formatInstant(p.start + t * p.resolutionMs, p.timezone);
    const named = () => fixed.flatMap((v, i) => (i % 2 ? [] : [`${v} ${fixed[i + 1]} kW`])).join(', ');
    if (min > p.importLimitKw + 1e-9)
      return `slot ${t} (${at()}): the site needs at least ${min.toFixed(2)} kW (${named() || 'fixed loads'}) with every flexible asset at its lowest power, above context.importLimitKw ${p.importLimitKw} kW`;
    if (max < -p.exportLimitKw - 1e-9)
      return `slot ${t} (${at()}): the site must export at least ${(-max).toFixed(2)} kW (${named() || 'non-curtailable production'}) with every flexible asset at its highest power, above context.exportLimitKw ${p.exportLimitKw} kW; make the PV curtailable or raise the limit`;
  }
  return undefined;
}
