/** Reads the recorded series the simulated devices run on: PV production (NREL) and outdoor temperature (DWD via Bright Sky). */
import { readFileSync } from 'node:fs';
import { invalid, invalidLine } from '../core/errors.ts';

/** A regular series: values[i] holds from start + i * stepMs. */
export interface Recorded { start: number; stepMs: number; values: number[] }

/** `measured_on,ac_power` (W, 15-min, with offset) -> fraction of the series' peak (0..1, night = 0). */
export function readPvShape(path: string): Recorded {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const values: number[] = [];
  let start = NaN;
  for (let i = 1; i < lines.length; i++) {
    const [ts, w] = lines[i].split(',');
    const t = Date.parse(ts.replace(' ', 'T'));
    const v = Number(w);
    if (!Number.isFinite(t) || w === undefined) throw invalidLine(i + 1, `expected "timestamp,ac_power", got "${lines[i]}"`);
    if (i === 1) start = t;
    values.push(Number.isFinite(v) ? Math.max(0, v) : 0);
  }
  const peak = Math.max(...values);
  if (!(peak > 0)) throw invalid('pvFile', 'no positive power in the series');
  return { start, stepMs: 15 * 60_000, values: values.map((v) => v / peak) };
}

/** Bright Sky `{weather: [{timestamp, temperature}]}` -> hourly °C. */
export function readOutdoorTemperature(path: string): Recorded {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as { weather?: { timestamp: string; temperature: number | null }[] };
  if (!Array.isArray(doc.weather) || doc.weather.length === 0) throw invalid('weatherFile', 'expected a Bright Sky document with a "weather" array');
  const start = Date.parse(doc.weather[0].timestamp);
  let last = 10;
  const values = doc.weather.map((w) => (last = typeof w.temperature === 'number' ? w.temperature : last));
  return { start, stepMs: 3_600_000, values };
}

/** The value at time t, linearly interpolated; the series repeats, so a simulation of any length has data. */
export function valueAt(s: Recorded, t: number): number {
  const n = s.values.length;
  const pos = (((t - s.start) / s.stepMs) % n + n) % n;
  const i = Math.floor(pos);
  const f = pos - i;
  return s.values[i] * (1 - f) + s.values[(i + 1) % n] * f;
}

/** The PV shape at the same local time of day (the recording starts at its local midnight), its days repeated. */
export function pvFractionAt(s: Recorded, t: number, siteOffsetMs = 0): number {
  const day = 86_400_000;
  const mod = (a: number, b: number) => ((a % b) + b) % b;
  const days = Math.max(1, Math.floor((s.values.length * s.stepMs) / day));
  const local = t + siteOffsetMs;
  return valueAt(s, s.start + mod(Math.floor(local / day), days) * day + mod(local, day));
}
