/**
 * The local market on the platform: its API routes and two periodic jobs. Every minute one worker clears the
 * slots whose gate has closed and settles the cleared slots that have ended (late and corrected readings
 * included). Both are idempotent: a slot is cleared once even when two workers run the job at the same time.
 */
import { formatInstant } from '../core/time.ts';
import type { Capability, JobsContext } from '../api/extensions.ts';
import type { JobDefinition } from '../jobs/registry.ts';
import type { Store } from '../store/types.ts';
import { marketRoutes } from './routes.ts';
import { clearSlotOnce, dueClearings } from './store/clearing.ts';
import { announceClearing } from './store/events.ts';
import { dueSettlements, settleStoredSlot } from './store/settlement.ts';

export const MARKET_CLEAR_JOB = 'market-clear-due';
export const MARKET_SETTLE_JOB = 'market-settle-due';

/** Clears every slot whose gate has closed; returns the slots this call cleared. */
export async function clearDueSlots(store: Store, now: number): Promise<{ marketId: number; slot: string; price: number | null; volumeKwh: number }[]> {
  const out = [];
  for (const due of await dueClearings(store, now)) {
    const c = await clearSlotOnce(store, due.marketId, due.slotStart, now);
    if (!c) continue;
    announceClearing(c);
    out.push({ marketId: c.marketId, slot: formatInstant(c.slotStart), price: c.price, volumeKwh: c.volumeKwh });
  }
  return out;
}

/** Settles every cleared slot that has ended, is not final yet and whose inputs changed; returns what changed. */
export async function settleDueSlots(store: Store, now: number): Promise<{ marketId: number; slot: string; written: number; changes: string[] }[]> {
  const out = [];
  for (const due of await dueSettlements(store, now)) {
    const r = await settleStoredSlot(store, due.marketId, due.slotStart, now, due.inputs);
    if (r.written > 0) out.push({ marketId: r.marketId, slot: formatInstant(r.slotStart), written: r.written, changes: r.differences.map((d) => `${d.member}:${d.change}`) });
  }
  return out;
}

export function marketJobs(ctx: JobsContext): JobDefinition[] {
  const now = () => ctx.clock().getTime();
  return [
    { name: MARKET_CLEAR_JOB, defaults: { retryLimit: 0, timeoutSeconds: 120 }, handler: async () => ({ cleared: await clearDueSlots(ctx.store, now()) }) },
    { name: MARKET_SETTLE_JOB, defaults: { retryLimit: 0, timeoutSeconds: 300 }, handler: async () => ({ settled: await settleDueSlots(ctx.store, now()) }) },
  ];
}

export const marketCapability: Capability = {
  name: 'market',
  routes: (app, ctx) => marketRoutes(app, ctx),
  jobs: (ctx) => marketJobs(ctx),
  schedules: [
    { name: MARKET_CLEAR_JOB, cron: '* * * * *' },
    { name: MARKET_SETTLE_JOB, cron: '* * * * *' },
  ],
};
