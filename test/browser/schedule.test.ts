import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.ts';
import { formatMoney } from '../../src/web/schedule-format.ts';
import { ensureWebBuilt, launchBrowser, logIn, schedulerWarmedUp } from './browser.ts';

let srv: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
let siteId = '';

beforeAll(async () => {
  await ensureWebBuilt();
  srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true });
  await schedulerWarmedUp();
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  // a site schedule's solve holds this process's event loop (9 s for one battery-day on an idle machine, more
  // on a busy one), and the browser driver's client shares it: give page actions room to wait it out
  page.setDefaultTimeout(120_000);
  await page.goto(`${srv.url}/#/sites`);
  await logIn(page);
  await page.getByRole('link', { name: 'Demo house' }).click();
  await page.getByRole('heading', { name: 'Schedule', exact: true }).waitFor();
  siteId = page.url().split('#/sites/')[1].split('?')[0];
});

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

type Drawn = { data: (number | null)[][]; series: { label?: string }[] };

/** Every text the schedule status line shows, recorded from now on. */
async function recordStatus(): Promise<void> {
  await page.evaluate(() => {
    const el = document.getElementById('schedule-status')!;
    const seen: string[] = [];
    (window as unknown as { statusSeen: string[] }).statusSeen = seen;
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  });
}

describe('schedule panel on the site page, in headless Chromium against the real server', () => {
  it('a battery added from the page is scheduled for 15 June 2024: the job state shows, then the chart draws the API result and the saving', async () => {
    expect(await page.locator('.asset-list').textContent()).toContain('No assets yet');
    await page.getByLabel('Battery name').fill('Cellar battery');
    await page.getByLabel('Capacity (kWh)').fill('13.5');
    await page.getByLabel('Charge power limit (kW)', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Add battery' }).click();
    await page.getByText('Added Cellar battery.').waitFor();
    expect(await page.locator('.asset-list').textContent()).toBe('Cellar battery (battery)');

    await page.getByLabel('First day to plan').fill('2024-06-15');
    await page.getByLabel('Last day to plan').fill('2024-06-15');
    await recordStatus();
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Make schedule' }).click();
    await page.locator('#schedule-saving').waitFor({ timeout: 240_000 }).catch(async (e) => {
      console.log(await page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen));
      throw e;
    });
    console.log(JSON.stringify({ name: 'dashboard schedule asked to drawn (one battery, 96 slots)', value: Date.now() - t0, unit: 'ms' }));
    const seen = await page.evaluate(() => (window as unknown as { statusSeen: string[] }).statusSeen);
    expect(seen.some((t) => /^Job (queued|running|completed)…$/.test(t))).toBe(true);
    expect(seen.at(-1)).toMatch(/^Schedule \d+: (optimal|unmet-wishes)\.$/);

    const runs = await page.evaluate(async (id) => (await (await fetch(`/api/v1/sites/${id}/schedules`)).json()) as { items: { status: string; result: { start: string; currency: string; saving: number; assets: { id: string; powerKw: number[]; socKwh: number[] }[] } }[] }, siteId);
    const result = runs.items[0].result;
    expect(runs.items[0].status).toBe('done');
    expect(Date.parse(result.start)).toBe(Date.parse('2024-06-15T00:00:00+02:00'));
    const drawn = await page.locator('.schedule-power').evaluate((el) => {
      const u = (el as HTMLElement & { uplot?: Drawn }).uplot!;
      return { x: Array.from(u.data[0]) as number[], y: Array.from(u.data[1]), label: u.series[1].label };
    });
    expect(drawn.y).toEqual(result.assets[0].powerKw);
    expect(drawn.y).toHaveLength(96);
    expect(drawn.x[0]).toBe(Date.parse('2024-06-15T00:00:00+02:00') / 1000);
    expect(drawn.label).toBe('Cellar battery');
    // the battery does something on a day of varying prices, within its limits
    expect(drawn.y.some((v) => v !== 0)).toBe(true);
    expect(Math.max(...drawn.y.map(Number))).toBeLessThanOrEqual(4 + 1e-6);
    expect(await page.locator('#schedule-saving').textContent()).toBe(formatMoney(result.saving, result.currency));
    expect(result.saving).toBeGreaterThan(0);
    const soc = await page.locator('.schedule-states').evaluate((el) => Array.from((el as HTMLElement & { uplot?: Drawn }).uplot!.data[1]));
    expect(soc).toEqual(result.assets[0].socKwh);
    // the prices of the same day, hourly from the site's price sensor
    await page.waitForFunction(() => !!(document.querySelector('.schedule-prices') as HTMLElement & { uplot?: unknown }).uplot);
    const prices = await page.locator('.schedule-prices').evaluate((el) => Array.from((el as HTMLElement & { uplot?: Drawn }).uplot!.data[0]));
    expect(prices).toHaveLength(24);
    expect(prices[0]).toBe(drawn.x[0]);
  }, 240_000);

  it('after a reload the latest schedule is shown again', async () => {
    await page.reload();
    await page.locator('#schedule-saving').waitFor();
    expect(await page.locator('#schedule-status').textContent()).toMatch(/^Schedule \d+: /);
  });

  it('a request whose end is before its start shows the problem and its field', async () => {
    await page.getByLabel('First day to plan').fill('2024-06-15');
    await page.getByLabel('Last day to plan').fill('2024-06-10');
    await page.getByRole('button', { name: 'Make schedule' }).click();
    const problem = page.locator('.schedule-problem [role="alert"]');
    await problem.waitFor();
    const text = (await problem.textContent()) ?? '';
    expect(text).toContain('HTTP 400');
    expect(text).toContain('end');
    expect(text).toMatch(/after start/);
  });

  it('a load beyond the connection limit shows the infeasible reason (or the failure) instead of a chart of zeros', async () => {
    type Run = { status: string; result: { status: string; reason?: string; unmet: { assetId: string; message: string }[] } | null };
    const post = (path: string, body: unknown) => page.evaluate(async ([p, b]) => {
      const { csrfToken } = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const r = await fetch(`/api/v1${p}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken }, body: JSON.stringify(b) });
      return { status: r.status, body: await r.json() };
    }, [path, body] as const);
    const latest = async () => (await page.evaluate(async (id) => (await (await fetch(`/api/v1/sites/${id}/schedules`)).json()) as { items: Run[] }, siteId)).items[0];
    const ask = async (day: string) => {
      await page.getByLabel('First day to plan').fill(day);
      await page.getByLabel('Last day to plan').fill(day);
      const before = await page.locator('#schedule-status').textContent();
      await page.getByRole('button', { name: 'Make schedule' }).click();
      await page.waitForFunction((b) => {
        const t = document.getElementById('schedule-status')?.textContent ?? '';
        return (t !== b && /^Schedule \d+: |failed/.test(t)) || !!document.querySelector('.schedule-problem [role="alert"]');
      }, before, { timeout: 240_000 });
      expect(await page.locator('.schedule-problem').textContent()).toBe('');
    };

    const load = await post('/assets', { siteId: Number(siteId), name: 'Furnace', type: 'inflexible-load', flexModel: { forecastKw: 100 } });
    expect(load.status).toBe(201);
    await page.reload();
    await page.getByText('Furnace (inflexible-load)').waitFor();
    await ask('2024-06-15');
    const run = await latest();
    if (run.status === 'failed') {
      expect(await page.locator('.schedule-body [role="alert"]').textContent()).toContain('could not be made');
    } else {
      expect(run.result!.status).toBe('infeasible');
      expect(await page.locator('#schedule-reason').textContent()).toBe(`Infeasible: ${run.result!.reason}`);
    }
  }, 360_000);
});
