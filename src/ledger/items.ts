/**
 * The payloads gridflex appends to a market's ledger, so every writer records the same shape. Times are ISO
 * 8601 UTC; the entry time is when the platform recorded the event (from the clock passed in).
 */
import { formatInstant } from '../core/time.ts';
import type { ClearingResult, Order } from '../market/types.ts';
import type { MemberSlotSettlement } from '../market/settlement.ts';
import type { SignedReadingBatch } from './signing.ts';

export interface LedgerItem {
  time: string;
  type: 'order' | 'clearing' | 'readings' | 'settlement';
  payload: unknown;
}

/** An order as it stands after its latest change (the last history entry says which change). */
export function orderItem(order: Order, at: number): LedgerItem {
  const last = order.history[order.history.length - 1];
  return {
    time: formatInstant(at),
    type: 'order',
    payload: {
      id: order.id,
      member: order.member,
      side: order.side,
      energyKwh: order.energyKwh,
      limitPrice: order.limitPrice,
      slotStart: formatInstant(order.slotStart),
      status: order.status,
      event: last?.event ?? 'submit',
      matchedKwh: order.matchedKwh,
    },
  };
}

/** A slot's clearing result with all its trades. */
export function clearingItem(slotStart: number, result: ClearingResult, at: number): LedgerItem {
  return {
    time: formatInstant(at),
    type: 'clearing',
    payload: {
      slotStart: formatInstant(slotStart),
      mechanism: result.mechanism,
      price: result.price,
      volumeKwh: result.volumeKwh,
      trades: result.trades.map((t) => ({ buyOrder: t.buyOrder, sellOrder: t.sellOrder, energyKwh: t.energyKwh, price: t.price })),
    },
  };
}

/** A batch of meter readings as received, with its signature when the meter signed it. */
export function readingsItem(batch: SignedReadingBatch | { batch: SignedReadingBatch['batch']; signature?: undefined }, at: number): LedgerItem {
  return { time: formatInstant(at), type: 'readings', payload: { ...batch.batch, signature: batch.signature ?? null } };
}

/** One member's settlement of one slot (a re-settlement is appended again; the latest one counts). */
export function settlementItem(s: MemberSlotSettlement, at: number): LedgerItem {
  return { time: formatInstant(at), type: 'settlement', payload: { ...s, slotStart: formatInstant(s.slotStart) } };
}
