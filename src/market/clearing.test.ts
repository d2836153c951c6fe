import { describe, expect, it } from 'vitest';
import { clearSlot } from './clearing.ts';
import type { BookOrder, ClearingResult } from './types.ts';
import { ProblemError } from '../core/errors.ts';

let seq = 0;
const matched = (r: ClearingResult): Record<string, number> => Object.fromEntries(r.orders.map((o) => [o.id, o.matchedKwh]));
const netted = (r: ClearingResult): Record<string, number> => Object.fromEntries(r.orders.filter((o) => o.selfNettedKwh > 0).map((o) => [o.id, o.selfNettedKwh]));
function book(side: 'buy' | 'sell', prices: number[], energyKwh = 1, memberPrefix = side): BookOrder[] {
  return prices.map((limitPrice, k) => ({ id: `${side}-${++seq}`, member: `${memberPrefix}-${k}`, side, energyKwh, limitPrice }));
}
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, k) => a + k);

describe('public exchange results (1 kWh each, rates are limit prices)', () => {
  it('offers 1..7 against bids 1..7 clear 4 kWh at 4', () => {
    const r = clearSlot([...book('sell', range(1, 7)), ...book('buy', range(1, 7))]);
    expect(r.volumeKwh).toBe(4);
    expect(r.price).toBe(4);
    expect(r.trades.every((t) => t.price === 4)).toBe(true);
  });
  it('offers 8..14 against bids 8..14 clear 4 kWh at 11', () => {
    const r = clearSlot([...book('sell', range(8, 14)), ...book('buy', range(8, 14))]);
    expect(r.volumeKwh).toBe(4);
    expect(r.price).toBe(11);
  });
  it('offers 2,3,3,5,6,7,8 against bids 1..7 clear 3 kWh inside [4, 5]', () => {
    const r = clearSlot([...book('sell', [2, 3, 3, 5, 6, 7, 8]), ...book('buy', range(1, 7))]);
    expect(r.volumeKwh).toBe(3);
    expect(r.priceInterval).toEqual({ low: 4, high: 5 });
    expect(r.price).toBe(4.5);
  });
});

describe('the counter-examples a step-price rule gets wrong', () => {
  it('buys 10 kWh at 8, 6, 4 against sells 10 kWh at 3, 5, 7 trade 20 kWh between 5 and 6', () => {
    const r = clearSlot([...book('buy', [8, 6, 4], 10), ...book('sell', [3, 5, 7], 10)]);
    expect(r.volumeKwh).toBe(20);
    expect(r.price).toBeGreaterThanOrEqual(5);
    expect(r.price).toBeLessThanOrEqual(6);
    expect(r.price).toBe(5.5);
  });
  it('buys 20 kWh at 8 against sells 10 kWh at 3 and at 9 trade 10 kWh, not nothing', () => {
    const r = clearSlot([...book('buy', [8], 20), ...book('sell', [3, 9], 10)]);
    expect(r.volumeKwh).toBe(10);
    // the buyer is rationed: the next kWh of demand is worth 8, so the price is 8 (the competitive price)
    expect(r.priceInterval).toEqual({ low: 8, high: 8 });
    expect(r.trades).toHaveLength(1);
  });
});

