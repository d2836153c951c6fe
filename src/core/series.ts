import { invalid } from './errors.ts';
import type { Quantity } from './units.ts';

/** How values of a quantity combine when slots are merged: energy adds up, the rest averages. */
export type Aggregation = 'sum' | 'mean';

export function aggregationOf(quantity: Quantity): Aggregation {
  return quantity === 'energy' ? 'sum' : 'mean';
}

/**
 * Resamples a regular series (`null` = missing) from one resolution to another that divides it or that
 * it divides. Downsampling: mean of the present values (missing if none), or the sum (missing if any slot is
 * missing, since a partial sum would understate the energy). Upsampling: repeats (mean) or splits evenly (sum).
 */
export function resample(values: readonly (number | null)[], fromMs: number, toMs: number, aggregation: Aggregation): (number | null)[] {
  if (fromMs === toMs) return values.slice();
  if (toMs > fromMs) {
    if (toMs % fromMs !== 0) throw invalid('resolution', `cannot resample from ${fromMs / 60000} min to ${toMs / 60000} min: not a whole multiple`);
    return downsample(values, toMs / fromMs, aggregation);
  }
  if (fromMs % toMs !== 0) throw invalid('resolution', `cannot resample from ${fromMs / 60000} min to ${toMs / 60000} min: not a whole divisor`);
  return upsample(values, fromMs / toMs, aggregation);
}

function downsample(values: readonly (number | null)[], k: number, aggregation: Aggregation): (number | null)[] {
  const out: (number | null)[] = new Array(Math.ceil(values.length / k));
  for (let o = 0; o < out.length; o++) {
    let sum = 0;
    let n = 0;
    let missing = false;
    for (let i = o * k; i < Math.min(values.length, (o + 1) * k); i++) {
      const v = values[i];
      if (v === null || Number.isNaN(v)) missing = true;
      else {
        sum += v;
        n++;
      }
    }
    if (aggregation === 'sum') out[o] = missing || n < k ? null : sum;
    else out[o] = n === 0 ? null : sum / n;
  }
  return out;
}

function upsample(values: readonly (number | null)[], k: number, aggregation: Aggregation): (number | null)[] {
  const out: (number | null)[] = new Array(values.length * k);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const w = v === null || Number.isNaN(v) ? null : aggregation === 'sum' ? v / k : v;
    for (let j = 0; j < k; j++) out[i * k + j] = w;
  }
  return out;
}
