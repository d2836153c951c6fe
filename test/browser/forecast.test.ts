import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.ts';
import { ensureWebBuilt, launchBrowser, logIn, schedulerWarmedUp } from './browser.ts';

const LOAD = 'Household load';
const HALF_HOUR = 1_800_000;

let srv: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
let sensorId = '';

beforeAll(async () => {
  await ensureWebBuilt();
  srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true });
  await schedulerWarmedUp();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** Calls the API from the page with the session cookie and its CSRF token. */
function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(async ([m, p, b]) => {
    const { csrfToken } = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
    const r = await fetch(`/api/v1${p}`, { method: m, headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: b === undefined ? undefined : JSON.stringify(b) });
    if (!r.ok) throw new Error(`${m} ${p}: ${r.status} ${await r.text()}`);
    return r.json();
  }, [method, path, body] as const) as Promise<T>;
}

type Series = { start: string; resolution: string; values: (number | null)[] };
type Drawn = { data: (number | null)[][] };

describe('forecast against actual on the sensor page', () => {
  it('a forecast made from the page is drawn over the measured values with their mean absolute error', async () => {
    await page.goto(`${srv.url}/#/sites`);
    await logIn(page);
    await page.getByRole('heading', { name: 'Sites' }).waitFor();
    const sites = await api<{ items: { id: number }[] }>('GET', '/sites');
    const sensors = await api<{ items: { id: number; name: string }[] }>('GET', `/sensors?siteId=${sites.items[0].id}`);
    sensorId = String(sensors.items.find((s) => s.name === LOAD)!.id);
    // two weeks of a daily load shape up to now, so the forecaster has a recent history
    const now = Math.floor(Date.now() / HALF_HOUR) * HALF_HOUR;
    const from = now - 14 * 48 * HALF_HOUR;
    const history = Array.from({ length: 14 * 48 }, (_, i) => 0.4 + ((i % 48) / 48) * 2);
    await api('POST', `/sensors/${sensorId}/data`, { start: new Date(from).toISOString(), resolution: 'PT30M', unit: 'kW', values: history });

    await page.goto(`${srv.url}/#/sensors/${sensorId}`);
    await page.getByRole('heading', { name: 'Forecast against actual' }).waitFor();
    await page.evaluate(() => {
      const el = document.getElementById('forecast-status')!;
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.getByLabel('Method').selectOption('seasonal-naive-day');
    await page.getByLabel('Horizon').fill('PT24H');
    await page.getByRole('button', { name: 'Make forecast' }).click();
    await page.getByText(/^Forecast job completed: 48 slots of PT30M/).waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toBe('Forecast job queued…');

    // the forecast's window, read back from the API; then "actuals" 0.5 kW above its first 10 slots arrive
    const to = now + 2 * 48 * HALF_HOUR;
    const forecast = await api<Series>('GET', `/sensors/${sensorId}/data?start=${encodeURIComponent(new Date(now).toISOString())}&end=${encodeURIComponent(new Date(to).toISOString())}&source=forecaster`);
    const first = forecast.values.findIndex((v) => v !== null);
    expect(first).toBeGreaterThanOrEqual(0);
    const forecastValues = forecast.values.slice(first, first + 10) as number[];
    // a seasonal-naive day repeats yesterday's shape
    expect(forecastValues.every((v) => v >= 0.4 && v < 2.4)).toBe(true);
    const start = Date.parse(forecast.start) + first * HALF_HOUR;
    await api('POST', `/sensors/${sensorId}/data`, { start: new Date(start).toISOString(), resolution: 'PT30M', unit: 'kW', values: forecastValues.map((v) => v + 0.5) });

    // switch the overlay off and on to read again
    await page.getByLabel('Show the latest forecast').uncheck();
    await page.getByLabel('Show the latest forecast').check();
    await page.waitForFunction(() => /over 10 slots/.test(document.getElementById('forecast-error')?.textContent ?? ''));
    expect(await page.locator('#forecast-error').textContent()).toBe('Mean absolute error 0.500 kW over 10 slots with both values.');
    const drawn = await page.locator('.forecast-chart').evaluate((el) => {
      const u = (el as HTMLElement & { uplot?: Drawn }).uplot!;
      return { x: Array.from(u.data[0]) as number[], actual: Array.from(u.data[1]), forecast: Array.from(u.data[2]) };
    });
    const at = drawn.x.indexOf(start / 1000);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(drawn.forecast.slice(at, at + 10)).toEqual(forecastValues);
    expect(drawn.actual.slice(at, at + 10).map((v) => Math.round(v! * 1e6) / 1e6)).toEqual(forecastValues.map((v) => Math.round((v + 0.5) * 1e6) / 1e6));
  });

  it('a horizon that is not a duration shows the problem naming the field', async () => {
    await page.getByLabel('Horizon').fill('tomorrow');
    await page.getByRole('button', { name: 'Make forecast' }).click();
    const problem = page.locator('#forecast-status [role="alert"]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('horizon');
  });
});
