import { invalid } from '../core/errors.ts';
import { formatInstant, parseDuration, parseInstant } from '../core/time.ts';
import { converter } from '../core/units.ts';
import type { SeriesOrNumber } from './schema.ts';

/** The time grid a series is placed on. */
export interface Grid {
  start: number;
  resolutionMs: number;
  n: number;
  timezone: string;
}

/**
 * Places a series (or a constant) on the grid as one value per slot, converted to `toUnit`.
 * A coarser series is repeated (an hourly price holds for its four quarter-hours); a finer one is averaged.
 * Refuses, naming the field and the slots, a series that does not cover the horizon or has gaps.
 */
export function seriesOnGrid(input: SeriesOrNumber, grid: Grid, field: string, toUnit: string, defaultUnit = toUnit): Float64Array {
  const out = new Float64Array(grid.n);
  if (typeof input === 'number') {
    out.fill(converter(defaultUnit, toUnit, field)(input));
    return out;
  }
  const convert = converter(input.unit ?? defaultUnit, toUnit, `${field}.unit`);
  const resMs = input.resolution ? parseDuration(input.resolution, `${field}.resolution`) : grid.resolutionMs;
  const start = input.start ? parseInstant(input.start, `${field}.start`) : grid.start;
  const missing: number[] = [];
  for (let i = 0; i < grid.n; i++) {
    const value = meanOver(input.values, start, resMs, grid.start + i * grid.resolutionMs, grid.resolutionMs);
    if (value === null) missing.push(i);
    else out[i] = convert(value);
  }
  if (missing.length) throw invalid(field, describeMissing(missing, grid, input.values.length, start, resMs));
  return out;
}

/** Mean of the series values overlapping [from, from + length), weighted by overlap; null if any part is uncovered. */
function meanOver(values: readonly (number | null)[], start: number, resMs: number, from: number, length: number): number | null {
  const to = from + length;
  const first = Math.floor((from - start) / resMs);
  const last = Math.ceil((to - start) / resMs) - 1;
  if (first < 0 || last >= values.length) return null;
  let sum = 0;
  for (let k = first; k <= last; k++) {
    const v = values[k];
    if (v === null || v === undefined) return null;
    const a = Math.max(from, start + k * resMs);
    const b = Math.min(to, start + (k + 1) * resMs);
    sum += v * (b - a);
  }
  return sum / length;
}

function describeMissing(missing: number[], grid: Grid, count: number, start: number, resMs: number): string {
  const at = (i: number) => formatInstant(grid.start + i * grid.resolutionMs, grid.timezone);
  const coveredUntil = formatInstant(start + count * resMs, grid.timezone);
  const ranges = compactRanges(missing).map(([a, b]) => (a === b ? `${a} (${at(a)})` : `${a}–${b} (${at(a)} to ${at(b)})`));
  return `the series does not cover the horizon: values from ${formatInstant(start, grid.timezone)} until ${coveredUntil}, missing or null for slot(s) ${ranges.slice(0, 5).join(', ')}${ranges.length > 5 ? ', …' : ''}`;
}

function compactRanges(indices: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last && last[1] === i - 1) last[1] = i;
    else out.push([i, i]);
  }
  return out;
}
