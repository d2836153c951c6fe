/**
 * Turns a schedule (per-asset power per slot, from `schedule()`) into dispatch contract terms for the site's
 * agent: one contract per steerable asset, on the 5-minute grid, covering the slots from the next 5-minute
 * boundary on. Pure.
 */
import { parseDuration } from '../core/time.ts';
import type { ScheduleResult } from '../schedule/result.ts';
import { SLOT_MS, type ContractTerms } from './contract.ts';

const DEVICE_OF: Record<string, string> = { 'heat-pump': 'heat-pump', battery: 'battery', 'ev-charger': 'ev-charger' };

/** The schedule's power on the 5-minute grid from `from` to its end (a 15-minute slot gives three equal ones). */
export function fiveMinutePower(powerKw: number[], start: number, resolutionMs: number, from: number): number[] {
  const end = start + powerKw.length * resolutionMs;
  const out: number[] = [];
  for (let t = Math.max(from, start); t + SLOT_MS <= end; t += SLOT_MS) {
    // The mean over [t, t + 5 min): the schedule's slots are multiples of 5 minutes, or 5-minute pieces of them.
    out.push(powerKw[Math.floor((t - start) / resolutionMs)]);
  }
  return out;
}

export function contractsFromSchedule(s: ScheduleResult, now: number, opts: { idPrefix: string; heartbeatMs?: number; graceMs?: number }): ContractTerms[] {
  const resolutionMs = parseDuration(s.resolution);
  const start = Date.parse(s.start);
  const from = Math.ceil(now / SLOT_MS) * SLOT_MS;
  if (resolutionMs % SLOT_MS !== 0 && SLOT_MS % resolutionMs !== 0) throw new Error(`schedule resolution ${s.resolution} does not fit the 5-minute grid`);
  const out: ContractTerms[] = [];
  for (const a of s.assets) {
    const device = DEVICE_OF[a.type];
    if (!device) continue;
    const powerKw = resolutionMs >= SLOT_MS
      ? fiveMinutePower(a.powerKw, start, resolutionMs, from)
      : meanPerFive(a.powerKw, start, resolutionMs, from);
    if (!powerKw.length) continue;
    out.push({ id: `${opts.idPrefix}-${a.id}-${from}`, device, start: Math.max(from, start), durationMs: powerKw.length * SLOT_MS, powerKw, heartbeatMs: opts.heartbeatMs ?? 30_000, graceMs: opts.graceMs ?? 90_000 });
  }
  return out;
}

function meanPerFive(powerKw: number[], start: number, resolutionMs: number, from: number): number[] {
  const per = SLOT_MS / resolutionMs;
  const out: number[] = [];
  for (let i = Math.max(0, Math.ceil((from - start) / resolutionMs)); i + per <= powerKw.length; i += per) {
    out.push(powerKw.slice(i, i + per).reduce((a, b) => a + b, 0) / per);
  }
  return out;
}
