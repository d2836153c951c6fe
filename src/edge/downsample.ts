/**
 * What the agent keeps of its backlog during a long outage: full resolution for a day, 5-minute means for a
 * week, hourly means for 28 days, and within a size cap the newest. Pure and deterministic: compacting the
 * same backlog twice gives the same messages with the same ids, so the platform's idempotency still holds.
 */
import { RESOLUTIONS, type ChannelValues, type ReadingsMsg, type Resolution } from './messages.ts';

export interface KeepPolicy { fullMs: number; fiveMinuteMs: number; hourlyMs: number; maxBytes: number }
export const DEFAULT_KEEP: KeepPolicy = { fullMs: 86_400_000, fiveMinuteMs: 7 * 86_400_000, hourlyMs: 28 * 86_400_000, maxBytes: 64 * 1024 * 1024 };

const FIVE_MIN = RESOLUTIONS.PT5M;
const HOUR = RESOLUTIONS.PT1H;

function endOf(m: ReadingsMsg): number {
  const res = RESOLUTIONS[m.resolution];
  return Date.parse(m.start) + res * Math.max(...m.channels.map((c) => c.values.length));
}

interface Acc { quantity: ChannelValues['quantity']; unit: string; sum: number; weight: number }

/** Means of each channel over the messages, weighted by the time each value covers. */
function meanChannels(msgs: ReadingsMsg[]): ChannelValues[] {
  const acc = new Map<string, Acc>();
  for (const m of msgs) {
    const w = RESOLUTIONS[m.resolution];
    for (const c of m.channels) {
      const a = acc.get(c.channel) ?? { quantity: c.quantity, unit: c.unit, sum: 0, weight: 0 };
      for (const v of c.values) if (v !== null) { a.sum += v * w; a.weight += w; }
      acc.set(c.channel, a);
    }
  }
  return [...acc].map(([channel, a]) => ({ channel, quantity: a.quantity, unit: a.unit, values: [a.weight > 0 ? a.sum / a.weight : null] }));
}

function merged(msgs: ReadingsMsg[], start: number, resolution: Resolution, id: string): ReadingsMsg {
  return { kind: 'readings', id, siteId: msgs[0].siteId, createdAt: msgs[msgs.length - 1].createdAt, start: new Date(start).toISOString(), resolution, channels: meanChannels(msgs) };
}

function groupBy<T>(items: T[], key: (t: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const it of items) {
    const k = key(it);
    const g = out.get(k);
    if (g) g.push(it); else out.set(k, [it]);
  }
  return out;
}

/** Compacts a backlog (oldest first) as of `now`; returns it oldest first. */
export function compactBacklog(backlog: ReadingsMsg[], now: number, keep: KeepPolicy = DEFAULT_KEEP): ReadingsMsg[] {
  const fresh: ReadingsMsg[] = [];
  const toFive: ReadingsMsg[] = [];
  const toHour: ReadingsMsg[] = [];
  for (const m of backlog) {
    const age = now - endOf(m);
    const hourEnd = Math.floor(Date.parse(m.start) / HOUR) * HOUR + HOUR;
    if (age > keep.hourlyMs) continue;
    // Only whole hours become hourly means, so a later pass never makes a second, different hour message.
    if (now - hourEnd > keep.fiveMinuteMs) toHour.push(m);
    else if (age > keep.fullMs && RESOLUTIONS[m.resolution] < FIVE_MIN) toFive.push(m);
    else fresh.push(m);
  }
  const hours = [...groupBy(toHour, (m) => Math.floor(Date.parse(m.start) / HOUR) * HOUR)].map(([h, g]) =>
    g.length === 1 && g[0].resolution === 'PT1H' ? g[0] : merged(g, h, 'PT1H', `s${g[0].siteId}-h-${h}`));
  const fives = [...groupBy(toFive, (m) => Math.floor(Date.parse(m.start) / FIVE_MIN) * FIVE_MIN)].map(([s, g]) =>
    merged(g, s, 'PT5M', `s${g[0].siteId}-5m-${s}`));
  const all = [...hours, ...fives, ...fresh].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  return withinCap(all, keep.maxBytes);
}

/** Drops the oldest messages until the JSON size fits the cap. */
export function withinCap(msgs: ReadingsMsg[], maxBytes: number): ReadingsMsg[] {
  let total = 0;
  let from = msgs.length;
  while (from > 0) {
    const size = Buffer.byteLength(JSON.stringify(msgs[from - 1])) + 1;
    if (total + size > maxBytes) break;
    total += size;
    from--;
  }
  return msgs.slice(from);
}
