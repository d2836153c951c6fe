import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

/** Debian's Chromium; never a downloaded browser. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const WEB_SRC = 'src/web';
const WEB_OUT = 'dist/web/index.html';

function newestSource(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestSource(path) : st.mtimeMs);
  }
  return newest;
}

/** Builds the dashboard when `dist/web` is missing or older than its sources, so the test drives the current code. */
export async function ensureWebBuilt(): Promise<void> {
  if (existsSync(WEB_OUT) && statSync(WEB_OUT).mtimeMs >= newestSource(WEB_SRC)) return;
  await build({ configFile: `${WEB_SRC}/vite.config.ts`, logLevel: 'warn' });
}

export const DEMO = { email: 'demo@gridflex.dev', password: 'gridflex-demo' };

/** Logs in through the log-in form. */
export async function logIn(page: Page, email = DEMO.email, password = DEMO.password): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** The series a chart draws: x in Unix seconds and y, read from the uPlot instance kept on its element. */
export async function chartData(page: Page, sensorName: string): Promise<{ x: number[]; y: (number | null)[]; min: number; max: number; axisLabels: string[] }> {
  return page.locator(`section[aria-label="${sensorName}"] .chart`).evaluate((el) => {
    type Drawn = { data: [number[], (number | null)[]]; scales: { x: { min: number; max: number } }; axes: { label?: string }[] };
    const u = (el as HTMLElement & { uplot?: Drawn }).uplot;
    if (!u) throw new Error('no chart drawn');
    return { x: Array.from(u.data[0]), y: Array.from(u.data[1]), min: u.scales.x.min, max: u.scales.x.max, axisLabels: u.axes.map((a) => a.label ?? '') };
  });
}

/** Waits until the chart of a sensor draws data whose first slot starts at `startIso`. */
export async function waitForChart(page: Page, sensorName: string, startIso: string, slots?: number): Promise<void> {
  const startSec = Date.parse(startIso) / 1000;
  await page.waitForFunction(([name, t0, n]) => {
    const el = document.querySelector(`section[aria-label="${name}"] .chart`) as (HTMLElement & { uplot?: { data: number[][] } }) | null;
    const u = el?.uplot;
    return !!u && u.data[0][0] === t0 && (n === null || u.data[0].length === n) && !el.hasAttribute('aria-busy');
  }, [sensorName, startSec, slots ?? null] as const);
}

/**
 * Waits until HiGHS has loaded in this process: a server started in the test's own process loads it for its
 * warm-up (which yields between solves), and loading the WASM holds the event loop the browser driver shares.
 */
export async function schedulerWarmedUp(): Promise<void> {
  const { highsInstance } = await import('../../src/schedule/highs.ts');
  await highsInstance();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
