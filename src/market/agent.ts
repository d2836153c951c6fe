/**
 * A bidding agent for one member: from its forecast or schedule per slot and the price limits it set, the
 * orders to place. PV surplus is offered, demand bid for, flexible demand bid for at its own (lower) limit.
 *
 * - `netKwh` is the member's expected net energy in the slot without its flexible demand (positive = import,
 *   negative = surplus); `flexibleKwh` is demand it could run in that slot if energy is cheap enough.
 * - Flexible demand first soaks up the member's own surplus (no order needed); the rest of the surplus is
 *   offered, the rest of the flexible demand bid for. So the agent never places a buy and a sell for one slot.
 * - Limits are clamped to the backstop: buying locally above the retail price less the local grid fee (the
 *   buyer pays the fee on top) or selling below the feed-in tariff would be worse than the grid.
 * - Energy is rounded down to whole Wh; orders smaller than `minOrderKwh` are not placed; slots whose gate has
 *   closed are skipped.
 */
import { invalid } from '../core/errors.ts';
import { gateClosure, type OrderDraft } from './orders.ts';
import type { MarketConfig } from './types.ts';

export interface AgentSlot {
  slotStart: number;
  netKwh: number;
  flexibleKwh?: number;
}

export interface AgentLimits {
  /** Highest price per kWh for demand that will happen anyway. */
  buyUpTo: number;
  /** Lowest price per kWh for surplus. */
  sellFrom: number;
  /** Highest price per kWh for flexible demand (defaults to buyUpTo). */
  flexibleBuyUpTo?: number;
  /** Smallest order worth placing, kWh (default 0.01). */
  minOrderKwh?: number;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number');
  return value;
}

function checkLimits(limits: AgentLimits): Required<AgentLimits> {
  const buyUpTo = finite(limits.buyUpTo, 'limits.buyUpTo');
  const sellFrom = finite(limits.sellFrom, 'limits.sellFrom');
  const flexibleBuyUpTo = limits.flexibleBuyUpTo === undefined ? buyUpTo : finite(limits.flexibleBuyUpTo, 'limits.flexibleBuyUpTo');
  const minOrderKwh = limits.minOrderKwh === undefined ? 0.01 : finite(limits.minOrderKwh, 'limits.minOrderKwh');
  if (minOrderKwh < 0.001) throw invalid('limits.minOrderKwh', 'must be at least 0.001 kWh');
  return { buyUpTo, sellFrom, flexibleBuyUpTo, minOrderKwh };
}

const floorWh = (kwh: number): number => Math.floor(kwh * 1000 + 1e-9) / 1000;

/** The orders a member's agent places for the given slots (in slot order). */
export function planOrders(member: string, slots: readonly AgentSlot[], limits: AgentLimits, market: MarketConfig, now: number): OrderDraft[] {
  if (typeof member !== 'string' || member === '') throw invalid('member', 'must name a site');
  const l = checkLimits(limits);
  const ceiling = market.retailPrice - market.localGridFee;
  const buyPrice = Math.min(l.buyUpTo, ceiling);
  const flexPrice = Math.min(l.flexibleBuyUpTo, ceiling);
  const sellPrice = Math.max(l.sellFrom, market.feedInTariff);
  const drafts: OrderDraft[] = [];
  const sorted = slots.map((s, k) => ({ s, k })).sort((a, b) => a.s.slotStart - b.s.slotStart);
  for (const { s, k } of sorted) {
    const net = finite(s.netKwh, `slots[${k}].netKwh`);
    const flex = s.flexibleKwh === undefined ? 0 : finite(s.flexibleKwh, `slots[${k}].flexibleKwh`);
    if (flex < 0) throw invalid(`slots[${k}].flexibleKwh`, 'must not be negative');
    if (now >= gateClosure(market, s.slotStart)) continue;
    const surplus = Math.max(0, -net);
    const ownUse = Math.min(surplus, flex);
    const place = (side: 'buy' | 'sell', kwh: number, limitPrice: number): void => {
      const energyKwh = floorWh(kwh);
      if (energyKwh >= l.minOrderKwh) drafts.push({ member, side, energyKwh, limitPrice, slotStart: s.slotStart });
    };
    place('sell', surplus - ownUse, sellPrice);
    place('buy', Math.max(0, net), buyPrice);
    place('buy', flex - ownUse, flexPrice);
  }
  return drafts;
}

/**
 * The agent's slots from stored data, per slot of [start, start + n·slotMs): `forecastKwh` the member's
 * forecast net energy without its flexible assets (positive import), `scheduledKwh` the energy its flexible
 * assets are scheduled to take (positive) or give (negative, e.g. a battery discharging), summed over the
 * assets. Scheduled demand becomes flexible demand (bid at the flexible limit); scheduled supply adds to the
 * surplus offered. A slot with neither is left out; a slot with only a schedule bids only the schedule.
 */
export function slotsFromForecastAndSchedule(start: number, slotMs: number, forecastKwh: readonly (number | null)[], scheduledKwh: readonly (number | null)[]): AgentSlot[] {
  const out: AgentSlot[] = [];
  for (let k = 0; k < Math.max(forecastKwh.length, scheduledKwh.length); k++) {
    const net = forecastKwh[k] ?? null;
    const flex = scheduledKwh[k] ?? null;
    if (net === null && flex === null) continue;
    const slot: AgentSlot = { slotStart: start + k * slotMs, netKwh: (net ?? 0) + Math.min(flex ?? 0, 0) };
    if (flex !== null && flex > 0) slot.flexibleKwh = flex;
    out.push(slot);
  }
  return out;
}
