/**
 * What happens at a slot's gate closure, as one pure step: the slot's open orders are closed, cleared with the
 * market's mechanism, and each moves to matched or unmatched with its matched energy in its history.
 * Orders of other slots and orders no longer open (cancelled ones) are left as they are.
 */
import { conflict } from '../core/errors.ts';
import { formatInstant } from '../core/time.ts';
import { clearSlot } from './clearing.ts';
import { applyOrderEvent, gateClosure } from './orders.ts';
import type { ClearingResult, MarketConfig, Order } from './types.ts';

export interface GateClosureResult {
  slotStart: number;
  result: ClearingResult;
  /** The slot's orders after closing and clearing (only those that were open). */
  orders: Order[];
}

export function closeAndClearSlot(market: MarketConfig, slotStart: number, orders: readonly Order[], now: number): GateClosureResult {
  const gate = gateClosure(market, slotStart);
  if (now < gate) throw conflict(`the gate for the slot at ${formatInstant(slotStart)} closes at ${formatInstant(gate)}, not before`);
  const open = orders.filter((o) => o.marketId === market.id && o.slotStart === slotStart && o.status === 'open');
  const closed = open.map((o) => applyOrderEvent(o, { type: 'close' }, market, now));
  const result = clearSlot(
    closed.map((o) => ({ id: o.id, member: o.member, side: o.side, energyKwh: o.energyKwh, limitPrice: o.limitPrice, submittedAt: o.submittedAt })),
    market.mechanism,
  );
  const matched = new Map(result.orders.map((f) => [f.id, f.matchedKwh]));
  return {
    slotStart,
    result,
    orders: closed.map((o) => applyOrderEvent(o, { type: 'clear', matchedKwh: Math.min(o.energyKwh, matched.get(o.id) ?? 0) }, market, now)),
  };
}
