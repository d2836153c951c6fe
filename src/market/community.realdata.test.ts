/**
 * A community day on real data: one French home with PV (EMHASS household data, 2024-06-10) and three
 * neighbours without PV (the same home's load on 11, 12 and 13 June, laid on the 10th). Each member's agent
 * bids from a forecast, every hour clears, and settlement runs on the measured values, where a missing value
 * (the PV column is empty at night) leaves the slot awaiting data.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { planOrders, type AgentSlot } from './agent.ts';
import { clearSlot } from './clearing.ts';
import { backstopPrices, settleSlot, type MemberSlotSettlement } from './settlement.ts';
import { billFor, communityFigures } from './bills.ts';
import type { MarketConfig, Trade } from './types.ts';

const CSV = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/household-emhass-fr/long_train_data.csv');
const HOUR = 3_600_000;

/** Hourly kWh per day and hour: load and PV (null when a half-hour value is missing). */
function hourlyKwh(day: string): { load: (number | null)[]; pv: (number | null)[] } {
  const rows = readFileSync(CSV, 'utf8').split('\n').filter((l) => l.startsWith(day));
  const load: (number | null)[] = new Array(24).fill(0);
  const pv: (number | null)[] = new Array(24).fill(0);
  for (const row of rows) {
    const [ts, l, p] = row.split(',');
    const h = Number(ts.slice(11, 13));
    const add = (arr: (number | null)[], v: string): void => {
      arr[h] = v === '' || arr[h] === null ? null : (arr[h] as number) + (Number(v) / 1000) * 0.5;
    };
    add(load, l);
    add(pv, p);
  }
  if (rows.length !== 48) throw new Error(`expected 48 half-hours on ${day}, found ${rows.length}`);
  return { load, pv };
}

const day0 = Date.parse('2024-06-10T00:00:00Z');
const market: MarketConfig = {
  id: 'emhass-street',
  accountId: 'acc',
  slotMs: HOUR,
  timeZone: 'UTC',
  gateClosureLeadMs: 15 * 60_000,
  currency: 'EUR',
  mechanism: 'pay-as-clear',
  retailPrice: 0.2516,
  feedInTariff: 0.1276,
  localGridFee: 0.02,
};

describe('a community day on measured household data', () => {
  const home = hourlyKwh('2024-06-10');
  const neighbours = ['2024-06-11', '2024-06-12', '2024-06-13'].map((d) => hourlyKwh(d).load);
  const members = ['pv-home', 'n1', 'n2', 'n3'];
  // metered net per member and hour (null = missing)
  const metered = new Map<string, (number | null)[]>([
    ['pv-home', home.load.map((l, h) => (l === null || home.pv[h] === null ? null : l - (home.pv[h] as number)))],
    ...neighbours.map((n, k) => [`n${k + 1}`, n] as [string, (number | null)[]]),
  ]);
  // forecasts: the PV home knows its day (PV taken as 0 where missing); neighbours expect yesterday's load
  const forecast = new Map<string, number[]>([
    ['pv-home', home.load.map((l, h) => (l ?? 0) - (home.pv[h] ?? 0))],
    ['n1', home.load.map((l) => l ?? 0)],
    ['n2', neighbours[0].map((l) => l ?? 0)],
    ['n3', neighbours[1].map((l) => l ?? 0)],
  ]);
  const limits = { 'pv-home': { buyUpTo: 0.22, sellFrom: 0.14 }, n1: { buyUpTo: 0.2, sellFrom: 0.2 }, n2: { buyUpTo: 0.17, sellFrom: 0.2 }, n3: { buyUpTo: 0.23, sellFrom: 0.2 } } as const;

  const orders = members.flatMap((m) =>
    planOrders(m, forecast.get(m)!.map((net, h): AgentSlot => ({ slotStart: day0 + h * HOUR, netKwh: net })), limits[m as keyof typeof limits], market, day0 - HOUR),
  );
  const settlements: MemberSlotSettlement[] = [];
  const trades: (Trade & { hour: number })[] = [];
  for (let h = 0; h < 24; h++) {
    const slotStart = day0 + h * HOUR;
    const book = orders.filter((o) => o.slotStart === slotStart).map((o, k) => ({ ...o, id: `${o.member}-${h}-${k}` }));
    const result = clearSlot(book);
    trades.push(...result.trades.map((t) => ({ ...t, hour: h })));
    settlements.push(
      ...settleSlot({
        slotStart,
        members,
        trades: result.trades,
        readings: new Map(members.map((m) => [m, metered.get(m)![h]])),
        prices: backstopPrices(market.retailPrice, market.feedInTariff)(slotStart),
        localGridFee: market.localGridFee,
      }),
    );
  }

  it('trades PV surplus to the neighbours around midday, within everyone\'s limits', () => {
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) {
      expect(t.seller).toBe('pv-home');
      expect(t.price).toBeGreaterThanOrEqual(0.14);
      expect(t.price).toBeLessThanOrEqual(limits[t.buyer as keyof typeof limits].buyUpTo);
    }
    for (const t of trades) expect(forecast.get('pv-home')![t.hour]).toBeLessThan(0);
    expect(new Set(trades.map((t) => t.buyer)).size).toBeGreaterThan(1);
  });

  it('leaves the night hours of the PV home (PV not recorded) awaiting data, with nothing invented', () => {
    const awaiting = settlements.filter((s) => s.status === 'awaiting-data');
    expect(awaiting.length).toBeGreaterThan(0);
    for (const s of awaiting) {
      expect(s.member).toBe('pv-home');
      expect(s.totalCost).toBeNull();
      expect(metered.get('pv-home')![(s.slotStart - day0) / HOUR]).toBeNull();
    }
  });

  it('adds up: members pay the grid\'s net plus fees, and the shares are fractions', () => {
    const f = communityFigures(settlements, day0, day0 + 24 * HOUR);
    const complete = settlements.filter((s) => !f.slotsAwaitingData.includes(s.slotStart));
    const gridNet = complete.reduce((a, s) => a + s.gridImportCost! - s.gridExportRevenue!, 0);
    expect(f.actualCost).toBeCloseTo(gridNet + f.feesCollected, 9);
    expect(f.sharedKwh).toBeLessThanOrEqual(Math.min(f.consumptionKwh, f.productionKwh) + 1e-9);
    expect(f.selfSufficiency!).toBeGreaterThan(0);
    expect(f.selfSufficiency!).toBeLessThanOrEqual(1);
    expect(f.tradedKwh).toBeGreaterThan(0);
    expect(f.averageLocalPrice!).toBeGreaterThanOrEqual(0.14);
    const bills = members.map((m) => billFor(m, settlements, day0, day0 + 24 * HOUR));
    expect(bills.reduce((a, b) => a + b.localSoldKwh, 0)).toBeCloseTo(bills.reduce((a, b) => a + b.localBoughtKwh, 0), 9);
    expect(bills[0].localSoldRevenue).toBeGreaterThan(0);
    expect(bills[0].slotsSettled + bills[0].slotsAwaitingData.length).toBe(24);
  });

  it('pays the PV home, whose forecast was right, no more than the grid alone would', () => {
    const mine = settlements.filter((s) => s.member === 'pv-home' && s.status === 'settled');
    const gridOnly = mine.reduce((a, s) => a + Math.max(0, s.meteredKwh!) * s.importPrice! - Math.max(0, -s.meteredKwh!) * s.exportPrice!, 0);
    const actual = mine.reduce((a, s) => a + s.totalCost!, 0);
    expect(actual).toBeLessThan(gridOnly);
  });
});
