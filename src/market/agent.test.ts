import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { planOrders, slotsFromForecastAndSchedule } from './agent.ts';
import type { MarketConfig } from './types.ts';

const market: MarketConfig = {
  id: 'm',
  accountId: 'a',
  slotMs: 900_000,
  timeZone: 'UTC',
  gateClosureLeadMs: 300_000,
  currency: 'EUR',
  mechanism: 'pay-as-clear',
  retailPrice: 0.3,
  feedInTariff: 0.08,
  localGridFee: 0,
};
const t0 = Date.parse('2026-06-01T12:00:00Z');
const now = t0 - 3_600_000;
const limits = { buyUpTo: 0.25, sellFrom: 0.1, flexibleBuyUpTo: 0.12 };

describe('bidding agent', () => {
  it('offers PV surplus, bids for demand, and bids for flexible demand at its own limit', () => {
    const orders = planOrders('site-1', [
      { slotStart: t0, netKwh: -2.5 },
      { slotStart: t0 + 900_000, netKwh: 1.2, flexibleKwh: 3 },
    ], limits, market, now);
    expect(orders).toEqual([
      { member: 'site-1', side: 'sell', energyKwh: 2.5, limitPrice: 0.1, slotStart: t0 },
      { member: 'site-1', side: 'buy', energyKwh: 1.2, limitPrice: 0.25, slotStart: t0 + 900_000 },
      { member: 'site-1', side: 'buy', energyKwh: 3, limitPrice: 0.12, slotStart: t0 + 900_000 },
    ]);
  });
  it('uses its own surplus for flexible demand first, so it never buys and sells in one slot', () => {
    expect(planOrders('s', [{ slotStart: t0, netKwh: -2, flexibleKwh: 0.5 }], limits, market, now)).toEqual([
      { member: 's', side: 'sell', energyKwh: 1.5, limitPrice: 0.1, slotStart: t0 },
    ]);
    expect(planOrders('s', [{ slotStart: t0, netKwh: -2, flexibleKwh: 3 }], limits, market, now)).toEqual([
      { member: 's', side: 'buy', energyKwh: 1, limitPrice: 0.12, slotStart: t0 },
    ]);
  });
  it('never bids above the retail price less the local fee, nor offers below the feed-in tariff', () => {
    const orders = planOrders('s', [{ slotStart: t0, netKwh: 1 }, { slotStart: t0 + 900_000, netKwh: -1 }], { buyUpTo: 0.5, sellFrom: 0.01 }, market, now);
    expect(orders.map((o) => o.limitPrice)).toEqual([0.3, 0.08]);
    const withFee = planOrders('s', [{ slotStart: t0, netKwh: 1 }], { buyUpTo: 0.5, sellFrom: 0.01 }, { ...market, localGridFee: 0.05 }, now);
    expect(withFee[0].limitPrice).toBeCloseTo(0.25, 12);
  });
  it('skips slots past the gate and orders below the minimum', () => {
    const orders = planOrders('s', [{ slotStart: t0, netKwh: 1 }, { slotStart: t0 + 900_000, netKwh: 0.004 }], limits, market, t0 - 300_000);
    expect(orders).toEqual([]);
  });
  it('names the bad slot', () => {
    expect(() => planOrders('s', [{ slotStart: t0, netKwh: NaN }], limits, market, now)).toThrow(/slots\[0\]\.netKwh/);
    expect(() => planOrders('s', [{ slotStart: t0, netKwh: 1, flexibleKwh: -1 }], limits, market, now)).toThrow(/slots\[0\]\.flexibleKwh/);
    expect(() => planOrders('s', [], { buyUpTo: Infinity, sellFrom: 0.1 }, market, now)).toThrow(/limits\.buyUpTo/);
  });
  it('offers and bids for exactly the energy of the plan (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ net: fc.integer({ min: -9000, max: 9000 }), flex: fc.integer({ min: 0, max: 5000 }) }), { maxLength: 20 }), (plan) => {
        const slots = plan.map((p, k) => ({ slotStart: t0 + k * 900_000, netKwh: p.net / 1000, flexibleKwh: p.flex / 1000 }));
        const orders = planOrders('s', slots, { ...limits, minOrderKwh: 0.001 }, market, now);
        slots.forEach((s) => {
          const mine = orders.filter((o) => o.slotStart === s.slotStart);
          const sold = mine.filter((o) => o.side === 'sell').reduce((a, o) => a + o.energyKwh, 0);
          const bought = mine.filter((o) => o.side === 'buy').reduce((a, o) => a + o.energyKwh, 0);
          expect(sold === 0 || bought === 0).toBe(true);
          expect(bought - sold).toBeCloseTo(s.netKwh + s.flexibleKwh, 9);
        });
      }),
    );
  });
});

describe('agent slots from forecasts and schedules', () => {
  it('turns scheduled demand into flexible demand and scheduled supply into surplus; a slot with neither is left out', () => {
    expect(slotsFromForecastAndSchedule(t0, 900_000, [1, -2, null, null, 0.5], [2, null, -1, null])).toEqual([
      { slotStart: t0, netKwh: 1, flexibleKwh: 2 },
      { slotStart: t0 + 900_000, netKwh: -2 },
      { slotStart: t0 + 1_800_000, netKwh: -1 },
      { slotStart: t0 + 3_600_000, netKwh: 0.5 },
    ]);
  });
});
