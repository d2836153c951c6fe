import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import type { BeliefBatch, BeliefRow, Store } from '../store/types.ts';
import { parseSmardCsv } from './formats/smard.ts';
import { parseGenericCsv } from './formats/generic-csv.ts';

/** How to log in to the demo account that the first start creates. */
export const DEMO_LOGIN = { email: 'demo@gridflex.dev', password: 'gridflex-demo' } as const;
export const DEMO_ACCOUNT = 'Demo';

const DEMO_DIR = new URL('../../data/demo/', import.meta.url);
const PRICES_FILE = fileURLToPath(new URL('smard-day-ahead-prices-2024.csv', DEMO_DIR));
const LOAD_FILE = fileURLToPath(new URL('household-load-fr.csv', DEMO_DIR));

/**
 * Seeds the demo account on first start: one site in Berlin whose price sensor holds the real 2024 DE-LU
 * day-ahead prices (SMARD) and whose load sensor holds a real household's load (EMHASS). Does nothing when
 * the demo account exists. Returns what it wrote, or null.
 */
export async function seedDemo(store: Store): Promise<{ sensors: number; values: number } | null> {
  if (await store.accounts.getByName(DEMO_ACCOUNT)) return null;
  const prices = parseSmardCsv(readFileSync(PRICES_FILE, 'utf8')).series.find((s) => s.key === 'DE-LU');
  if (!prices) throw new Error('demo prices: no DE-LU column in the SMARD file');
  const load = parseGenericCsv(readFileSync(LOAD_FILE, 'utf8'), {
    unit: 'W', quantity: 'power', timestampColumn: 'timestamp_utc', valueColumns: ['sensor.power_load_no_var_loads'], resolution: 'PT30M',
  }).series[0];
  return store.transaction(async (tx) => {
    const account = await tx.accounts.create(DEMO_ACCOUNT);
    await tx.users.create('all', { accountId: account.id, email: DEMO_LOGIN.email, password: DEMO_LOGIN.password, role: 'account-admin' });
    const site = await tx.sites.create('all', {
      accountId: account.id, name: 'Demo house', timezone: 'Europe/Berlin', latitude: 52.52, longitude: 13.405,
      priceZone: 'DE-LU', importCapacityKw: 17, exportCapacityKw: 17,
    });
    const priceSensor = await tx.sensors.create('all', {
      accountId: account.id, name: 'Day-ahead price DE-LU', quantity: 'price', unit: 'EUR/MWh', resolutionMs: prices.resolutionMs,
      siteId: site.id, assetId: null, priceZone: 'DE-LU', retentionMs: null,
    });
    const loadSensor = await tx.sensors.create('all', {
      accountId: account.id, name: 'Household load', quantity: 'power', unit: 'kW', resolutionMs: load.resolutionMs,
      siteId: site.id, assetId: null, priceZone: null, retentionMs: null,
    });
    const feed = await tx.sources.ensure({ kind: 'feed', name: 'SMARD.de day-ahead (Bundesnetzagentur, CC BY 4.0)', version: '2024' });
    const meter = await tx.sources.ensure({ kind: 'meter', name: 'EMHASS household (MIT)', version: '1' });
    let values = await tx.beliefs.write(dayAheadBatches(prices, priceSensor.id, feed.id));
    values += await tx.beliefs.writeRows(meterRows(load, loadSensor.id, meter.id, (w) => w / 1000));
    return { sensors: 2, values };
  });
}

type Series = { start: number; resolutionMs: number; values: (number | null)[] };

/** Day-ahead prices as they were known: each Berlin day's prices from noon of the day before. */
function dayAheadBatches(s: Series, sensorId: number, sourceId: number): BeliefBatch[] {
  const batches: BeliefBatch[] = [];
  let i = 0;
  while (i < s.values.length) {
    const t = s.start + i * s.resolutionMs;
    const day = DateTime.fromMillis(t, { zone: 'Europe/Berlin' }).startOf('day');
    const next = day.plus({ days: 1 }).toMillis();
    const n = Math.min(s.values.length - i, Math.ceil((next - t) / s.resolutionMs));
    const beliefTime = day.minus({ hours: 12 }).toMillis();
    batches.push({ sensorId, sourceId, beliefTime, start: t, resolutionMs: s.resolutionMs, values: s.values.slice(i, i + n) });
    i += n;
  }
  return batches;
}

/** Meter readings as they were known: each value at the end of its slot. */
function meterRows(s: Series, sensorId: number, sourceId: number, convert: (v: number) => number): BeliefRow[] {
  const rows: BeliefRow[] = [];
  s.values.forEach((v, i) => {
    if (v === null) return;
    const slotStart = s.start + i * s.resolutionMs;
    rows.push({ sensorId, sourceId, slotStart, beliefTime: slotStart + s.resolutionMs, value: convert(v) });
  });
  return rows;
}
