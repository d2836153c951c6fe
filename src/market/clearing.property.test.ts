import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { clearSlot } from './clearing.ts';
import type { BookOrder, ClearingResult, Mechanism } from './types.ts';

const EPS = 1e-9;

/** Books with ties on price and time, few members (so members often sit on both sides), whole Wh. */
function bookArb(members = 6): fc.Arbitrary<BookOrder[]> {
  const order = fc.record({
    member: fc.integer({ min: 0, max: members - 1 }).map((m) => `m${m}`),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    energyKwh: fc.integer({ min: 1, max: 20_000 }).map((wh) => wh / 1000),
    limitPrice: fc.integer({ min: -5, max: 40 }).map((c) => c / 100),
    submittedAt: fc.integer({ min: 0, max: 5 }),
  });
  return fc.array(order, { maxLength: 60 }).map((os) => os.map((o, k) => ({ ...o, id: `o${k}` })));
}

function fill(r: ClearingResult, id: string): { matchedKwh: number; selfNettedKwh: number } {
  const f = r.orders.find((o) => o.id === id);
  if (!f) throw new Error(`order ${id} missing from the result`);
  return f;
}

function residualOf(o: BookOrder, r: ClearingResult): number {
  return o.energyKwh - fill(r, o.id).matchedKwh - fill(r, o.id).selfNettedKwh;
}

const mechanisms: Mechanism[] = ['pay-as-clear', 'pay-as-bid'];

describe.each(mechanisms)('clearing properties (%s)', (mechanism) => {
  it('nobody trades beyond their limit price', () => {
    fc.assert(
      fc.property(bookArb(), (orders) => {
        const byId = new Map(orders.map((o) => [o.id, o]));
        const r = clearSlot(orders, mechanism);
        for (const t of r.trades) {
          expect(t.price).toBeLessThanOrEqual(byId.get(t.buyOrder)!.limitPrice + EPS);
          expect(t.price).toBeGreaterThanOrEqual(byId.get(t.sellOrder)!.limitPrice - EPS);
        }
      }),
    );
  });

  it('leaves no profitable trade unmatched', () => {
    fc.assert(
      fc.property(bookArb(), (orders) => {
        const r = clearSlot(orders, mechanism);
        const left = orders.filter((o) => residualOf(o, r) > EPS);
        const bestBuy = Math.max(...left.filter((o) => o.side === 'buy').map((o) => o.limitPrice));
        const bestSell = Math.min(...left.filter((o) => o.side === 'sell').map((o) => o.limitPrice));
        expect(bestBuy).toBeLessThan(bestSell);
      }),
    );
  });

  it('is budget balanced: what buyers pay is what sellers get', () => {
    fc.assert(
      fc.property(bookArb(), (orders) => {
        const r = clearSlot(orders, mechanism);
        const paid = new Map<string, number>();
        for (const t of r.trades) {
          paid.set(t.buyer, (paid.get(t.buyer) ?? 0) - t.energyKwh * t.price);
          paid.set(t.seller, (paid.get(t.seller) ?? 0) + t.energyKwh * t.price);
        }
        const sum = [...paid.values()].reduce((a, b) => a + b, 0);
        expect(Math.abs(sum)).toBeLessThan(1e-6);
        if (r.price !== null) {
          const money = r.trades.reduce((a, t) => a + t.energyKwh * t.price, 0);
          expect(money / r.volumeKwh).toBeCloseTo(r.price, 9);
        }
      }),
    );
  });

  it('gives the same result for the same orders in any input order', () => {
    fc.assert(
      fc.property(bookArb().chain((os) => fc.tuple(fc.constant(os), fc.shuffledSubarray(os, { minLength: os.length, maxLength: os.length }))), ([a, b]) => {
        expect(JSON.stringify(clearSlot(b, mechanism))).toBe(JSON.stringify(clearSlot(a, mechanism)));
      }),
    );
  });

  it('conserves volume: trades add up per order and per side, never beyond an order', () => {
    fc.assert(
      fc.property(bookArb(), (orders) => {
        const r = clearSlot(orders, mechanism);
        const fromTrades = new Map<string, number>();
        for (const t of r.trades) {
          expect(t.energyKwh).toBeGreaterThan(0);
          fromTrades.set(t.buyOrder, (fromTrades.get(t.buyOrder) ?? 0) + t.energyKwh);
          fromTrades.set(t.sellOrder, (fromTrades.get(t.sellOrder) ?? 0) + t.energyKwh);
        }
        expect(r.orders).toHaveLength(orders.length);
        let buys = 0;
        let sells = 0;
        for (const o of orders) {
          const m = fill(r, o.id).matchedKwh;
          expect(m).toBeCloseTo(fromTrades.get(o.id) ?? 0, 9);
          expect(residualOf(o, r)).toBeGreaterThanOrEqual(-EPS);
          if (o.side === 'buy') buys += m;
          else sells += m;
          expect(fill(r, o.id).selfNettedKwh).toBeGreaterThanOrEqual(0);
        }
        expect(buys).toBeCloseTo(r.volumeKwh, 9);
        expect(sells).toBeCloseTo(r.volumeKwh, 9);
        const netted = (side: string): number => orders.filter((o) => o.side === side).reduce((a, o) => a + fill(r, o.id).selfNettedKwh, 0);
        expect(netted('buy')).toBeCloseTo(netted('sell'), 9);
      }),
    );
  });

  it('never matches a member with itself', () => {
    fc.assert(
      fc.property(bookArb(3), (orders) => {
        for (const t of clearSlot(orders, mechanism).trades) expect(t.buyer).not.toBe(t.seller);
      }),
    );
  });
});

