/**
 * The charging route's reads, cut to what a request needs: the site and its price sensor in one prepared
 * statement, and the prices it knows from a per-process cache of whole UTC months that lives a few seconds.
 * Thousands of requests a minute against the same price sensor then read each month once per few seconds
 * instead of once per request; a price written meanwhile is seen at most `PRICE_CACHE_MS` later.
 */
import { notFound } from '../core/errors.ts';
import { readSeries } from '../store/series.ts';
import { toSensor } from '../store/repos/sensors.ts';
import type { Id, Scope, Sensor, Store } from '../store/types.ts';

/** How long a month of prices read for charging requests is reused (ms). */
export const PRICE_CACHE_MS = 2_000;

/**
 * The site (in scope) and its price sensor: a price sensor on the site, else the first of its price zone in the
 * same account (as `priceSensorOf`), null when it has none. 404 when the site is not in scope.
 */
const SITE_PRICE_SENSOR = `
  SELECT st.id, st.account_id, st.timezone, (
    SELECT to_jsonb(x) FROM (
      SELECT s.*, z.timezone FROM sensors s LEFT JOIN sites z ON z.id = s.site_id
      WHERE s.quantity = 'price' AND ($2::int8 IS NULL OR s.account_id = $2)
        AND (s.site_id = st.id OR (st.price_zone IS NOT NULL AND s.price_zone = st.price_zone AND s.account_id = st.account_id))
      ORDER BY (s.site_id IS NOT DISTINCT FROM st.id) DESC, s.id LIMIT 1) x
  ) AS sensor
  FROM sites st WHERE st.id = $1 AND ($2::int8 IS NULL OR st.account_id = $2)`;

export async function sitePriceSensor(store: Store, scope: Scope, siteId: Id): Promise<{ site: { id: Id; accountId: Id; timezone: string }; sensor: Sensor | null }> {
  const rows = await store.query<{ id: number; account_id: number; timezone: string; sensor: unknown }>(SITE_PRICE_SENSOR, [siteId, scope === 'all' ? null : scope.accountId], { prepared: true });
  const r = rows[0];
  if (!r) throw notFound(`site ${siteId}`);
  const raw = typeof r.sensor === 'string' ? JSON.parse(r.sensor) : r.sensor;
  return { site: { id: r.id, accountId: r.account_id, timezone: r.timezone }, sensor: raw ? toSensor(raw as Parameters<typeof toSensor>[0]) : null };
}

type Month = { start: number; end: number; resolutionMs: number; unit: string; values: (number | null)[]; readAt: number };
const months = new Map<string, Promise<Month>>();

function monthStart(t: number, step = 0): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step, 1);
}

function month(store: Store, sensor: Sensor, start: number, now: number, monotonic: number): Promise<Month> {
  const key = `${sensor.id}:${sensor.resolutionMs}:${sensor.unit}:${start}`;
  const cached = months.get(key);
  if (cached) return cached.then((m) => (monotonic - m.readAt <= PRICE_CACHE_MS ? m : (months.get(key) === cached && months.delete(key), month(store, sensor, start, now, monotonic))));
  if (months.size > 500) months.clear();
  const end = monthStart(start, 1);
  const read = readSeries(store, sensor, { start, end, asOf: now }).then((s) => ({ start: s.start, end, resolutionMs: s.resolutionMs, unit: s.unit, values: s.values, readAt: monotonic }));
  months.set(key, read);
  read.catch(() => months.delete(key));
  return read;
}

/**
 * The sensor's prices known now on its own grid from `from` (aligned to the grid) until `end`, from the cached
 * months. Sensors whose grid does not divide a UTC day into whole slots (a day or coarser) are read directly.
 */
export async function pricesKnownNow(store: Store, sensor: Sensor, from: number, end: number, now: number): Promise<{ start: number; resolutionMs: number; unit: string; values: (number | null)[] }> {
  const res = sensor.resolutionMs;
  if (res >= 86_400_000 || 86_400_000 % res !== 0) return readSeries(store, sensor, { start: from, end, asOf: now });
  const monotonic = performance.now();
  const slots = Math.ceil((end - from) / res);
  const values: (number | null)[] = [];
  let unit = sensor.unit;
  for (let m = monthStart(from); values.length < slots; m = monthStart(m, 1)) {
    const chunk = await month(store, sensor, m, now, monotonic);
    unit = chunk.unit;
    const first = Math.max(0, Math.round((from - chunk.start) / res));
    for (let i = first; i < chunk.values.length && values.length < slots; i++) values.push(chunk.values[i]);
    if (chunk.values.length === 0) break;
  }
  while (values.length < slots) values.push(null);
  return { start: from, resolutionMs: res, unit, values };
}

/** Forget the cached prices (tests, or after writing prices that must be seen at once). */
export function forgetCachedPrices(): void {
  months.clear();
}
