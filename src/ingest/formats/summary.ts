import { converter } from '../../core/units.ts';
import { formatDuration, formatInstant } from '../../core/time.ts';
import type { ParseResult, ParsedSeries, Rejection } from './types.ts';

/** What `gridflex import --dry-run --json` prints and the API's upload answers: the series that would be written. */
export interface ImportSummary {
  series: { key: string; quantity: string; unit: string; resolution: string; start: string; end: string; count: number; missing: number; values: (number | null)[] }[];
  rejected: Rejection[];
}

export function summarize(result: ParseResult): ImportSummary {
  return {
    series: result.series.map((s) => {
      const count = s.values.reduce<number>((n, v) => (v === null ? n : n + 1), 0);
      return {
        key: s.key, quantity: s.quantity, unit: s.unit, resolution: formatDuration(s.resolutionMs),
        start: formatInstant(s.start), end: formatInstant(s.start + s.values.length * s.resolutionMs),
        count, missing: s.values.length - count, values: s.values,
      };
    }),
    rejected: result.rejected,
  };
}

/**
 * The series in another unit of the same quantity (a sensor's unit). A unit that does not convert
 * (kWh to kW, EUR to NZD) is an error naming the series: nothing is written half.
 */
export function convertSeries(s: ParsedSeries, unit: string): ParsedSeries {
  const f = converter(s.unit, unit, `series "${s.key}" unit`);
  return { ...s, unit, values: s.values.map((v) => (v === null ? null : f(v))) };
}