describe('pro-rata margin', () => {
  it('shares the energy at the clearing price in proportion to each order, within 1 Wh', () => {
    fc.assert(
      fc.property(bookArb(12), (orders) => {
        const r = clearSlot(orders);
        if (r.price === null) return;
        for (const side of ['buy', 'sell'] as const) {
          const atPrice = orders.filter((o) => o.side === side && o.limitPrice === r.price && fill(r, o.id).selfNettedKwh === 0);
          const energy = atPrice.reduce((a, o) => a + o.energyKwh, 0);
          const got = atPrice.reduce((a, o) => a + fill(r, o.id).matchedKwh, 0);
          for (const o of atPrice) expect(Math.abs(fill(r, o.id).matchedKwh - (got * o.energyKwh) / energy)).toBeLessThanOrEqual(0.001 + 1e-9);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('pay-as-clear optimality', () => {
  it('trades the largest volume any single price allows (members on one side only)', () => {
    const sided = bookArb(40).map((os) => os.map((o) => ({ ...o, member: `${o.side}-${o.member}` })));
    fc.assert(
      fc.property(sided, (orders) => {
        const r = clearSlot(orders);
        let best = 0;
        for (const p of new Set(orders.map((o) => o.limitPrice))) {
          const d = orders.filter((o) => o.side === 'buy' && o.limitPrice >= p).reduce((a, o) => a + o.energyKwh, 0);
          const s = orders.filter((o) => o.side === 'sell' && o.limitPrice <= p).reduce((a, o) => a + o.energyKwh, 0);
          best = Math.max(best, Math.min(d, s));
        }
        expect(r.volumeKwh).toBeCloseTo(best, 6);
      }),
    );
  });

  it('takes the midpoint of exactly the prices that clear the volume (brute force over all limits)', () => {
    const sided = bookArb(40).map((os) => os.map((o) => ({ ...o, member: `${o.side}-${o.member}` })));
    fc.assert(
      fc.property(sided, (orders) => {
        const r = clearSlot(orders);
        if (r.price === null) return;
        const q = r.volumeKwh;
        const sum = (f: (o: BookOrder) => boolean): number => orders.filter(f).reduce((a, o) => a + o.energyKwh, 0);
        const clears = (p: number): boolean =>
          sum((o) => o.side === 'buy' && o.limitPrice > p) <= q + 1e-9 &&
          sum((o) => o.side === 'buy' && o.limitPrice >= p) >= q - 1e-9 &&
          sum((o) => o.side === 'sell' && o.limitPrice < p) <= q + 1e-9 &&
          sum((o) => o.side === 'sell' && o.limitPrice <= p) >= q - 1e-9;
        const valid = [...new Set(orders.map((o) => o.limitPrice))].filter(clears);
        expect(r.priceInterval).toEqual({ low: Math.min(...valid), high: Math.max(...valid) });
        expect(r.price).toBeCloseTo((Math.min(...valid) + Math.max(...valid)) / 2, 12);
      }),
      { numRuns: 300 },
    );
  });

  it('prices every trade uniformly inside the interval where matched buyers are at or above and matched sellers at or below', () => {
    fc.assert(
      fc.property(bookArb(), (orders) => {
        const r = clearSlot(orders);
        if (r.price === null) {
          expect(r.trades).toEqual([]);
          return;
        }
        expect(r.priceInterval!.low).toBeLessThanOrEqual(r.priceInterval!.high);
        expect(r.price).toBeGreaterThanOrEqual(r.priceInterval!.low);
        expect(r.price).toBeLessThanOrEqual(r.priceInterval!.high);
        for (const o of orders) {
          if (fill(r, o.id).matchedKwh === 0) continue;
          if (o.side === 'buy') expect(o.limitPrice).toBeGreaterThanOrEqual(r.price);
          else expect(o.limitPrice).toBeLessThanOrEqual(r.price);
        }
        for (const t of r.trades) expect(t.price).toBe(r.price);
        // nobody left out would trade at the price: unmatched buyers ask for less, unmatched sellers for more
        for (const o of orders) {
          if (residualOf(o, r) <= EPS) continue;
          if (o.side === 'buy') expect(o.limitPrice).toBeLessThanOrEqual(r.price);
          else expect(o.limitPrice).toBeGreaterThanOrEqual(r.price);
        }
      }),
    );
  });
});
