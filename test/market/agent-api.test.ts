import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { marketHarness, type MarketHarness } from './harness.ts';

let h: MarketHarness;
let token: string;
let marketId: number;
let siteId: number;
let sensorId: number;

beforeAll(async () => {
  h = await marketHarness({ start: '2024-06-01T10:00:00Z' });
  const a = await h.login('Street');
  token = a.token;
  siteId = (await h.store.sites.create({ accountId: a.accountId }, { accountId: a.accountId, name: 'home', timezone: 'Europe/Berlin' })).id;
  sensorId = (await h.store.sensors.create({ accountId: a.accountId }, { name: 'meter', quantity: 'energy', unit: 'kWh', resolutionMs: 900_000, siteId })).id;
  marketId = (await h.call(token, 'POST', '/api/v1/markets', { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.08, localGridFee: 0.02 })).json().id;
  await h.call(token, 'PUT', `/api/v1/markets/${marketId}/members/${siteId}`, { meterSensorId: sensorId });
  const forecaster = await h.store.sources.ensure({ kind: 'forecaster', name: 'regression' });
  await h.store.beliefs.write([{ sensorId, sourceId: forecaster.id, beliefTime: Date.parse('2024-06-01T09:00:00Z'), start: Date.parse('2024-06-01T11:00:00Z'), resolutionMs: 900_000, values: [1, -2, -0.5, null] }]);
});
afterAll(async () => h.close());

const agent = (body: unknown, t = token) => h.call(t, 'POST', `/api/v1/markets/${marketId}/members/${siteId}/agent`, body);

describe('POST /api/v1/markets/{id}/members/{siteId}/agent', () => {
  it("places orders from the latest forecasts of the member's meter, within its limits and never worse than the grid", async () => {
    const res = await agent({ limits: { buyUpTo: 0.5, sellFrom: 0.1 }, from: '2024-06-01T11:00:00Z', to: '2024-06-01T12:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    const orders = res.json().items.map((o: { slot: string; side: string; energyKwh: number; limitPrice: number }) => [o.slot, o.side, o.energyKwh, Number(o.limitPrice.toFixed(10))]);
    // buying is capped at retail minus the local fee (0.28); the slot without a forecast gets no order
    expect(orders).toEqual([
      ['2024-06-01T11:00:00Z', 'buy', 1, 0.28],
      ['2024-06-01T11:15:00Z', 'sell', 2, 0.1],
      ['2024-06-01T11:30:00Z', 'sell', 0.5, 0.1],
    ]);
  });

  it('places orders from a plan, covering flexible demand from its own surplus first', async () => {
    const res = await agent({ limits: { buyUpTo: 0.25, sellFrom: 0.12, flexibleBuyUpTo: 0.15 }, slots: [{ slot: '2024-06-01T13:00:00Z', netKwh: -3, flexibleKwh: 1 }, { slot: '2024-06-01T13:15:00Z', netKwh: 0, flexibleKwh: 2 }] });
    const orders = res.json().items.map((o: { slot: string; side: string; energyKwh: number; limitPrice: number }) => [o.slot, o.side, o.energyKwh, Number(o.limitPrice.toFixed(10))]);
    expect(orders).toEqual([
      ['2024-06-01T13:00:00Z', 'sell', 2, 0.12],
      ['2024-06-01T13:15:00Z', 'buy', 2, 0.15],
    ]);
  });

  it("bids the scheduled power of the member's flexible assets: charging as flexible demand, discharging as supply", async () => {
    const scope = { accountId: (await h.store.sites.get('all', siteId))!.accountId };
    const battery = await h.store.assets.create(scope, { siteId, name: 'battery', type: 'battery', flexModel: { capacityKwh: 10 } });
    const pv = await h.store.assets.create(scope, { siteId, name: 'pv', type: 'pv', flexModel: {} });
    const power = (assetId: number) => h.store.sensors.create(scope, { name: 'power', quantity: 'power', unit: 'kW', resolutionMs: 900_000, siteId, assetId });
    const [batteryPower, pvPower] = [await power(battery.id), await power(pv.id)];
    const scheduler = await h.store.sources.ensure({ kind: 'scheduler', name: 'gridflex scheduler', version: '1' });
    const meter = await h.store.sources.ensure({ kind: 'meter', name: 'battery inverter' });
    const at = Date.parse('2024-06-01T09:30:00Z');
    // the schedule: charge 8 kW (2 kWh) at 11:00 and 11:15, idle at 11:30, discharge 4 kW (1 kWh) at 11:45
    await h.store.beliefs.write([
      { sensorId: batteryPower.id, sourceId: scheduler.id, beliefTime: at, start: Date.parse('2024-06-01T11:00:00Z'), resolutionMs: 900_000, values: [8, 8, 0, -4] },
      // measured power and a PV schedule are not the member's flexible plan
      { sensorId: batteryPower.id, sourceId: meter.id, beliefTime: at, start: Date.parse('2024-06-01T11:00:00Z'), resolutionMs: 900_000, values: [1, 1, 1, 1] },
      { sensorId: pvPower.id, sourceId: scheduler.id, beliefTime: at, start: Date.parse('2024-06-01T11:00:00Z'), resolutionMs: 900_000, values: [-20, -20, -20, -20] },
    ]);
    const res = await agent({ limits: { buyUpTo: 0.25, sellFrom: 0.1, flexibleBuyUpTo: 0.15 }, from: '2024-06-01T11:00:00Z', to: '2024-06-01T12:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    const orders = res.json().items.map((o: { slot: string; side: string; energyKwh: number; limitPrice: number }) => [o.slot, o.side, o.energyKwh, Number(o.limitPrice.toFixed(10))]);
    // forecast net 1, -2, -0.5, none: the 11:15 charge takes 2 kWh of the surplus itself
    expect(orders).toEqual([
      ['2024-06-01T11:00:00Z', 'buy', 1, 0.25],
      ['2024-06-01T11:00:00Z', 'buy', 2, 0.15],
      ['2024-06-01T11:30:00Z', 'sell', 0.5, 0.1],
      ['2024-06-01T11:45:00Z', 'sell', 1, 0.1],
    ]);
  });

  it('refuses bad limits naming the field; another account gets 404', async () => {
    const bad = await agent({ limits: { buyUpTo: 0.25, sellFrom: 'x' }, slots: [] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/sellFrom/);
    const noPlan = await agent({ limits: { buyUpTo: 0.25, sellFrom: 0.1 } });
    expect(noPlan.json().detail).toMatch(/slots/);
    const other = await h.login('Other');
    expect((await agent({ limits: { buyUpTo: 0.25, sellFrom: 0.1 }, slots: [] }, other.token)).statusCode).toBe(404);
  });
});
