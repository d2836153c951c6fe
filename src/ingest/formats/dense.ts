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
  return placeTimes(rows.map((r) => r.t), rows.map((r) => r.line), rows.length, resolutionMs, rejected);
}

/** placeOnGrid over parallel arrays of instants and line numbers (the first `count` entries). */
export function placeTimes(times: ArrayLike<number>, lines: ArrayLike<number>, count: number, resolutionMs: number, rejected: Rejection[]): Grid {
  const slotOf = new Int32Array(count).fill(-1);
  if (count === 0) return { start: 0, length: 0, slotOf };
  let start = Infinity;
  let end = -Infinity;
  for (let i = 0; i < count; i++) {
    if (times[i] < start) start = times[i];
    if (times[i] > end) end = times[i];
  }
  const length = Math.floor((end - start) / resolutionMs) + 1;
  const firstLine = new Int32Array(length);
  for (let i = 0; i < count; i++) {
    const off = times[i] - start;
    if (off % resolutionMs !== 0) {
      rejected.push({ line: lines[i], reason: `timestamp is not on the ${formatDuration(resolutionMs)} grid starting ${new Date(start).toISOString()}` });
      continue;
    }
    const k = off / resolutionMs;
    if (firstLine[k] !== 0) {
      rejected.push({ line: lines[i], reason: `duplicate timestamp ${new Date(times[i]).toISOString()} (first on line ${firstLine[k]})` });
      continue;
    }
    firstLine[k] = lines[i];
    slotOf[i] = k;
  }
  return { start, length, slotOf };
}

/** A dense array of `length` nulls. */
export function nulls(length: number): (number | null)[] {
  return new Array<number | null>(length).fill(null);
}
