import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/api/server.ts';
import { chartData, ensureWebBuilt, launchBrowser, logIn, waitForChart } from './browser.ts';

const PRICE = 'Day-ahead price DE-LU';
const LOAD = 'Household load';
const SMARD = '../shared/data/prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv';

/** The first `n` DE-LU prices of 2024 straight from the SMARD file (decimal comma, `;` separator). */
function smardPrices(n: number): number[] {
  const rows = readFileSync(SMARD, 'utf8').replace(/^\uFEFF/, '').split('\n').slice(1, 1 + n);
  return rows.map((r) => Number(r.split(';')[2].replace(',', '.')));
}

const EMHASS = '../shared/data/household-emhass-fr/long_train_data.csv';

/** The household's recorded load (W in the file, kW here) for the slots of 2024 in Berlin time, missing rows left out. */
function householdLoad2024Kw(): number[] {
  const from = Date.parse('2024-01-01T00:00:00+01:00');
  const to = Date.parse('2025-01-01T00:00:00+01:00');
  return readFileSync(EMHASS, 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','))
    .filter(([ts, w]) => w !== '' && Date.parse(ts.replace(' ', 'T')) >= from && Date.parse(ts.replace(' ', 'T')) < to)
    .map(([, w]) => Number(w) / 1000);
}

let srv: { url: string; close(): Promise<void> };
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  await ensureWebBuilt();
  srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true });
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
});

afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

async function openDemoSite(range?: string): Promise<string> {
  await page.goto(`${srv.url}/#/sites`);
  await page.getByRole('link', { name: 'Demo house' }).click();
  await page.getByRole('heading', { name: 'Demo house' }).waitFor();
  const siteUrl = page.url().split('?')[0];
  if (range) await page.goto(`${siteUrl}?${range}`);
  return siteUrl;
}

