import { invalid } from '../../core/errors.ts';

/**
 * Timestamp readers for bulk parsing. A reader turns text into a wall-clock time (read as if UTC) plus,
 * when the text carries one, its UTC offset. Formats:
 * - `iso`: `2024-03-31T02:00:00+02:00`, `2024-02-28 21:00:00+00:00`, `2024-03-31T02:00` (no offset);
 * - `unix` (seconds) and `unix-ms`: always UTC;
 * - a pattern of `YYYY`, `MM`/`M`, `DD`/`D`, `HH`/`H`, `mm`, `ss` and literal characters, optionally ending
 *   in `Z` for an offset: `DD.MM.YYYY HH:mm`, `YYYY/M/D HH:mm`, `MM/DD/YYYY HH:mm`.
 */
export interface WallTime {
  /** The wall-clock time read as if it were UTC (epoch ms). */
  local: number;
  /** UTC offset in ms when the text gave one (`Z` = 0); undefined for a naive local time. */
  offsetMs?: number;
}

export type TimestampReader = (text: string) => WallTime | null;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function wall(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (new Date(t).getUTCDate() !== d) return null; // 31 February and the like
  return t;
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

export function readIso(text: string): WallTime | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const local = wall(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, frac);
  if (local === null) return null;
  return { local, offsetMs: offsetOf(m[8]) };
}

const TOKENS: Record<string, { re: string; part: 'y' | 'mo' | 'd' | 'h' | 'mi' | 's' | 'z' }> = {
  YYYY: { re: '(\\d{4})', part: 'y' },
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
const TOKEN = /YYYY|MM|M|DD|D|HH|H|mm|ss|Z/g;

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
    const local = wall(+m[iy], +m[imo], +m[id], ih ? +m[ih] : 0, imi ? +m[imi] : 0, is ? +m[is] : 0, 0);
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
