import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backstopPrices, imbalancePrices, settleSlot, settlementDifference, type SlotSettlementInput } from './settlement.ts';
import { billFor, communityFigures } from './bills.ts';
import { clearSlot } from './clearing.ts';

const t0 = Date.parse('2026-06-01T10:00:00Z');
const slot = 15 * 60_000;
const prices = backstopPrices(0.3, 0.08);
const members = ['A', 'B', 'C'];

function input(slotStart: number, readings: Record<string, number | null>, trades = [{ buyer: 'B', seller: 'A', energyKwh: 3, price: 0.15 }]): SlotSettlementInput {
  return { slotStart, members, trades, readings: new Map(Object.entries(readings)), prices: prices(slotStart), localGridFee: 0.02 };
}

describe('settling a slot against the meters', () => {
  it('PV seller, buyer and bystander: deviations go to the grid at retail price and feed-in tariff', () => {
    const [a, b, c] = settleSlot(input(t0, { A: -4, B: 5, C: 1 }));
    expect(a).toMatchObject({ status: 'settled', positionKwh: -3, deviationKwh: -1, gridExportKwh: 1, gridImportKwh: 0 });
    expect(a.totalCost).toBeCloseTo(-0.45 - 0.08, 12);
    expect(b).toMatchObject({ positionKwh: 3, deviationKwh: 2, gridImportKwh: 2 });
    expect(b.feeCost).toBeCloseTo(0.06, 12);
    expect(b.totalCost).toBeCloseTo(0.45 + 0.06 + 0.6, 12);
    expect(c.totalCost).toBeCloseTo(0.3, 12);
  });

  it('a seller who produced less than it sold buys the shortfall at the retail price', () => {
    const [a] = settleSlot(input(t0, { A: -1, B: 3, C: 0 }));
    expect(a).toMatchObject({ deviationKwh: 2, gridImportKwh: 2, gridExportKwh: 0 });
    expect(a.totalCost).toBeCloseTo(-0.45 + 0.6, 12);
  });

  it('keeps a member without a reading awaiting data, inventing nothing', () => {
    const [, b, c] = settleSlot(input(t0, { A: -4, C: 1 }));
    expect(b).toMatchObject({ status: 'awaiting-data', awaiting: 'meter', meteredKwh: null, deviationKwh: null, gridImportCost: null, totalCost: null });
    expect(b.localBoughtKwh).toBe(3);
    expect(c.status).toBe('settled');
  });

  it('keeps a slot without an imbalance price awaiting prices', () => {
    const series = new Map([[t0, 0.21]]);
    const priced = settleSlot({ ...input(t0, { A: -4, B: 5, C: 1 }), prices: imbalancePrices(series)(t0) });
    expect(priced[1].gridImportCost).toBeCloseTo(2 * 0.21, 12);
    expect(priced[0].gridExportRevenue).toBeCloseTo(0.21, 12);
    const unpriced = settleSlot({ ...input(t0 + slot, { A: -4, B: 5, C: 1 }), prices: imbalancePrices(series)(t0 + slot) });
    expect(unpriced.every((s) => s.status === 'awaiting-data' && s.awaiting === 'prices')).toBe(true);
  });

  it('settles a late reading and shows it as late, the whole amount being new', () => {
    const before = settleSlot(input(t0, { A: -4, C: 1 }))[1];
    const after = settleSlot(input(t0, { A: -4, B: 5, C: 1 }))[1];
    const diff = settlementDifference(before, after);
    expect(diff.change).toBe('late');
    expect(diff.delta.totalCost).toBeCloseTo(after.totalCost!, 12);
    expect(diff.delta.gridImportKwh).toBe(2);
  });

  it('re-settles a corrected reading with the difference shown', () => {
    const before = settleSlot(input(t0, { A: -4, B: 5, C: 1 }))[1];
    const after = settleSlot(input(t0, { A: -4, B: 4.5, C: 1 }))[1];
    const diff = settlementDifference(before, after);
    expect(diff.change).toBe('correction');
    expect(diff.delta.meteredKwh).toBeCloseTo(-0.5, 12);
    expect(diff.delta.totalCost).toBeCloseTo(-0.5 * 0.3, 12);
    expect(settlementDifference(after, after).change).toBe('unchanged');
  });

  it('refuses trades of someone who is not a member', () => {
    expect(() => settleSlot(input(t0, {}, [{ buyer: 'Z', seller: 'A', energyKwh: 1, price: 0.1 }]))).toThrow(/Z is not a member/);
  });
});

