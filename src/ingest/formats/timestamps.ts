import { invalid } from '../../core/errors.ts';

/**
 * Timestamp readers for bulk parsing. A reader turns text into a wall-clock time (read as if UTC) plus,
 * when the text carries one, its UTC offset. Formats:
 * - `iso`: `2024-03-31T02:00:00+02:00`, `2024-02-28 21:00:00+00:00`, `2024-03-31T02:00` (no offset);
 * - `unix` (seconds) and `unix-ms`: always UTC;
 * - a pattern of `YYYY`, `MM`/`M` (or `MMM`: jan..dec), `DD`/`D`, `HH`/`H`, `mm`, `ss` and literal characters, optionally ending
 *   in `Z` for an offset: `DD.MM.YYYY HH:mm`, `YYYY/M/D HH:mm`, `MM/DD/YYYY HH:mm`, `DDMMMYYYY HH:mm:ss`.
 */
export interface WallTime {
  /** The wall-clock time read as if it were UTC (epoch ms). */
  local: number;
  /** UTC offset in ms when the text gave one (`Z` = 0); undefined for a naive local time. */
  offsetMs?: number;
}

export type TimestampReader = (text: string) => WallTime | null;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function wall(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > MONTH_DAYS[mo - 1] || h > 23 || mi > 59 || s > 59) return null;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return null;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

function offsetOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'Z' || text === 'z') return 0;
  const sign = text[0] === '-' ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  const h = Number(digits.slice(0, 2));
  const m = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (h * 60 + m) * 60_000;
}

function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `YYYY-MM-DD[T ]HH:MM[:SS]` with `Z`, `+HH:MM` or nothing after it, read without a regular expression. */
function readIsoFast(text: string): WallTime | null | undefined {
  const n = text.length;
  if (n < 16 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58) return undefined;
  const sep = text.charCodeAt(10);
  if (sep !== 84 && sep !== 32) return undefined;
  const y = digits(text, 0, 4), mo = digits(text, 5, 2), d = digits(text, 8, 2), h = digits(text, 11, 2), mi = digits(text, 14, 2);
  let i = 16;
  let s = 0;
  if (i < n && text.charCodeAt(i) === 58) {
    s = digits(text, 17, 2);
    i = 19;
  }
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return undefined;
  let ms = 0;
  if (i < n && text.charCodeAt(i) === 46 && i === 19) {
    let j = 20;
    let scale = 100;
    while (j < n) {
      const c = text.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      j++;
    }
    if (j === 20) return undefined;
    ms = Math.round(ms);
    i = j;
  }
  let offsetMs: number | undefined;
  if (i === n) offsetMs = undefined;
  else if (i === n - 1 && (text[i] === 'Z' || text[i] === 'z')) offsetMs = 0;
  else if (i === n - 6 && (text[i] === '+' || text[i] === '-') && text.charCodeAt(i + 3) === 58) {
    const oh = digits(text, i + 1, 2), om = digits(text, i + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    offsetMs = (text[i] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  } else return undefined;
  const local = wall(y, mo, d, h, mi, s, ms);
  if (local === null) return null;
  return { local, offsetMs };
}

export function readIso(text: string): WallTime | null {
  const fast = readIsoFast(text);
  if (fast !== undefined) return fast;
  const m = ISO.exec(text);
  if (!m) return null;
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const local = wall(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, frac);
  if (local === null) return null;
  return { local, offsetMs: offsetOf(m[8]) };
}

const TOKENS: Record<string, { re: string; part: 'y' | 'mo' | 'd' | 'h' | 'mi' | 's' | 'z' }> = {
  YYYY: { re: '(\\d{4})', part: 'y' },
  MMM: { re: '([A-Za-z]{3})', part: 'mo' },
  MM: { re: '(\\d{2})', part: 'mo' },
  M: { re: '(\\d{1,2})', part: 'mo' },
  DD: { re: '(\\d{2})', part: 'd' },
  D: { re: '(\\d{1,2})', part: 'd' },
  HH: { re: '(\\d{2})', part: 'h' },
  H: { re: '(\\d{1,2})', part: 'h' },
  mm: { re: '(\\d{2})', part: 'mi' },
  ss: { re: '(\\d{2})', part: 's' },
  Z: { re: '\\s*(Z|[+-]\\d{2}(?::?\\d{2})?)', part: 'z' },
};
const TOKEN = /YYYY|MMM|MM|M|DD|D|HH|H|mm|ss|Z/g;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function month(text: string): number {
  return /^\d+$/.test(text) ? Number(text) : MONTHS.indexOf(text.toLowerCase()) + 1;
}

/** Compiles a date pattern such as `DD.MM.YYYY HH:mm` into a reader. */
export function patternReader(pattern: string, field = 'dateFormat'): TimestampReader {
  const parts: string[] = [];
  let re = '^';
  let last = 0;
  for (const m of pattern.matchAll(TOKEN)) {
    re += pattern.slice(last, m.index).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    re += TOKENS[m[0]].re;
    parts.push(TOKENS[m[0]].part);
    last = m.index! + m[0].length;
  }
  re += pattern.slice(last).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + '$';
  for (const need of ['y', 'mo', 'd'] as const) {
    if (!parts.includes(need)) throw invalid(field, `"${pattern}" needs a year (YYYY), month (MM) and day (DD)`);
  }
  const rx = new RegExp(re);
  const idx = (p: string) => parts.indexOf(p) + 1;
  const [iy, imo, id, ih, imi, is, iz] = ['y', 'mo', 'd', 'h', 'mi', 's', 'z'].map(idx);
  return (text) => {
    const m = rx.exec(text);
    if (!m) return null;
    const local = wall(+m[iy], month(m[imo]), +m[id], ih ? +m[ih] : 0, imi ? +m[imi] : 0, is ? +m[is] : 0, 0);
    if (local === null) return null;
    return { local, offsetMs: iz ? offsetOf(m[iz]) : undefined };
  };
}

/** A reader for `iso`, `unix`, `unix-ms` or a pattern. */
export function timestampReader(format = 'iso', field = 'dateFormat'): TimestampReader {
  if (format === 'iso') return readIso;
  if (format === 'unix' || format === 'unix-ms') {
    const scale = format === 'unix' ? 1000 : 1;
    return (text) => {
      if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
      return { local: Math.round(Number(text) * scale), offsetMs: 0 };
    };
  }
  return patternReader(format, field);
}
