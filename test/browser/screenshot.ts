/**
 * Saves a screenshot of the demo site page, with a battery scheduled for its last day, to docs/dashboard.png:
 * `npx tsx test/browser/screenshot.ts` (builds the dashboard when needed, runs an in-memory server with the demo).
 */
import { statSync } from 'node:fs';
import { DateTime } from 'luxon';
import { startServer } from '../../src/api/server.ts';
import { ensureWebBuilt, launchBrowser, logIn, waitForChart } from './browser.ts';

const OUT = 'docs/dashboard.png';
const FROM = process.env.FROM ?? '2024-06-10';
const TO = process.env.TO ?? '2024-06-16';

async function main(): Promise<void> {
  await ensureWebBuilt();
  const srv = await startServer({ port: 0, host: '127.0.0.1', dataDir: 'memory://', seedDemo: true, quiet: true });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`${srv.url}/#/sites`);
    await logIn(page);
    await page.getByRole('link', { name: 'Demo house' }).click();
    await page.getByRole('heading', { name: 'Demo house' }).waitFor();
    await page.goto(`${page.url().split('?')[0]}?from=${FROM}&to=${TO}`);
    const start = DateTime.fromISO(FROM, { zone: 'Europe/Berlin' }).toISO()!;
    await waitForChart(page, 'Day-ahead price DE-LU', start);
    await waitForChart(page, 'Household load', start);
    // a battery and its schedule for the last day shown, so the schedule panel has something to draw
    await page.getByRole('button', { name: 'Add battery' }).click();
    await page.getByText('Added Home battery.').waitFor();
    await page.getByLabel('First day to plan').fill(TO);
    await page.getByLabel('Last day to plan').fill(TO);
    await page.locator('form.schedule-form').evaluate((f) => (f as HTMLFormElement).requestSubmit());
    await page.locator('#schedule-saving').waitFor({ timeout: 120_000 });
    await page.waitForFunction(() => !!(document.querySelector('.schedule-prices') as HTMLElement & { uplot?: unknown }).uplot);
    await page.mouse.move(600, 420);
    await page.screenshot({ path: OUT, fullPage: true });
    console.log(`${OUT}: ${Math.round(statSync(OUT).size / 1024)} KB`);
  } finally {
    await browser.close();
    await srv.close();
  }
}

await main();