describe('bills and community figures', () => {
  const s1 = settleSlot(input(t0, { A: -4, B: 5, C: 1 }));
  const s2 = settleSlot(input(t0 + slot, { A: -2, C: 0.5 }, [{ buyer: 'C', seller: 'A', energyKwh: 0.5, price: 0.2 }]));
  const all = [...s1, ...s2];

  it('bills a member for settled slots and lists the ones awaiting data', () => {
    const b = billFor('B', all, t0, t0 + 2 * slot);
    expect(b.slotsSettled).toBe(1);
    expect(b.slotsAwaitingData).toEqual([t0 + slot]);
    expect(b.totalCost).toBeCloseTo(1.11, 12);
    expect(b.lines.map((l) => [l.slotStart, l.status])).toEqual([[t0, 'settled'], [t0 + slot, 'awaiting-data']]);
    const a = billFor('A', all, t0, t0 + 2 * slot, -0.05);
    expect(a.slotsSettled).toBe(2);
    expect(a.localSoldKwh).toBe(3.5);
    expect(a.localSoldRevenue).toBeCloseTo(0.45 + 0.1, 12);
    expect(a.gridExportKwh).toBeCloseTo(1 + 1.5, 12);
    expect(a.totalCost).toBeCloseTo(-0.45 - 0.08 - 0.1 - 1.5 * 0.08 - 0.05, 12);
  });

  it('computes self-sufficiency, self-consumption, saving and average price over complete slots only', () => {
    const f = communityFigures(all, t0, t0 + 2 * slot);
    expect(f.slotsSettled).toBe(1);
    expect(f.slotsAwaitingData).toEqual([t0 + slot]);
    expect(f.consumptionKwh).toBe(6);
    expect(f.productionKwh).toBe(4);
    expect(f.sharedKwh).toBe(4);
    expect(f.selfSufficiency).toBeCloseTo(4 / 6, 12);
    expect(f.selfConsumption).toBe(1);
    expect(f.gridOnlyCost).toBeCloseTo(6 * 0.3 - 4 * 0.08, 12);
    expect(f.actualCost).toBeCloseTo(0.88, 12);
    expect(f.saving).toBeCloseTo(0.6, 12);
    expect(f.averageLocalPrice).toBeCloseTo(0.15, 12);
    expect(f.tradedKwh).toBe(3);
  });
});

describe('settlement conservation (property)', () => {
  const memberArb = fc.constantFrom('m0', 'm1', 'm2', 'm3', 'm4');
  const orderArb = fc.record({
    member: memberArb,
    side: fc.constantFrom('buy' as const, 'sell' as const),
    energyKwh: fc.integer({ min: 1, max: 5000 }).map((wh) => wh / 1000),
    limitPrice: fc.integer({ min: 5, max: 35 }).map((c) => c / 100),
  });
  const readingArb = fc.option(fc.integer({ min: -8000, max: 8000 }).map((wh) => wh / 1000), { nil: null, freq: 5 });

  it('money adds up: members pay what the grid nets plus fees; the community meets the grid at its metered sum', () => {
    fc.assert(
      fc.property(fc.array(orderArb, { maxLength: 30 }), fc.array(readingArb, { minLength: 5, maxLength: 5 }), fc.integer({ min: 0, max: 5 }), (orders, rs, fee) => {
        const cleared = clearSlot(orders.map((o, k) => ({ ...o, id: `o${k}` })));
        const ms = ['m0', 'm1', 'm2', 'm3', 'm4'];
        const readings = new Map(ms.map((m, k) => [m, rs[k]]));
        const result = settleSlot({ slotStart: t0, members: ms, trades: cleared.trades, readings, prices: { importPrice: 0.3, exportPrice: 0.08 }, localGridFee: fee / 100 });
        const sum = (f: (s: (typeof result)[number]) => number): number => result.reduce((a, s) => a + f(s), 0);
        expect(sum((s) => s.localBoughtKwh)).toBeCloseTo(sum((s) => s.localSoldKwh), 9);
        expect(sum((s) => s.localBoughtCost)).toBeCloseTo(sum((s) => s.localSoldRevenue), 9);
        expect(sum((s) => s.feeCost)).toBeCloseTo(cleared.volumeKwh * (fee / 100), 9);
        const settled = result.filter((s) => s.status === 'settled');
        for (const s of result) expect(s.status === 'settled').toBe(readings.get(s.member) !== null);
        if (settled.length === result.length) {
          expect(sum((s) => s.totalCost!)).toBeCloseTo(sum((s) => s.gridImportCost! - s.gridExportRevenue! + s.feeCost), 9);
          expect(sum((s) => s.gridImportKwh! - s.gridExportKwh!)).toBeCloseTo(sum((s) => s.meteredKwh!), 9);
        }
        for (const s of settled) {
          expect(s.meteredKwh! - s.positionKwh).toBeCloseTo(s.deviationKwh!, 12);
          expect(Math.min(s.gridImportKwh!, s.gridExportKwh!)).toBe(0);
        }
      }),
    );
  });
});
