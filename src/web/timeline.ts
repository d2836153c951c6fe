import { DateTime } from 'luxon';
import { parseDuration } from '../core/time.ts';

/** A date range as the picker shows it: local calendar days in the site's time zone, both ends included. */
export interface DayRange {
  from: string; // YYYY-MM-DD
  to: string; // YYYY-MM-DD, inclusive
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isDay(text: string | null | undefined): text is string {
  return typeof text === 'string' && DAY.test(text) && DateTime.fromISO(text).isValid;
}

/** The instants (ISO with offset) that bound a day range: from local midnight of `from` to local midnight after `to`. */
export function rangeInstants(range: DayRange, timeZone: string): { start: string; end: string } {
  const start = DateTime.fromISO(range.from, { zone: timeZone }).startOf('day');
  const end = DateTime.fromISO(range.to, { zone: timeZone }).startOf('day').plus({ days: 1 });
  return { start: start.toISO({ suppressMilliseconds: true })!, end: end.toISO({ suppressMilliseconds: true })! };
}

/** The seven days ending on `lastDay` (inclusive). */
export function weekEnding(lastDay: string): DayRange {
  return { from: shiftDay(lastDay, -6), to: lastDay };
}

/** Adds whole calendar days to a YYYY-MM-DD date. */
export function shiftDay(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** Moves a range by its own length (direction -1 = earlier, +1 = later). */
export function shiftRange(range: DayRange, direction: -1 | 1): DayRange {
  const days = daysIn(range) * direction;
  return { from: shiftDay(range.from, days), to: shiftDay(range.to, days) };
}

/** Number of calendar days in a range, both ends counted. */
export function daysIn(range: DayRange): number {
  const a = DateTime.fromISO(range.from, { zone: 'UTC' });
  const b = DateTime.fromISO(range.to, { zone: 'UTC' });
  return Math.round(b.diff(a, 'days').days) + 1;
}

/** Checks a range a person typed; returns a message naming the field, or null when it is fine. */
export function rangeProblem(range: { from?: string | null; to?: string | null }): string | null {
  if (!isDay(range.from)) return 'From: enter a date';
  if (!isDay(range.to)) return 'To: enter a date';
  if (range.to < range.from) return 'To: must not be before From';
  if (daysIn(range as DayRange) > 3 * 366) return 'To: choose at most three years';
  return null;
}

/** Slot start times in Unix seconds (uPlot's x values) for a series starting at `start`. */
export function slotTimes(start: string, resolution: string, count: number): number[] {
  const t0 = DateTime.fromISO(start, { setZone: true });
  if (!t0.isValid) throw new Error(`start: "${start}" is not an ISO timestamp`);
  const step = parseDuration(resolution);
  const first = t0.toMillis();
  const times = new Array<number>(count);
  for (let i = 0; i < count; i++) times[i] = (first + i * step) / 1000;
  return times;
}

/** The local calendar day (in `timeZone`) of the last slot that holds a value, or null when all are missing. */
export function lastDayWithData(start: string, resolution: string, values: readonly (number | null)[], timeZone: string): string | null {
  for (let i = values.length - 1; i >= 0; i--) {
    if (values[i] !== null && values[i] !== undefined) {
      const ms = DateTime.fromISO(start, { setZone: true }).toMillis() + i * parseDuration(resolution);
      return DateTime.fromMillis(ms, { zone: timeZone }).toISODate();
    }
  }
  return null;
}

/** The earliest of the sensors' last days with data: a week ending there shows data for all of them. */
export function commonLastDay(lastDays: readonly (string | null)[]): string | null {
  const known = lastDays.filter((d): d is string => d !== null).sort();
  return known[0] ?? null;
}

/** Resolutions the chart falls back to when a range holds more slots than a chart should draw. */
const COARSER = ['PT15M', 'PT30M', 'PT1H', 'PT3H', 'PT6H', 'P1D'];

/**
 * The resolution to request for a range: the sensor's own, unless that gives more than `maxPoints` slots;
 * then the first coarser one that fits.
 */
export function readResolution(native: string, rangeMs: number, maxPoints = 20_000): string {
  const nativeMs = parseDuration(native);
  if (rangeMs / nativeMs <= maxPoints) return native;
  for (const r of COARSER) {
    const ms = parseDuration(r);
    if (ms > nativeMs && rangeMs / ms <= maxPoints) return r;
  }
  return 'P1D';
}
