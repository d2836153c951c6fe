/**
 * Builds a self-contained schedule request for a site from stored data: the site's price sensor (latest
 * beliefs known now), its connection limits, its assets' flex models, and the power forecasts of its PV and
 * inflexible loads; anything given in the body overrides what is stored.
 */
import { invalid } from '../core/errors.ts';
import { formatDuration, formatInstant, parseDuration, parseInstant } from '../core/time.ts';
import { readSeries } from '../store/series.ts';
import type { Asset, Scope, Sensor, Site, Store } from '../store/types.ts';

export interface SiteScheduleBody {
  start: string;
  end?: string;
  slots?: number;
  resolution?: string;
  /** Overrides of the flex context (prices, limits, peak price). */
  context?: Record<string, unknown>;
  /** Per asset id: fields that override or complete its stored flex model (e.g. an EV's arrival and departure). */
  assets?: Record<string, Record<string, unknown>>;
}

type SeriesJson = { start: string; resolution: string; unit: string; values: (number | null)[] };

async function storedSeries(store: Store, sensor: Sensor, start: number, end: number, asOf: number): Promise<SeriesJson> {
  const s = await readSeries(store, sensor, { start, end, asOf });
  return { start: formatInstant(s.start), resolution: formatDuration(s.resolutionMs), unit: s.unit, values: s.values };
}

/** The site's price sensor: a price sensor on the site, else one of its price zone in the same account. */
export async function priceSensorOf(store: Store, scope: Scope, site: Site): Promise<Sensor | null> {
  const onSite = (await store.sensors.list(scope, { siteId: site.id })).find((s) => s.quantity === 'price');
  if (onSite) return onSite;
  if (!site.priceZone) return null;
  return (await store.sensors.list(scope, { priceZone: site.priceZone })).find((s) => s.quantity === 'price' && s.accountId === site.accountId) ?? null;
}

function horizon(body: SiteScheduleBody, site: Site): { start: number; end: number; resolutionMs: number } {
  const start = parseInstant(body.start, 'start', site.timezone);
  const resolutionMs = parseDuration(body.resolution ?? 'PT15M');
  if (body.end !== undefined) return { start, end: parseInstant(body.end, 'end', site.timezone), resolutionMs };
  if (body.slots !== undefined) return { start, end: start + body.slots * resolutionMs, resolutionMs };
  throw invalid('end', 'give end or slots');
}

async function assetForecast(store: Store, scope: Scope, asset: Asset, start: number, end: number, now: number): Promise<SeriesJson | undefined> {
  const sensor = (await store.sensors.list(scope, { assetId: asset.id })).find((s) => s.quantity === 'power');
  return sensor ? storedSeries(store, sensor, start, end, now) : undefined;
}

/** A stored flex model's dated targets apply only to the horizons that hold them; the others are left out. */
function targetsWithin(targets: unknown[], start: number, end: number): unknown[] {
  return targets.filter((t) => {
    const at = typeof (t as { at?: unknown })?.at === 'string' ? Date.parse((t as { at: string }).at) : NaN;
    return Number.isNaN(at) || (at > start && at <= end);
  });
}

export async function buildSiteRequest(store: Store, scope: Scope, site: Site, body: SiteScheduleBody, now: number): Promise<Record<string, unknown>> {
  const { start, end, resolutionMs } = horizon(body, site);
  if (end <= start) throw invalid('end', 'must be after start');
  const context: Record<string, unknown> = { ...(body.context ?? {}) };
  if (context.importPrice === undefined) {
    const sensor = await priceSensorOf(store, scope, site);
    if (!sensor) throw invalid('context.importPrice', `site ${site.id} has no price sensor (nor one of its price zone); add one or give context.importPrice`);
    context.importPrice = await storedSeries(store, sensor, start, end, now);
  }
  if (context.importLimitKw === undefined && site.importCapacityKw !== null) context.importLimitKw = site.importCapacityKw;
  if (context.exportLimitKw === undefined && site.exportCapacityKw !== null) context.exportLimitKw = site.exportCapacityKw;

  const stored = await store.assets.list(scope, { siteId: site.id });
  const unknown = Object.keys(body.assets ?? {}).find((id) => !stored.some((a) => String(a.id) === id));
  if (unknown) throw invalid(`assets.${unknown}`, `site ${site.id} has no asset ${unknown}`);
  const assets = [];
  for (const a of stored) {
    const asset: Record<string, unknown> = { ...a.flexModel, ...(body.assets?.[String(a.id)] ?? {}), id: String(a.id), type: a.type };
    if (Array.isArray(asset.socTargets)) asset.socTargets = targetsWithin(asset.socTargets, start, end);
    if ((a.type === 'pv' || a.type === 'inflexible-load') && asset.forecastKw === undefined) {
      const forecast = await assetForecast(store, scope, a, start, end, now);
      if (forecast) asset.forecastKw = forecast;
    }
    assets.push(asset);
  }
  return {
    start: formatInstant(start, site.timezone), end: formatInstant(end, site.timezone), resolution: formatDuration(resolutionMs),
    timezone: site.timezone, context, assets,
  };
}
