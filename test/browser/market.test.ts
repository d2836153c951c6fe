import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { clearSlotOnce } from '../../src/market/store/clearing.ts';
import { marketsRepo, type Market } from '../../src/market/store/markets.ts';
import { createOrders } from '../../src/market/store/orders.ts';
import { settleStoredSlot } from '../../src/market/store/settlement.ts';
import { ensureWebBuilt, launchBrowser, logIn } from './browser.ts';

let srv: RunningServer;
let browser: Browser;
let page: Page;
let market: Market;
const sites: number[] = [];
const SLOTS = ['2024-06-01T10:00:00Z', '2024-06-01T10:15:00Z'].map(Date.parse);

/** A market of the demo account with three members and two cleared slots: the first metered and settled, the second awaiting meter data. */
async function seedMarket(): Promise<void> {
  const store = srv.store;
  const demo = (await store.users.getByEmail('demo@gridflex.dev'))!;
  const T0 = SLOTS[0] - 3_600_000;
  market = await marketsRepo(store).create(demo.accountId, { name: 'Lindenstrasse', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.08, localGridFee: 0.02 }, T0);
  for (const name of ['PV roof', 'Flat A', 'Flat B']) {
    const s = await store.sites.create({ accountId: demo.accountId }, { accountId: demo.accountId, name, timezone: 'Europe/Berlin' });
    const meter = await store.sensors.create({ accountId: demo.accountId }, { name: `${name} meter`, quantity: 'energy', unit: 'kWh', resolutionMs: 900_000, siteId: s.id });
    await marketsRepo(store).putMember(market, { siteId: s.id, meterSensorId: meter.id }, T0);
    sites.push(s.id);
  }
  for (const [k, slot] of SLOTS.entries()) {
    const iso = new Date(slot).toISOString();
    // buys 10 kWh at 8, 6, 4 ct against sells 10 kWh at 3, 5, 7 ct: 20 kWh at 5.5 ct
    for (const [side, price, site] of [['buy', 0.08, 1], ['buy', 0.06, 2], ['buy', 0.04, 1], ['sell', 0.03, 0], ['sell', k ? 0.06 : 0.05, 0], ['sell', 0.07, 0]] as const) {
      await createOrders(store, market, { member: String(sites[site]), side, energyKwh: 10, limitPrice: price, slot: iso }, T0);
    }
    await clearSlotOnce(store, market.dbId, slot, slot - 300_000);
  }
  const meter = async (site: number, kwh: number) => {
    const sensors = await store.sensors.list({ accountId: demo.accountId });
    const sensor = sensors.find((x) => x.siteId === sites[site])!;
    const src = await store.sources.ensure({ kind: 'meter', name: 'test meter' });
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: src.id, beliefTime: SLOTS[0] + 900_000, start: SLOTS[0], resolutionMs: 900_000, values: [kwh] }]);
  };
  await meter(0, -20);
  await meter(1, 10);
  await meter(2, 12);
  await settleStoredSlot(store, market.dbId, SLOTS[0], SLOTS[0] + 900_000);
  await settleStoredSlot(store, market.dbId, SLOTS[1], SLOTS[1] + 900_000);
}

beforeAll(async () => {
  await ensureWebBuilt();
  srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true, workers: false });
  await seedMarket();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('market page in headless Chromium against the real server', () => {
  it('lists the markets from the navigation', async () => {
    await page.goto(`${srv.url}/#/markets`);
    await logIn(page);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Markets' }).click();
    await page.getByRole('heading', { name: 'Markets' }).waitFor();
    await page.getByRole('link', { name: 'Lindenstrasse' }).click();
    await page.getByRole('heading', { name: 'Lindenstrasse' }).waitFor();
  });

  it('draws the curves of a slot crossing at the clearing price, price and volume over time, and each bill', async () => {
    await page.goto(`${srv.url}/#/markets/${market.dbId}?slot=2024-06-01T10:00:00Z&from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z`);
    await page.getByRole('heading', { name: 'Slot 2024-06-01T10:00:00Z' }).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((el) => (el as HTMLElement & { uplot?: unknown }).uplot));
    const curves = await page.getByRole('img', { name: 'Supply and demand curves' }).evaluate((el) => {
      const u = (el as HTMLElement & { uplot?: { data: (number | null)[][] } }).uplot!;
      return { x: u.data[0], demand: u.data[1], supply: u.data[2], price: el.dataset.price, volume: el.dataset.volume };
    });
    expect(curves.x).toEqual([0, 10, 20, 30]);
    expect(curves.demand).toEqual([0.08, 0.06, 0.04, 0.04]);
    expect(curves.supply).toEqual([0.03, 0.05, 0.07, 0.07]);
    expect(Number(curves.price)).toBeCloseTo(0.055, 10);
    expect(curves.volume).toBe('20');
    // they cross at 20 kWh, where the last matched buy asks 6 ct and the last matched sell 5 ct: the midpoint
    expect(await page.locator('.slot-summary').textContent()).toMatch(/Cleared 20 kWh at 0\.055 EUR\/kWh/);
    const history = await page.getByRole('img', { name: 'Clearing price and volume' }).evaluate((el) => (el as HTMLElement & { uplot?: { data: (number | null)[][] } }).uplot!.data);
    expect(history[0]).toEqual(SLOTS.map((t) => t / 1000));
    expect(history[1].map((v) => Number(v!.toFixed(4)))).toEqual([0.055, 0.06]);
    expect(history[2]).toEqual([20, 20]);
    const bills = page.locator('table.bills tbody tr');
    expect(await bills.count()).toBe(3);
    const pv = await bills.nth(0).locator('td').allTextContents();
    // 20 kWh sold at 5.5 ct in the settled slot; the second slot awaits meter data
    expect(pv.slice(0, 3)).toEqual(['1', '1', '0.000']);
    expect(pv.at(-1)).toBe('-1.10');
    const flatB = await bills.nth(2).locator('td').allTextContents();
    // 10 kWh bought at 5.5 ct + 0.2 fee, 2 kWh more from the grid at 30 ct
    expect(flatB.at(-1)).toBe((10 * 0.055 + 10 * 0.02 + 2 * 0.3).toFixed(2));
  });

  it("another account's market shows not found", async () => {
    await page.goto(`${srv.url}/#/markets/9999`);
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/not found|404/i);
  });
});
