import type { Quantity } from '../../core/units.ts';

/**
 * One dense, regular series read from a file: `values[i]` belongs to the slot starting at
 * `start + i * resolutionMs`; `null` marks a gap. `key` names what it belongs to (a price zone, a grid
 * node, a building field or a CSV column).
 */
export interface ParsedSeries {
  key: string;
  quantity: Quantity;
  unit: string;
  resolutionMs: number;
  /** Slot start of values[0], epoch ms (UTC). */
  start: number;
  values: (number | null)[];
  /** Belief time (epoch ms) of the whole series, when the format carries one (e.g. a forecast run). */
  beliefTime?: number;
  /** Belief time per value (forecast records such as WITS carry a run time per row); null where unknown. */
  beliefTimes?: (number | null)[];
  /** Extra facts from the file (auction sequence, schedule, document id). */
  meta?: Record<string, string>;
}

/** A row or element left out, with the 1-based line (as an editor shows it) and why. */
export interface Rejection {
  line: number;
  reason: string;
}

export interface ParseResult {
  series: ParsedSeries[];
  rejected: Rejection[];
}

/** The slot end (exclusive) of a parsed series. */
export function seriesEnd(s: ParsedSeries): number {
  return s.start + s.values.length * s.resolutionMs;
}
