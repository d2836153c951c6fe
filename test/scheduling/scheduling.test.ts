import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { DEMO_LOGIN } from '../../src/ingest/demo.ts';
import { scheduling } from '../../src/scheduling/capability.ts';

let srv: RunningServer;
let auth: Record<string, string>;
let siteId: number;

async function call(method: string, url: string, body?: unknown) {
  const res = await srv.app.inject({ method: method as 'GET', url, headers: auth, ...(body === undefined ? {} : { payload: body as object }) });
  return { status: res.statusCode, body: res.body ? res.json() : null };
}

async function waitFor(url: string): Promise<any> {
  for (let i = 0; i < 240; i++) {
    const r = await call('GET', url);
    if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${url} did not finish`);
}

beforeAll(async () => {
  srv = await startServer({ port: 0, dataDir: 'memory://', seedDemo: true, quiet: true, pollingIntervalSeconds: 0.5, capabilities: [scheduling] });
  const login = await srv.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: DEMO_LOGIN });
  auth = { authorization: `Bearer ${login.json().token}` };
  siteId = (await call('GET', '/api/v1/sites')).body.items[0].id;
}, 120_000);
afterAll(() => srv?.close());

describe('site schedules through the API and the job queue', () => {
  it('schedules the demo battery on the stored 2024 prices, stores the plan as scheduler beliefs, and reuses identical pending runs', async () => {
    const asset = await call('POST', '/api/v1/assets', {
      siteId, name: 'Home battery', type: 'battery',
      flexModel: { capacityKwh: 10, socKwh: 5, socMinKwh: 1, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9 },
    });
    expect(asset.status, JSON.stringify(asset.body)).toBe(201);
    const body = { start: '2024-06-15T00:00:00+02:00', end: '2024-06-16T00:00:00+02:00' };
    const first = await call('POST', `/api/v1/sites/${siteId}/schedules`, body);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await call('POST', `/api/v1/sites/${siteId}/schedules`, body);
    if (again.body.reused) expect(again.body.id).toBe(first.body.id);
    const run = await waitFor(first.body.resultUrl);
    expect(run.status, run.error).toBe('done');
    const result = run.result;
    expect(result.status).toBe('optimal');
    const power: number[] = result.assets[0].powerKw;
    expect(power).toHaveLength(96);
    expect(Math.max(...power)).toBeLessThanOrEqual(5 + 1e-6);
    expect(Math.min(...power)).toBeGreaterThanOrEqual(-5 - 1e-6);
    // 2024-06-15 has prices below zero in the afternoon: the battery earns by charging then, so it beats idling.
    expect(result.cost.total).toBeLessThan(result.baseline.cost);
    expect(result.saving).toBeGreaterThan(0);
    const job = await call('GET', `/api/v1/jobs/${first.body.job}`);
    expect(job.body.state).toBe('completed');

    const sensors = (await call('GET', `/api/v1/sensors?assetId=${asset.body.id}`)).body.items;
    expect(sensors).toHaveLength(1);
    const stored = await call('GET', `/api/v1/sensors/${sensors[0].id}/data?start=2024-06-15T00:00:00%2B02:00&end=2024-06-16T00:00:00%2B02:00&source=scheduler`);
    expect(stored.body.values.map((v: number) => Math.round(v * 1000))).toEqual(power.map((v) => Math.round(v * 1000)));
  }, 120_000);

  it('turns a finished schedule into dispatch contracts for the site agent, one per steerable asset', async () => {
    await srv.store.query('INSERT INTO edge_agents (site_id) VALUES ($1) ON CONFLICT DO NOTHING', [siteId]);
    // A horizon that starts in the future of the test clock, so the contracts cover it from its start.
    const body = { start: '2030-01-01T00:00:00+01:00', end: '2030-01-01T06:00:00+01:00', context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: [50, 40, 30, 20, 60, 90] } } };
    const accepted = await call('POST', `/api/v1/sites/${siteId}/schedules`, body);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const run = await waitFor(accepted.body.resultUrl);
    expect(run.status, run.error).toBe('done');
    expect(run.result.contractsOffered).toBe(1);
    const rows = await srv.store.query<{ device: string; state: string; power_kw: number[] | string; duration_ms: number | string }>('SELECT device, state, power_kw, duration_ms FROM edge_contracts WHERE site_id = $1', [siteId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ device: 'battery', state: 'created' });
    const power = (typeof rows[0].power_kw === 'string' ? JSON.parse(rows[0].power_kw) : rows[0].power_kw) as number[];
    expect(power).toHaveLength(72);
    // Each 15-minute slot of the plan becomes three equal 5-minute steps.
    const plan: number[] = run.result.assets[0].powerKw;
    expect(power.filter((_, i) => i % 3 === 0)).toEqual(plan);
  }, 120_000);

  it('leaves out stored SoC targets that fall outside the asked horizon, and keeps those inside', async () => {
    const asset = await call('POST', '/api/v1/assets', {
      siteId, name: 'Dated battery', type: 'battery',
      flexModel: { capacityKwh: 10, socKwh: 5, chargeMaxKw: 5, dischargeMaxKw: 5, socTargets: [{ at: '2024-03-01T07:00:00+01:00', minKwh: 9 }, { at: '2024-06-17T06:00:00+02:00', minKwh: 8 }] },
    });
    expect(asset.status).toBe(201);
    const other = await call('POST', `/api/v1/sites/${siteId}/schedules`, { start: '2024-06-17T00:00:00+02:00', end: '2024-06-17T12:00:00+02:00' });
    expect(other.status, JSON.stringify(other.body)).toBe(202);
    const run = await waitFor(other.body.resultUrl);
    expect(run.status, run.error).toBe('done');
    const soc: number[] = run.result.assets.find((a: { id: string }) => a.id === String(asset.body.id)).socKwh;
    // The target of 06:00 inside the horizon is met: the state at the end of the 05:45 slot is at least 8 kWh.
    expect(soc[23]).toBeGreaterThanOrEqual(8 - 1e-6);
    await call('DELETE', `/api/v1/assets/${asset.body.id}`);
  }, 120_000);

  it('refuses a request whose prices are not stored, naming the field, and creates no run', async () => {
    const before = (await call('GET', `/api/v1/sites/${siteId}/schedules`)).body.items.length;
    const res = await call('POST', `/api/v1/sites/${siteId}/schedules`, { start: '2030-01-01T00:00:00+01:00', slots: 96 });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toMatch(/importPrice/);
    const unknownAsset = await call('POST', `/api/v1/sites/${siteId}/schedules`, { start: '2024-06-15T00:00:00+02:00', slots: 96, assets: { 999999: { socKwh: 1 } } });
    expect(unknownAsset.status).toBe(400);
    expect(unknownAsset.body.errors[0].field).toBe('assets.999999');
    expect((await call('GET', `/api/v1/sites/${siteId}/schedules`)).body.items.length).toBe(before);
  });
});

describe('the two-call charging request', () => {
  it('plans 40 kWh at 11 kW by 07:00 in the cheapest hours of the stored DE-LU prices', async () => {
    const req = { siteId, powerKw: 11, energyKwh: 40, start: '2024-03-04T18:00:00+01:00', deadline: '2024-03-05T07:00:00+01:00' };
    const accepted = await call('POST', '/api/v1/charging-requests', req);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const run = await waitFor(`/api/v1/charging-requests/${accepted.body.id}`);
    expect(run.status, run.error).toBe('done');
    const plan = run.result;
    const energy = plan.slots.reduce((s: number, x: { chargeKw: number; start: string; end: string }) => s + (x.chargeKw * (Date.parse(x.end) - Date.parse(x.start))) / 3_600_000, 0);
    expect(energy).toBeCloseTo(40, 6);
    expect(plan.totalCost).toBeLessThanOrEqual(plan.costAtOnce + 1e-9);
    expect(plan.saving).toBeCloseTo(plan.costAtOnce - plan.totalCost, 9);
    // Every charging slot's price is the stored price of that hour, in EUR/kWh.
    const prices = (await call('GET', `/api/v1/sensors?siteId=${siteId}`)).body.items.find((s: { quantity: string }) => s.quantity === 'price');
    const stored = await call('GET', `/api/v1/sensors/${prices.id}/data?start=2024-03-04T18:00:00%2B01:00&end=2024-03-05T07:00:00%2B01:00&unit=EUR/kWh`);
    const used = plan.slots.filter((s: { chargeKw: number }) => s.chargeKw > 0);
    for (const s of used) {
      const hour = (Date.parse(s.start) - Date.parse('2024-03-04T17:00:00Z')) / 3_600_000;
      expect(s.price).toBeCloseTo(stored.body.values[Math.floor(hour)], 9);
    }
    // 40 kWh at 11 kW takes 3.64 h: the plan uses the cheapest hours, so no unused hour is cheaper than a used one.
    const usedHours = new Set(used.map((s: { start: string }) => Math.floor((Date.parse(s.start) - Date.parse('2024-03-04T17:00:00Z')) / 3_600_000)));
    const maxUsed = Math.max(...[...usedHours].map((h) => stored.body.values[h as number]));
    const cheaperUnused = stored.body.values.filter((v: number, h: number) => !usedHours.has(h) && v < maxUsed - 1e-12);
    expect(cheaperUnused).toEqual([]);
  }, 60_000);

  it('says what is wrong: deadline before start, energy out of reach, prices not known that far ahead', async () => {
    const base = { siteId, powerKw: 11, energyKwh: 40, start: '2024-03-04T18:00:00+01:00', deadline: '2024-03-05T07:00:00+01:00' };
    const early = await call('POST', '/api/v1/charging-requests', { ...base, deadline: '2024-03-04T17:00:00+01:00' });
    expect(early.status).toBe(400);
    expect(early.body.errors[0].field).toBe('deadline');
    const far = await call('POST', '/api/v1/charging-requests', { ...base, energyKwh: 200 });
    expect(far.status).toBe(400);
    expect(far.body.errors[0].field).toBe('energyKwh');
    expect(far.body.detail).toMatch(/143/);
    const ahead = await call('POST', '/api/v1/charging-requests', { ...base, start: '2024-12-31T20:00:00+01:00', deadline: '2025-01-01T07:00:00+01:00' });
    expect(ahead.status).toBe(400);
    expect(ahead.body.detail).toMatch(/known until 2025-01-01T00:00:00/);
    const zone = await call('POST', '/api/v1/charging-requests', { ...base, siteId: undefined, priceZone: 'NZ-OTA2201' });
    expect(zone.status).toBe(400);
    expect(zone.body.errors[0].field).toBe('priceZone');
    const nowhere = await call('POST', '/api/v1/charging-requests', { ...base, siteId: 999999 });
    expect(nowhere.status).toBe(404);
    const bare = await call('POST', '/api/v1/sites', { name: 'No prices', timezone: 'Europe/Berlin' });
    expect(bare.status, JSON.stringify(bare.body)).toBe(201);
    const unpriced = await call('POST', '/api/v1/charging-requests', { ...base, siteId: bare.body.id });
    expect(unpriced.status).toBe(400);
    expect(unpriced.body.errors[0].field).toBe('siteId');
    // None of the refused requests made a run or a job.
    const runs = await srv.store.query<{ n: number | string }>("SELECT count(*) AS n FROM schedule_runs WHERE kind = 'charging' AND (request->>'energyKwh')::float8 = 200 OR (site_id = $1)", [bare.body.id]);
    expect(Number(runs[0].n)).toBe(0);
  });

  it('answers identical charging requests with one run while it is pending, and a price zone as well as a site', async () => {
    const req = { siteId, powerKw: 7.4, energyKwh: 12, start: '2024-05-10T17:00:00+02:00', deadline: '2024-05-11T07:00:00+02:00' };
    const [a, b] = await Promise.all([call('POST', '/api/v1/charging-requests', req), call('POST', '/api/v1/charging-requests', req)]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.reused || b.body.reused).toBe(a.body.id === b.body.id);
    const viaZone = await call('POST', '/api/v1/charging-requests', { ...req, siteId: undefined, priceZone: 'DE-LU', timezone: 'Europe/Berlin' });
    expect(viaZone.status, JSON.stringify(viaZone.body)).toBe(202);
    const [bySite, byZone] = [await waitFor(a.body.resultUrl), await waitFor(viaZone.body.resultUrl)];
    expect(bySite.status, bySite.error).toBe('done');
    expect(byZone.result.slots).toEqual(bySite.result.slots);
    const job = await call('GET', `/api/v1/jobs/${a.body.job}`);
    expect(job.body.state).toBe('completed');
  });
});
