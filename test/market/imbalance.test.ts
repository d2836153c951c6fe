import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';
import { clearSlotOnce } from '../../src/market/store/clearing.ts';
import { marketsRepo, type Market } from '../../src/market/store/markets.ts';
import { createOrders } from '../../src/market/store/orders.ts';
import { dueSettlements, listSettlements, settleStoredSlot } from '../../src/market/store/settlement.ts';
import { settleDueSlots } from '../../src/market/capability.ts';

/** Settlement at an imbalance price series (EUR/MWh, converted to the market's EUR/kWh), and a power meter. */
let store: Store;
let market: Market;
let priceSensor: number;
const sites: number[] = [];
const meters: number[] = [];
const SLOTS = [Date.parse('2024-06-01T11:00:00Z'), Date.parse('2024-06-01T11:15:00Z')];
const T0 = Date.parse('2024-06-01T10:00:00Z');

beforeAll(async () => {
  store = await openStore({ dataDir: 'memory://', migrate: true });
  const acc = await store.accounts.create('Street');
  const scope = { accountId: acc.id };
  priceSensor = (await store.sensors.create(scope, { accountId: acc.id, name: 'imbalance', quantity: 'price', unit: 'EUR/MWh', resolutionMs: 900_000, priceZone: 'DE-LU' })).id;
  market = await marketsRepo(store).create(acc.id, { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.08, imbalanceSensorId: priceSensor }, T0);
  for (const name of ['pv', 'home']) {
    const site = await store.sites.create(scope, { accountId: acc.id, name, timezone: 'Europe/Berlin' });
    // 5-minute power meters: the slot's energy is their mean kW times a quarter-hour
    const meter = await store.sensors.create(scope, { name: `${name} meter`, quantity: 'power', unit: 'kW', resolutionMs: 300_000, siteId: site.id });
    await marketsRepo(store).putMember(market, { siteId: site.id, meterSensorId: meter.id }, T0);
    sites.push(site.id);
    meters.push(meter.id);
  }
  for (const slot of SLOTS) {
    const iso = new Date(slot).toISOString();
    await createOrders(store, market, { member: String(sites[0]), side: 'sell', energyKwh: 2, limitPrice: 0.1, slot: iso }, T0);
    await createOrders(store, market, { member: String(sites[1]), side: 'buy', energyKwh: 2, limitPrice: 0.2, slot: iso }, T0);
    await clearSlotOnce(store, market.dbId, slot, slot - 300_000);
  }
  const meterSrc = await store.sources.ensure({ kind: 'meter', name: 'm' });
  const feed = await store.sources.ensure({ kind: 'feed', name: 'imbalance' });
  const at = SLOTS[1] + 900_000;
  // pv exports 12 kW for 15 min (3 kWh), home imports 8 kW (2 kWh), both slots
  await store.beliefs.write([
    { sensorId: meters[0], sourceId: meterSrc.id, beliefTime: at, start: SLOTS[0], resolutionMs: 300_000, values: Array(6).fill(-12) },
    { sensorId: meters[1], sourceId: meterSrc.id, beliefTime: at, start: SLOTS[0], resolutionMs: 300_000, values: Array(6).fill(8) },
    { sensorId: priceSensor, sourceId: feed.id, beliefTime: at, start: SLOTS[0], resolutionMs: 900_000, values: [120] },
  ]);
});
afterAll(async () => store.close());

describe('settlement against an imbalance price and power meters', () => {
  it('sells the deviation at the slot imbalance price; a slot without a price awaits prices', async () => {
    for (const slot of SLOTS) await settleStoredSlot(store, market.dbId, slot, SLOTS[1] + 900_000);
    const [pv1, home1, pv2] = await listSettlements(store, market.dbId, SLOTS[0], SLOTS[1] + 900_000);
    expect(pv1).toMatchObject({ status: 'settled', meteredKwh: -3, positionKwh: -2, gridExportKwh: 1, importPrice: 0.12, exportPrice: 0.12 });
    expect(pv1.totalCost).toBeCloseTo(-(2 * 0.15 + 1 * 0.12), 10);
    expect(home1).toMatchObject({ status: 'settled', meteredKwh: 2, deviationKwh: 0, gridImportKwh: 0 });
    expect(pv2).toMatchObject({ status: 'awaiting-data', awaiting: 'prices', meteredKwh: -3, totalCost: null });
  });

  it('the minute job settles again only the slot whose price arrived', async () => {
    const now = SLOTS[1] + 1_800_000;
    await settleDueSlots(store, now);
    expect(await dueSettlements(store, now)).toEqual([]);
    const feed = await store.sources.ensure({ kind: 'feed', name: 'imbalance' });
    await store.beliefs.write([{ sensorId: priceSensor, sourceId: feed.id, beliefTime: now, start: SLOTS[1], resolutionMs: 900_000, values: [100] }]);
    expect((await dueSettlements(store, now + 60_000)).map((d) => d.slotStart)).toEqual([SLOTS[1]]);
    await settleDueSlots(store, now + 60_000);
    const pv2 = (await listSettlements(store, market.dbId, SLOTS[1], SLOTS[1] + 900_000))[0];
    expect(pv2).toMatchObject({ status: 'settled', importPrice: 0.1, gridExportKwh: 1 });
    expect(await dueSettlements(store, now + 120_000)).toEqual([]);
  });
});
