import type { Rejection } from './types.ts';
import { formatDuration } from '../../core/time.ts';

/** Timed rows on their way to a dense series: one instant and the line it came from. */
export interface TimedRow {
  t: number;
  line: number;
}

export interface Grid {
  start: number;
  length: number;
  /** For each accepted row (by index into the input), its slot index; -1 when rejected. */
  slotOf: Int32Array;
}

/**
 * Places rows on a regular grid of `resolutionMs` starting at the earliest instant. Rows off the grid
 * and second rows for the same slot are rejected with their line and the reason.
 */
export function placeOnGrid(rows: readonly TimedRow[], resolutionMs: number, rejected: Rejection[]): Grid {
  const slotOf = new Int32Array(rows.length).fill(-1);
  if (rows.length === 0) return { start: 0, length: 0, slotOf };
  let start = Infinity;
  let end = -Infinity;
  for (const r of rows) {
    if (r.t < start) start = r.t;
    if (r.t > end) end = r.t;
  }
  const length = Math.floor((end - start) / resolutionMs) + 1;
  const firstLine = new Int32Array(length).fill(0);
  for (let i = 0; i < rows.length; i++) {
    const off = rows[i].t - start;
    if (off % resolutionMs !== 0) {
      rejected.push({ line: rows[i].line, reason: `timestamp is not on the ${formatDuration(resolutionMs)} grid starting ${new Date(start).toISOString()}` });
      continue;
    }
    const k = off / resolutionMs;
    if (firstLine[k] !== 0) {
      rejected.push({ line: rows[i].line, reason: `duplicate timestamp ${new Date(rows[i].t).toISOString()} (first on line ${firstLine[k]})` });
      continue;
    }
    firstLine[k] = rows[i].line;
    slotOf[i] = k;
  }
  return { start, length, slotOf };
}

/** A dense array of `length` nulls. */
export function nulls(length: number): (number | null)[] {
  return new Array<number | null>(length).fill(null);
}
