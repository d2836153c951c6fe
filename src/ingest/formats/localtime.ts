import { IANAZone } from 'luxon';
import { invalid } from '../../core/errors.ts';

/**
 * Fast conversion of local wall-clock times to UTC for bulk parsing. Offsets are looked up once per
 * zone and quarter-hour and cached, so a million rows cost a million map look-ups, not a million
 * calendar computations.
 */
const BUCKET = 900_000;
const DAY = 86_400_000;
const caches = new Map<string, { zone: IANAZone; offsets: Map<number, number> }>();

function zoneCache(timeZone: string) {
  let c = caches.get(timeZone);
  if (!c) {
    if (!IANAZone.isValidZone(timeZone)) throw invalid('timeZone', `"${timeZone}" is not an IANA time zone such as Europe/Berlin`);
    c = { zone: IANAZone.create(timeZone), offsets: new Map() };
    caches.set(timeZone, c);
  }
  return c;
}

/**
 * UTC offset (ms) of `timeZone` at the instant `utcMs`. A UTC day whose start and end share an offset is
 * taken to have no clock change (two look-ups per day); other days are looked up per quarter-hour.
 */
export function zoneOffset(timeZone: string, utcMs: number): number {
  if (timeZone === 'UTC') return 0;
  const c = zoneCache(timeZone);
  const day = Math.floor(utcMs / DAY);
  let o = c.offsets.get(-1 - day);
  if (o === undefined) {
    const a = c.zone.offset(day * DAY) * 60_000;
    const b = c.zone.offset((day + 1) * DAY - 1) * 60_000;
    o = a === b ? a : NaN;
    c.offsets.set(-1 - day, o);
  }
  if (!Number.isNaN(o)) return o;
  const bucket = Math.floor(utcMs / BUCKET);
  let q = c.offsets.get(bucket);
  if (q === undefined) {
    q = c.zone.offset(bucket * BUCKET) * 60_000;
    c.offsets.set(bucket, q);
  }
  return q;
}

export type Fold = 'earlier' | 'later';

/**
 * The UTC instant of a local wall-clock time (`localMs` = the wall clock read as if it were UTC).
 * Returns null for a time that does not exist (skipped by a spring clock change). A repeated autumn
 * time is read as its earlier instant unless `fold` is `later`.
 */
export function localToUtc(localMs: number, timeZone: string, fold: Fold = 'earlier'): number | null {
  if (timeZone === 'UTC') return localMs;
  const before = zoneOffset(timeZone, localMs - DAY);
  const after = zoneOffset(timeZone, localMs + DAY);
  const a = localMs - before;
  const aOk = zoneOffset(timeZone, a) === before;
  if (before === after) return aOk ? a : null;
  const b = localMs - after;
  const bOk = zoneOffset(timeZone, b) === after;
  if (aOk && bOk) return fold === 'earlier' ? Math.min(a, b) : Math.max(a, b);
  if (aOk) return a;
  if (bOk) return b;
  return null;
}
