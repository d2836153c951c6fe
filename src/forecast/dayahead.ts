import { Calendar } from './calendar.ts';
import type { BacktestOptions } from './backtest.ts';
import type { MethodName } from './methods.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DayAheadSetup {
  values: ArrayLike<number | null>;
  start: number;
  resolutionMs: number;
  timeZone: string;
  methods: MethodName[];
  /** Local hour of the forecast (the day-ahead gate closes at noon). Default 12. */
  originHour?: number;
  /**
   * Day-ahead prices: a delivery day's values become known at once, this long before its local midnight
   * (12:45 the day before = 11 h 15 min). Left out, a value is known at its slot end (meter data).
   */
  publishedBeforeDayMs?: number;
  /** Days of history before the first origin. Default 28. */
  warmupDays?: number;
  every?: number;
}

/**
 * A back-test of the day-ahead task: at `originHour` local time each day, forecast the whole next local
 * day (24 h from the coming midnight), using only what was known at that hour.
 */
export function dayAheadBacktest(s: DayAheadSetup): BacktestOptions {
  const cal = new Calendar(s.timeZone);
  const res = s.resolutionMs;
  const n = s.values.length;
  const hour = s.originHour ?? 12;
  const origins: number[] = [];
  const warm = Math.round(((s.warmupDays ?? 28) * DAY) / res);
  for (let i = warm; i < n; i++) {
    const ms = s.start + i * res;
    const wall = cal.local(ms);
    if (wall % DAY === hour * HOUR) origins.push(i);
  }
  const knownAt = s.publishedBeforeDayMs === undefined ? undefined : Float64Array.from({ length: n }, (_, i) => {
    const ms = s.start + i * res;
    const midnight = ms - (cal.local(ms) % DAY);
    return midnight - s.publishedBeforeDayMs!;
  });
  return {
    values: s.values, start: s.start, resolutionMs: res, timeZone: s.timeZone, knownAt, methods: s.methods,
    horizon: Math.round(DAY / res), lead: Math.round(((24 - hour) * HOUR) / res), origins: s.every ? origins.filter((_, k) => k % s.every! === 0) : origins,
  };
}
