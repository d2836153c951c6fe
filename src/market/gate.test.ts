import { describe, expect, it } from 'vitest';
import { closeAndClearSlot } from './gate.ts';
import { summarizeBook } from './curves.ts';
import { applyOrderEvent, openOrder } from './orders.ts';
import type { MarketConfig } from './types.ts';

const market: MarketConfig = {
  id: 'm1', accountId: 'a', slotMs: 900_000, timeZone: 'UTC', gateClosureLeadMs: 300_000, currency: 'EUR',
  mechanism: 'pay-as-clear', retailPrice: 0.3, feedInTariff: 0.08, localGridFee: 0.01,
};
const slot = Date.parse('2026-06-01T12:00:00Z');
const t = slot - 3_600_000;

describe('gate closure', () => {
  const orders = [
    openOrder({ member: 'a', side: 'buy', energyKwh: 10, limitPrice: 8, slotStart: slot }, 'b8', 'm1', t),
    openOrder({ member: 'b', side: 'buy', energyKwh: 10, limitPrice: 6, slotStart: slot }, 'b6', 'm1', t + 1),
    openOrder({ member: 'c', side: 'buy', energyKwh: 10, limitPrice: 4, slotStart: slot }, 'b4', 'm1', t + 2),
    openOrder({ member: 'd', side: 'sell', energyKwh: 10, limitPrice: 3, slotStart: slot }, 's3', 'm1', t + 3),
    openOrder({ member: 'e', side: 'sell', energyKwh: 10, limitPrice: 5, slotStart: slot }, 's5', 'm1', t + 4),
    openOrder({ member: 'f', side: 'sell', energyKwh: 10, limitPrice: 7, slotStart: slot }, 's7', 'm1', t + 5),
    applyOrderEvent(openOrder({ member: 'g', side: 'sell', energyKwh: 50, limitPrice: 0, slotStart: slot }, 'gone', 'm1', t), { type: 'cancel' }, market, t + 10),
    openOrder({ member: 'h', side: 'sell', energyKwh: 5, limitPrice: 0, slotStart: slot + 900_000 }, 'later', 'm1', t),
  ];

  it('closes and clears the open orders of the slot only, recording matched energy', () => {
    const out = closeAndClearSlot(market, slot, orders, slot - 300_000);
    expect(out.result.volumeKwh).toBe(20);
    expect(out.result.price).toBe(5.5);
    expect(Object.fromEntries(out.orders.map((o) => [o.id, `${o.status}:${o.matchedKwh}`]))).toEqual({
      b8: 'matched:10', b6: 'matched:10', b4: 'unmatched:0', s3: 'matched:10', s5: 'matched:10', s7: 'unmatched:0',
    });
    expect(out.orders[0].history.map((h) => h.to)).toEqual(['open', 'closed', 'matched']);
  });

  it('refuses to clear before the gate', () => {
    expect(() => closeAndClearSlot(market, slot, orders, slot - 300_001)).toThrow(/closes at/);
  });

  it('summarizes the book as step curves that cross where clearing does', () => {
    const s = summarizeBook(orders.filter((o) => o.status === 'open' && o.slotStart === slot));
    expect(s.demand).toEqual([{ price: 8, cumulativeKwh: 10 }, { price: 6, cumulativeKwh: 20 }, { price: 4, cumulativeKwh: 30 }]);
    expect(s.supply).toEqual([{ price: 3, cumulativeKwh: 10 }, { price: 5, cumulativeKwh: 20 }, { price: 7, cumulativeKwh: 30 }]);
    expect(s).toMatchObject({ buyOrders: 3, sellOrders: 3, bestBid: 8, bestOffer: 3, demandKwh: 30, supplyKwh: 30 });
  });
});
