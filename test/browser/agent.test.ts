import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { EdgeService } from '../../src/edge/service.ts';
import { topics } from '../../src/edge/messages.ts';
import { ensureWebBuilt, launchBrowser, logIn, schedulerWarmedUp } from './browser.ts';

const MQTT_URL = process.env.MQTT_TEST_URL ?? 'mqtt://127.0.0.1:1883';
const PREFIX = `gridflex-web-test-${process.pid}-${Date.now()}/`;

let srv: RunningServer;
let edge: EdgeService;
let browser: Browser;
let page: Page;
let siteId = 0;

beforeAll(async () => {
  await ensureWebBuilt();
  srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true });
  await schedulerWarmedUp();
  // the platform's telemetry service on the machine's Mosquitto, under a topic prefix of this test's own
  edge = new EdgeService({ store: srv.store, url: MQTT_URL, topicPrefix: PREFIX, clientId: `gridflex-web-test-${process.pid}`, persistentSession: false, flushMs: 50, log: () => {} });
  await edge.start();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await edge?.stop();
  await srv?.close();
});

async function publishSnapshot(values: Record<string, number>): Promise<void> {
  const client = await mqtt.connectAsync(MQTT_URL, { clientId: `gridflex-web-agent-${process.pid}` });
  const now = new Date().toISOString();
  const msg = { id: `snap-${Date.now()}`, siteId, createdAt: now, kind: 'snapshot', at: now, values };
  await client.publishAsync(topics.up(PREFIX, siteId, 'snapshot'), JSON.stringify(msg), { qos: 1 });
  await client.endAsync();
}

describe('edge agent panel on the site page', () => {
  it('a site whose agent never reported says so', async () => {
    await page.goto(`${srv.url}/#/sites`);
    await logIn(page);
    await page.getByRole('link', { name: 'Demo house' }).click();
    await page.getByRole('heading', { name: 'Edge agent' }).waitFor();
    siteId = Number(page.url().split('#/sites/')[1].split('?')[0]);
    await page.locator('#agent-status').waitFor();
    expect(await page.locator('#agent-status').textContent()).toBe('No agent: none has reported for this site yet.');
  });

  it('telemetry published over MQTT appears on the open page without a reload', async () => {
    await page.evaluate(() => { (window as unknown as { stayed: boolean }).stayed = true; });
    await publishSnapshot({ 'battery.power': -2.5, 'battery.soc': 6.25 });
    await page.locator('[data-channel="battery.power"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('#agent-status').textContent()).toBe('Agent online');
    expect(await page.locator('[data-channel="battery.power"] dd').textContent()).toBe('−2.50 kW');
    expect(await page.locator('[data-channel="battery.soc"] dd').textContent()).toBe('6.25 kWh');
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    // a newer value replaces the shown one, again without a reload
    await publishSnapshot({ 'battery.power': 1.75 });
    await page.waitForFunction(() => document.querySelector('[data-channel="battery.power"] dd')?.textContent === '1.75 kW', undefined, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  });
});
