import { DateTime, IANAZone } from 'luxon';
import { invalid } from './errors.ts';

/** Milliseconds per unit of the time parts an ISO 8601 duration may carry (fixed-length only). */
const MS = { W: 7 * 86_400_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 } as const;

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses a fixed-length ISO 8601 duration (`PT15M`, `PT1H`, `P1D` = 24 h, `PT1H30M`) to milliseconds.
 * Years and months have no fixed length and are refused.
 */
export function parseDuration(text: string, field = 'resolution'): number {
  const m = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!m || text === 'P' || text.endsWith('T')) throw invalid(field, `"${String(text)}" is not an ISO 8601 duration such as PT15M or PT1H`);
  const [, w, d, h, min, s] = m;
  const ms = Number(w ?? 0) * MS.W + Number(d ?? 0) * MS.D + Number(h ?? 0) * MS.H + Number(min ?? 0) * MS.M + Number(s ?? 0) * MS.S;
  if (!(ms > 0)) throw invalid(field, `duration "${text}" must be longer than zero`);
  return Math.round(ms);
}

/** Formats milliseconds as the shortest ISO 8601 duration (`PT15M`, `PT1H`, `P1D`). */
export function formatDuration(ms: number): string {
  if (ms % MS.D === 0) return `P${ms / MS.D}D`;
  let rest = ms;
  const h = Math.floor(rest / MS.H);
  rest -= h * MS.H;
  const m = Math.floor(rest / MS.M);
  rest -= m * MS.M;
  const s = rest / 1000;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s ? `${s}S` : ''}`;
}

const HAS_OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/** True when the time zone name is a valid IANA zone (e.g. `Europe/Berlin`). */
export function isValidTimeZone(tz: string): boolean {
  return typeof tz === 'string' && IANAZone.isValidZone(tz);
}

/** The form nearly every client sends (`2024-03-01T00:00:00Z`, `...00.250+01:00`), read without luxon. */
const PLAIN_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** Epoch ms of a PLAIN_INSTANT text, or null when a field is out of range (then luxon decides). */
function parsePlainInstant(text: string): number | null {
  const m = PLAIN_INSTANT.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, sec, m[7] ? Number(m[7].padEnd(3, '0')) : 0);
  if (new Date(local).getUTCDate() !== d || y < 100) return null;
  const offsetMin = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  return local - offsetMin * 60_000;
}

/**
 * Parses an ISO 8601 timestamp to epoch milliseconds. A timestamp without an offset is read in `timeZone`
 * when one is given, and refused otherwise: a time without an offset is ambiguous.
 */
export function parseInstant(text: string, field: string, timeZone?: string): number {
  if (typeof text !== 'string' || text.length < 10) throw invalid(field, `"${String(text)}" is not an ISO 8601 timestamp`);
  if (HAS_OFFSET.test(text) && text.includes('T')) {
    const plain = parsePlainInstant(text);
    if (plain !== null) return plain;
    const dt = DateTime.fromISO(text, { setZone: true });
    if (!dt.isValid) throw invalid(field, `"${text}" is not a valid ISO 8601 timestamp`);
    return dt.toMillis();
  }
  if (!timeZone) throw invalid(field, `"${text}" has no UTC offset; add one (e.g. +01:00 or Z) or give a time zone`);
  const dt = DateTime.fromISO(text, { zone: timeZone });
  if (!dt.isValid) throw invalid(field, `"${text}" is not a valid ISO 8601 timestamp`);
  return dt.toMillis();
}

const YEAR_1000 = Date.UTC(1000, 0, 1);
const YEAR_10000 = Date.UTC(10000, 0, 1);

/** Formats epoch milliseconds as ISO 8601 with the offset of `timeZone` (UTC `Z` by default). */
export function formatInstant(ms: number, timeZone = 'UTC'): string {
  if (timeZone === 'UTC' && Number.isInteger(ms) && ms >= YEAR_1000 && ms < YEAR_10000) {
    const iso = new Date(ms).toISOString();
    return ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso;
  }
  const dt = DateTime.fromMillis(ms, { zone: timeZone });
  return timeZone === 'UTC' ? dt.toUTC().toISO({ suppressMilliseconds: true })! : dt.toISO({ suppressMilliseconds: true })!;
}

/** The UTC offset of `timeZone` at `ms`, in milliseconds. */
export function offsetAt(ms: number, timeZone: string): number {
  return DateTime.fromMillis(ms, { zone: timeZone }).offset * 60_000;
}

/**
 * True when `ms` starts a slot of `resolutionMs` on the local wall clock of `timeZone` (UTC by default):
 * 00:15 for PT15M, a whole hour for PT1H, local midnight for P1D.
 */
export function isAligned(ms: number, resolutionMs: number, timeZone = 'UTC'): boolean {
  const local = ms + (timeZone === 'UTC' ? 0 : offsetAt(ms, timeZone));
  return ((local % resolutionMs) + resolutionMs) % resolutionMs === 0;
}

/** Slot starts of the half-open interval [start, end) on a grid of `resolutionMs` beginning at `start`. */
export function slotCount(startMs: number, endMs: number, resolutionMs: number): number {
  return Math.max(0, Math.ceil((endMs - startMs) / resolutionMs));
}

/** Start and end (epoch ms) of the local calendar day `date` (`YYYY-MM-DD`) in `timeZone`. */
export function localDay(date: string, timeZone: string): { start: number; end: number } {
  const day = DateTime.fromISO(date, { zone: timeZone }).startOf('day');
  if (!day.isValid) throw invalid('date', `"${date}" is not a calendar date YYYY-MM-DD`);
  return { start: day.toMillis(), end: day.plus({ days: 1 }).toMillis() };
}

/** Number of slots of `resolutionMs` in a local day: 92, 96 or 100 quarter-hours around clock changes. */
export function slotsInLocalDay(date: string, timeZone: string, resolutionMs: number): number {
  const { start, end } = localDay(date, timeZone);
  return slotCount(start, end, resolutionMs);
}
