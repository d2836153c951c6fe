import { summarize } from './formats/summary.ts';
import type { ParseResult } from './formats/types.ts';

export interface DryRunSeries {
  /** The price zone or grid node (price series). */
  zone?: string;
  /** The building field or CSV column (every other series). */
  field?: string;
  key: string; quantity: string; unit: string; resolution: string; start: string; end: string;
  count: number; missing: number; values: (number | null)[];
  /** The forecast schedule (WITS PRSS or PRSL), where the file has one. */
  schedule?: string;
}

/** What `import --dry-run --json` prints: each series named by its zone or field, and the rejected rows. */
export function dryRunSummary(parsed: ParseResult): { series: DryRunSeries[]; rejected: { line: number; reason: string }[] } {
  const base = summarize(parsed);
  return {
    series: base.series.map((s, i) => {
      const p = parsed.series[i];
      const name = p.quantity === 'price' ? { zone: s.key } : { field: s.key };
      return { ...name, ...s, ...(p.meta?.schedule ? { schedule: p.meta.schedule } : {}) };
    }),
    rejected: base.rejected,
  };
}