describe('margin, ties and self-trades', () => {
  it('shares the margin pro rata among orders at the clearing price', () => {
    const orders: BookOrder[] = [
      { id: 'b', member: 'B', side: 'buy', energyKwh: 9, limitPrice: 0.3 },
      { id: 's1', member: 'S1', side: 'sell', energyKwh: 10, limitPrice: 0.1 },
      { id: 's2', member: 'S2', side: 'sell', energyKwh: 5, limitPrice: 0.1 },
    ];
    const r = clearSlot(orders);
    expect(r.volumeKwh).toBe(9);
    expect(r.price).toBe(0.1);
    expect(matched(r)).toEqual({ b: 9, s1: 6, s2: 3 });
  });
  it('gives leftover watt-hours by remainder, then earlier submission, then id', () => {
    const orders: BookOrder[] = [
      { id: 'b', member: 'B', side: 'buy', energyKwh: 0.001, limitPrice: 1 },
      { id: 'z', member: 'Z', side: 'sell', energyKwh: 1, limitPrice: 1, submittedAt: 5 },
      { id: 'y', member: 'Y', side: 'sell', energyKwh: 1, limitPrice: 1, submittedAt: 5 },
      { id: 'x', member: 'X', side: 'sell', energyKwh: 1, limitPrice: 1, submittedAt: 9 },
    ];
    const r = clearSlot(orders);
    expect(matched(r)).toEqual({ b: 0.001, y: 0.001, z: 0, x: 0 });
  });
  it('nets a member\'s own crossing orders instead of trading them, and the rest clears with others', () => {
    const orders: BookOrder[] = [
      { id: 'a-buy', member: 'A', side: 'buy', energyKwh: 10, limitPrice: 10 },
      { id: 'a-sell', member: 'A', side: 'sell', energyKwh: 4, limitPrice: 1 },
      { id: 'b-sell', member: 'B', side: 'sell', energyKwh: 10, limitPrice: 5 },
    ];
    const r = clearSlot(orders);
    expect(netted(r)).toEqual({ 'a-buy': 4, 'a-sell': 4 });
    expect(r.volumeKwh).toBe(6);
    expect(r.trades).toEqual([{ buyOrder: 'a-buy', sellOrder: 'b-sell', buyer: 'A', seller: 'B', energyKwh: 6, price: 5 }]);
    // the seller at 5 is rationed (4 kWh left), so the next kWh of supply bounds the price at 5
    expect(r.priceInterval).toEqual({ low: 5, high: 5 });
  });
  it('keeps a member\'s non-crossing buy and sell apart (never matched together)', () => {
    const orders: BookOrder[] = [
      { id: 'a-buy', member: 'A', side: 'buy', energyKwh: 5, limitPrice: 4 },
      { id: 'a-sell', member: 'A', side: 'sell', energyKwh: 5, limitPrice: 6 },
      { id: 'c-buy', member: 'C', side: 'buy', energyKwh: 5, limitPrice: 7 },
      { id: 'd-sell', member: 'D', side: 'sell', energyKwh: 5, limitPrice: 3 },
    ];
    const r = clearSlot(orders);
    expect(r.volumeKwh).toBe(5);
    expect(r.trades).toHaveLength(1);
    for (const t of r.trades) expect(t.buyer).not.toBe(t.seller);
    expect(r.price).toBe(5);
  });
  it('pay-as-bid trades the same volume, each trade at the buyer\'s limit', () => {
    const orders = [...book('buy', [8, 6, 4], 10), ...book('sell', [3, 5, 7], 10)];
    const r = clearSlot(orders, 'pay-as-bid');
    expect(r.volumeKwh).toBe(20);
    expect(r.trades.map((t) => t.price)).toEqual([8, 6]);
    expect(r.price).toBe(7);
  });
  it('returns no price and no trades when nothing crosses', () => {
    const r = clearSlot([...book('buy', [1]), ...book('sell', [2])]);
    expect(r).toMatchObject({ price: null, volumeKwh: 0, trades: [], priceInterval: null });
  });
});

describe('bad orders', () => {
  const good: BookOrder = { id: 'o', member: 'm', side: 'buy', energyKwh: 1, limitPrice: 0.2 };
  it.each([
    [{ energyKwh: 0 }, 'orders[0].energyKwh'],
    [{ energyKwh: -2 }, 'orders[0].energyKwh'],
    [{ energyKwh: 0.0004 }, 'orders[0].energyKwh'],
    [{ energyKwh: 2e9 }, 'orders[0].energyKwh'],
    [{ submittedAt: NaN }, 'orders[0].submittedAt'],
    [{ limitPrice: NaN }, 'orders[0].limitPrice'],
    [{ limitPrice: Infinity }, 'orders[0].limitPrice'],
    [{ side: 'hold' }, 'orders[0].side'],
    [{ member: '' }, 'orders[0].member'],
  ])('refuses %o naming %s', (patch, field) => {
    try {
      clearSlot([{ ...good, ...(patch as object) } as BookOrder]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ProblemError);
      expect((e as ProblemError).field).toBe(field);
    }
  });
  it('lists every bad order at once', () => {
    try {
      clearSlot([good, { ...good, id: 'p', limitPrice: NaN }, { ...good, id: 'q', side: 'x' as never }]);
      expect.unreachable();
    } catch (e) {
      expect((e as ProblemError).errors.map((x) => x.field)).toEqual(['orders[1].limitPrice', 'orders[2].side']);
    }
  });
  it('refuses duplicate ids', () => {
    expect(() => clearSlot([good, good])).toThrow(/orders\[1\]\.id.*more than once/);
  });
  it('refuses an unknown mechanism', () => {
    expect(() => clearSlot([good], 'vickrey' as never)).toThrow(/mechanism/);
  });
});

describe('self-netting example from the docs', () => {
  it('nets A\'s own crossing orders; B sells to C at the midpoint of [5, 6]', () => {
    const r = clearSlot([
      { id: 'a-buy', member: 'A', side: 'buy', energyKwh: 10, limitPrice: 10 },
      { id: 'a-sell', member: 'A', side: 'sell', energyKwh: 10, limitPrice: 1 },
      { id: 'b-sell', member: 'B', side: 'sell', energyKwh: 10, limitPrice: 5 },
      { id: 'c-buy', member: 'C', side: 'buy', energyKwh: 10, limitPrice: 6 },
    ]);
    expect(r.trades).toEqual([{ buyOrder: 'c-buy', sellOrder: 'b-sell', buyer: 'C', seller: 'B', energyKwh: 10, price: 5.5 }]);
    expect(r.orders.filter((o) => o.selfNettedKwh > 0).map((o) => o.id).sort()).toEqual(['a-buy', 'a-sell']);
  });
});