describe('dashboard in headless Chromium against the real server', () => {
  it('without a session every page shows the log-in form; wrong passwords are refused with the reason', async () => {
    await page.goto(`${srv.url}/#/sites`);
    await expect(page.getByRole('heading', { name: 'Log in to gridflex' }).isVisible()).resolves.toBe(true);
    await logIn(page, 'demo@gridflex.dev', 'wrong-password');
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/401|credentials|password/i);
    await logIn(page);
    await page.getByRole('heading', { name: 'Sites' }).waitFor();
    expect(await page.locator('table.sites tbody tr').count()).toBe(1);
    expect(await page.locator('table.sites').textContent()).toContain('Europe/Berlin');
  });

  it('the demo site opens on a week with data, both charts show values and the axes name unit and sign', async () => {
    await openDemoSite();
    await page.locator(`section[aria-label="${PRICE}"] .chart .u-over`).waitFor();
    await page.locator(`section[aria-label="${LOAD}"] .chart .u-over`).waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.chart')].every((el) => !el.hasAttribute('aria-busy') && (el as HTMLElement & { uplot?: unknown }).uplot));
    const from = await page.getByLabel('From').inputValue();
    const to = await page.getByLabel('To (inclusive)').inputValue();
    expect((Date.parse(to) - Date.parse(from)) / 86_400_000).toBe(6);
    expect(from.startsWith('2024') || from.startsWith('2025')).toBe(true);
    for (const name of [PRICE, LOAD]) {
      const { y } = await chartData(page, name);
      expect(y.filter((v) => v !== null).length).toBeGreaterThan(100);
    }
    expect((await chartData(page, PRICE)).axisLabels).toEqual(['Time (Europe/Berlin)', 'Price (EUR/MWh)']);
    expect((await chartData(page, LOAD)).axisLabels).toEqual(['Time (Europe/Berlin)', 'Power (kW) + consumed / − produced']);
  });

  it('the price chart draws exactly the stored prices of 2024-01-01, the same as the SMARD file and the API', async () => {
    await openDemoSite();
    await page.getByLabel('From').fill('2024-01-01');
    await page.getByLabel('To (inclusive)').fill('2024-01-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await waitForChart(page, PRICE, '2024-01-01T00:00:00+01:00', 24);
    const drawn = await chartData(page, PRICE);
    const expected = smardPrices(24);
    expect(drawn.y).toHaveLength(24);
    drawn.y.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    expect(drawn.x[23] - drawn.x[0]).toBe(23 * 3600);
    const sensorId = await page.locator(`section[aria-label="${PRICE}"]`).getAttribute('data-sensor-id');
    const api = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/sensors/${id}/data?start=2024-01-01T00:00:00%2B01:00&end=2024-01-02T00:00:00%2B01:00`);
      return (await r.json()) as { values: number[] };
    }, sensorId);
    expect(drawn.y).toEqual(api.values);
    // the range is kept in the address, so a reload shows the same day
    expect(page.url()).toContain('from=2024-01-01&to=2024-01-01');
  });

  it('drag zooms both charts to the same window and a double-click resets them', async () => {
    await openDemoSite('from=2024-01-01&to=2024-01-07');
    await waitForChart(page, PRICE, '2024-01-01T00:00:00+01:00', 168);
    await waitForChart(page, LOAD, '2024-01-01T00:00:00+01:00');
    const full = await chartData(page, PRICE);
    // both charts show the whole chosen week, midnight to midnight in Berlin
    expect(full.min).toBe(Date.parse('2024-01-01T00:00:00+01:00') / 1000);
    expect(full.max).toBe(Date.parse('2024-01-08T00:00:00+01:00') / 1000);
    expect((await chartData(page, LOAD)).max).toBe(full.max);
    const over = page.locator(`section[aria-label="${PRICE}"] .u-over`);
    const box = (await over.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    const zoomed = await chartData(page, PRICE);
    const other = await chartData(page, LOAD);
    expect(zoomed.max - zoomed.min).toBeLessThan((full.max - full.min) * 0.4);
    expect(zoomed.min).toBeGreaterThan(full.min);
    expect(other.min).toBeCloseTo(zoomed.min, 3);
    expect(other.max).toBeCloseTo(zoomed.max, 3);
    await over.dblclick({ position: { x: box.width * 0.7, y: box.height / 2 } });
    const reset = await chartData(page, PRICE);
    expect(reset.min).toBe(full.min);
    expect(reset.max).toBe(full.max);
    expect((await chartData(page, LOAD)).max).toBe(full.max);
    // the same without a mouse: zoom, then the reset button
    await page.mouse.move(box.x + box.width * 0.1, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.2, box.y + 20, { steps: 3 });
    await page.mouse.up();
    expect((await chartData(page, LOAD)).max).toBeLessThan(full.max);
    await page.getByRole('button', { name: `Reset zoom of ${LOAD}` }).click();
    expect(await chartData(page, PRICE)).toMatchObject({ min: full.min, max: full.max });
  });

  it('a whole year draws every hourly price of 2024 (8,784 slots, none missing) and every half hour of load', async () => {
    await openDemoSite('from=2024-01-01&to=2024-01-01');
    await waitForChart(page, PRICE, '2024-01-01T00:00:00+01:00', 24);
    await page.getByLabel('To (inclusive)').fill('2024-12-31');
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Show' }).click();
    await waitForChart(page, PRICE, '2024-01-01T00:00:00+01:00', 8784);
    await waitForChart(page, LOAD, '2024-01-01T00:00:00+01:00', 17568);
    const ms = Date.now() - t0;
    const prices = await chartData(page, PRICE);
    expect(prices.y.filter((v) => v === null)).toHaveLength(0);
    expect(prices.y.slice(0, 24)).toEqual(smardPrices(24).map((v) => expect.closeTo(v, 6)));
    const load = await chartData(page, LOAD);
    // the household's recording starts on 28 February 2024
    expect(load.y.slice(0, 48 * 57).every((v) => v === null)).toBe(true);
    const recorded = householdLoad2024Kw();
    const drawnLoad = load.y.filter((v): v is number => v !== null);
    expect(drawnLoad).toHaveLength(recorded.length);
    expect(drawnLoad.reduce((a, b) => a + b, 0)).toBeCloseTo(recorded.reduce((a, b) => a + b, 0), 3);
    console.log(JSON.stringify({ name: 'dashboard year view, read and drawn (8,784 + 17,568 points)', value: ms, unit: 'ms' }));
  });

  it('a date range the wrong way round is refused naming the field, and an unknown site answers not found', async () => {
    await openDemoSite('from=2024-01-01&to=2024-01-01');
    await waitForChart(page, PRICE, '2024-01-01T00:00:00+01:00', 24);
    await page.getByLabel('From').fill('2024-01-10');
    await page.getByLabel('To (inclusive)').fill('2024-01-03');
    await page.getByRole('button', { name: 'Show' }).click();
    expect(await page.locator('#range-error').textContent()).toBe('To: must not be before From');
    expect((await chartData(page, PRICE)).y).toHaveLength(24);
    await page.goto(`${srv.url}/#/sites/987654`);
    const problem = page.getByRole('alert');
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(/not found/i);
  });

  it('an uploaded CSV shows its values in the sensor chart; a bad CSV names its lines and writes nothing', async () => {
    await openDemoSite('from=2024-01-01&to=2024-01-01');
    await page.getByRole('link', { name: PRICE }).click();
    await page.getByRole('heading', { name: 'Upload CSV' }).waitFor();
    const csv = ['timestamp,value', ...[0, 1, 2, 3, 4, 5].map((h) => `2025-06-01T0${h}:00:00+02:00,${(h + 1) * 11.5}`)].join('\n');
    await page.getByLabel('CSV file').setInputFiles({ name: 'prices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Wrote 6 values').waitFor();
    expect(await page.getByText('Wrote 6 values').textContent()).toBe('Wrote 6 values from 2025-06-01 00:00 to 2025-06-01 06:00 (Europe/Berlin).');
    await waitForChart(page, PRICE, '2025-06-01T00:00:00+02:00', 24);
    const drawn = await chartData(page, PRICE);
    expect(drawn.y.slice(0, 6)).toEqual([11.5, 23, 34.5, 46, 57.5, 69]);
    expect(drawn.y.slice(6).every((v) => v === null)).toBe(true);

    // timestamps without offset are read in the site's zone; values in ct/kWh become EUR/MWh
    const local = 'timestamp,value\n2025-06-01 06:00,1.5\n2025-06-01 07:00,2';
    await page.getByLabel('Unit of the values').fill('ct/kWh');
    await page.getByLabel('CSV file').setInputFiles({ name: 'local.csv', mimeType: 'text/csv', buffer: Buffer.from(local) });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Wrote 2 values').waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('.chart') as HTMLElement & { uplot?: { data: (number | null)[][] } };
      return el?.uplot?.data[1][6] !== null && !el.hasAttribute('aria-busy');
    });
    expect((await chartData(page, PRICE)).y.slice(6, 8)).toEqual([15, 20]);

    const bad = 'timestamp,value\n2025-06-02T00:00:00+02:00,10\n2025-06-02T01:00:00+02:00,abc\nnot-a-time,12\n';
    await page.getByLabel('Unit of the values').fill('EUR/MWh');
    await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const problem = page.locator('.upload-result [role="alert"]');
    await problem.waitFor();
    const text = (await problem.textContent()) ?? '';
    expect(text).toContain('line 3');
    expect(text).toContain('line 4');
    expect(text).not.toContain('line 2:');
    const sensorId = await page.locator('section.sensor-card').getAttribute('data-sensor-id');
    const stored = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/sensors/${id}/data?start=2025-06-02T00:00:00%2B02:00&end=2025-06-02T03:00:00%2B02:00`);
      return ((await r.json()) as { values: (number | null)[] }).values;
    }, sensorId);
    expect(stored).toEqual([null, null, null]);
  });

  it('the sensor page shows values in another unit and as known before the upload (nothing yet)', async () => {
    // still on the price sensor page, showing 2025-06-01 with the uploaded values
    await waitForChart(page, PRICE, '2025-06-01T00:00:00+02:00', 24);
    await page.getByLabel('Show in unit').fill('ct/kWh');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => (document.querySelector('.chart') as HTMLElement & { uplot?: { data: number[][] } }).uplot?.data[1][0] === 1.15);
    const inCents = await chartData(page, PRICE);
    expect(inCents.y.slice(0, 8).map((v) => Math.round(v! * 1000) / 1000)).toEqual([1.15, 2.3, 3.45, 4.6, 5.75, 6.9, 1.5, 2]);
    expect(inCents.axisLabels[1]).toBe('Price (ct/kWh)');

    await page.getByLabel('Show in unit').fill('EUR/MWh');
    await page.getByLabel(/As known at/).fill('2025-01-01T00:00');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => (document.querySelector('.chart') as HTMLElement & { uplot?: { data: number[][] } }).uplot?.data[1][0] === null);
    expect((await chartData(page, PRICE)).y.every((v) => v === null)).toBe(true);

    await page.getByLabel(/As known at/).fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForFunction(() => (document.querySelector('.chart') as HTMLElement & { uplot?: { data: number[][] } }).uplot?.data[1][0] === 11.5);
  });

  it('after a reload the session survives and uploads still pass the CSRF check; logging out returns to the log-in page', async () => {
    await page.reload();
    await page.getByRole('heading', { name: 'Upload CSV' }).waitFor();
    await page.getByLabel('Unit of the values').fill('EUR/MWh');
    await page.getByLabel('CSV file').setInputFiles({ name: 'one.csv', mimeType: 'text/csv', buffer: Buffer.from('2025-06-03T00:00:00+02:00,42\n') });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('Wrote 1 value from').waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to gridflex' }).waitFor();
    await page.goto(`${srv.url}/#/sites`);
    await page.getByRole('heading', { name: 'Log in to gridflex' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/sites')).status);
    expect(status).toBe(401);
  });
  it('a viewer sees the charts but no upload form', async () => {
    await page.goto(`${srv.url}/#/sites`);
    await logIn(page);
    await page.getByRole('heading', { name: 'Sites' }).waitFor();
    const created = await page.evaluate(async () => {
      const { csrfToken } = (await (await fetch('/api/v1/me')).json()) as { csrfToken: string };
      const r = await fetch('/api/v1/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken },
        body: JSON.stringify({ email: 'viewer@gridflex.dev', password: 'viewer-password', role: 'viewer' }),
      });
      return r.status;
    });
    expect(created).toBe(201);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Log in to gridflex' }).waitFor();
    await logIn(page, 'viewer@gridflex.dev', 'viewer-password');
    await page.getByRole('link', { name: 'Demo house' }).click();
    await page.getByRole('link', { name: PRICE }).click();
    await page.locator('#read-only').waitFor();
    expect(await page.getByRole('button', { name: 'Upload' }).count()).toBe(0);
    await page.waitForFunction(() => !!(document.querySelector('.chart') as HTMLElement & { uplot?: unknown }).uplot);
    expect((await chartData(page, PRICE)).y.some((v) => v !== null)).toBe(true);
    expect(await page.locator('.who').textContent()).toBe('viewer@gridflex.dev (viewer)');
    // the skip link moves focus to the content and keeps the route in the address
    const before = page.url();
    await page.locator('.skip').focus();
    await page.keyboard.press('Enter');
    expect(page.url()).toBe(before);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('a token made on the tokens page works against the API until it is revoked there', async () => {
    // still logged in as the viewer: a viewer may hold tokens too (they read only)
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByRole('heading', { name: 'API tokens' }).waitFor();
    await page.getByText('No API tokens yet.').waitFor();
    await page.getByRole('button', { name: 'Create token' }).click();
    expect(await page.getByLabel('Name').evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
    await page.getByLabel('Name').fill('nightly import');
    await page.getByLabel('Expires after').selectOption({ label: '90 days' });
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByLabel('New token secret').textContent())!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const me = await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await me.json()) as { user: { email: string } }).user.email).toBe('viewer@gridflex.dev');
    const row = page.getByRole('row', { name: /nightly import/ });
    await row.waitFor();
    const expires = Date.parse(((await (await fetch(`${srv.url}/api/v1/tokens`, { headers: { authorization: `Bearer ${secret}` } })).json()) as { items: { expiresAt: string }[] }).items[0].expiresAt);
    expect(Math.abs(expires - (Date.now() + 90 * 86_400_000))).toBeLessThan(600_000);
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke nightly import' }).click();
    await page.getByRole('row', { name: /nightly import.*revoked/ }).waitFor();
    expect((await fetch(`${srv.url}/api/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);
  });
});
