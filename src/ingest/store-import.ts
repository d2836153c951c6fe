/**
 * Writing parsed files into the store: every series goes to a sensor (price zones and grid nodes to the
 * account's price-zone sensors, building fields and CSV columns to the site's sensors, created on first
 * import), all in one transaction, so a file is written whole or not at all.
 */
import { invalid, notFound } from '../core/errors.ts';
import { formatInstant } from '../core/time.ts';
import { writeSeries } from '../store/series.ts';
import type { BeliefRow, Id, Scope, Sensor, SourceKind, Store } from '../store/types.ts';
import { convertSeries } from './formats/summary.ts';
import type { ParsedSeries, ParseResult, Rejection } from './formats/types.ts';

export interface ImportTarget {
  /** The account new price-zone sensors go into. */
  accountId: Id;
  /** The site whose sensors take building fields and CSV columns. */
  siteId?: Id | null;
  /** One sensor that takes the file's only series. */
  sensorId?: Id | null;
}

export interface StoreImportOptions {
  /** Belief time of series that carry none of their own (a forecast's run time wins where the file has it). */
  beliefTime: number;
  /** Source of series without run times; forecasts (series with run times) get a `forecaster` source. */
  sourceKind?: SourceKind;
  /** Source name; default: the format. */
  sourceName: string;
  /** Called after each series is written: values done of total. */
  onProgress?: (done: number, total: number) => void;
}

export interface ImportedSeries {
  key: string; sensorId: Id; sensorName: string; created: boolean; source: string;
  written: number; start: string; end: string;
}

export interface ImportOutcome { series: ImportedSeries[]; written: number; rejected: Rejection[] }

/** The account's price-zone sensor for a zone or grid node, created on first import. */
async function priceZoneSensor(tx: Store, scope: Scope, accountId: Id, s: ParsedSeries, known: Map<string, Sensor[]>): Promise<{ sensor: Sensor; created: boolean }> {
  // One read of the account's price sensors per import, not one per zone.
  const key = `price:${accountId}`;
  if (!known.has(key)) known.set(key, await tx.sensors.list(scope, { accountId, quantity: 'price' }));
  const found = known.get(key)!.find((x) => x.priceZone === s.key && x.siteId === null && x.assetId === null);
  if (found) return { sensor: found, created: false };
  const sensor = await tx.sensors.create(scope, { accountId, name: `price ${s.key}`, quantity: 'price', unit: s.unit, resolutionMs: s.resolutionMs, priceZone: s.key });
  known.get(key)!.push(sensor);
  return { sensor, created: true };
}

/** The site's sensor named after the field or column, created on first import. */
async function siteSensor(tx: Store, scope: Scope, siteId: Id, s: ParsedSeries): Promise<{ sensor: Sensor; created: boolean }> {
  const found = (await tx.sensors.list(scope, { siteId })).find((x) => x.name === s.key && x.assetId === null);
  if (found) {
    if (found.quantity !== s.quantity) throw invalid(`series "${s.key}"`, `site ${siteId} already has a sensor "${s.key}" of ${found.quantity}, not ${s.quantity}`);
    return { sensor: found, created: false };
  }
  const sensor = await tx.sensors.create(scope, { name: s.key, quantity: s.quantity, unit: s.unit, resolutionMs: s.resolutionMs, siteId });
  return { sensor, created: true };
}

async function sensorFor(tx: Store, scope: Scope, target: ImportTarget, s: ParsedSeries, count: number, known: Map<string, Sensor[]>): Promise<{ sensor: Sensor; created: boolean }> {
  if (target.sensorId != null) {
    if (count !== 1) throw invalid('sensor', `the file holds ${count} series; import it into a site or an account instead of one sensor`);
    const sensor = await tx.sensors.get(scope, target.sensorId);
    if (!sensor) throw notFound(`sensor ${target.sensorId}`);
    if (sensor.quantity !== s.quantity) throw invalid('sensor', `sensor ${sensor.id} holds ${sensor.quantity}; the file holds ${s.quantity}`);
    return { sensor, created: false };
  }
  if (s.quantity === 'price' && target.siteId == null) return priceZoneSensor(tx, scope, target.accountId, s, known);
  if (target.siteId == null) throw invalid('site', `"${s.key}" (${s.quantity}) belongs to a site: give the site`);
  return siteSensor(tx, scope, target.siteId, s);
}

/** Forecast records (one run time per value) as belief rows in the sensor's unit. */
async function writeForecastRows(tx: Store, sensor: Sensor, s: ParsedSeries, sourceId: Id): Promise<number> {
  if (s.resolutionMs !== sensor.resolutionMs) {
    throw invalid(`series "${s.key}"`, `forecasts at ${s.resolutionMs / 60_000} min do not fit sensor ${sensor.id} at ${sensor.resolutionMs / 60_000} min`);
  }
  const converted = s.unit === sensor.unit ? s : convertSeries(s, sensor.unit);
  const rows = [];
  for (let i = 0; i < converted.values.length; i++) {
    const v = converted.values[i];
    const b = s.beliefTimes![i] ?? s.beliefTime;
    if (v === null || b === null || b === undefined) continue;
    rows.push({ sensorId: sensor.id, slotStart: s.start + i * s.resolutionMs, beliefTime: b, sourceId, value: v });
  }
  return rows.length ? tx.beliefs.writeRows(rows) : 0;
}

function sourceOf(s: ParsedSeries, o: StoreImportOptions): { kind: SourceKind; name: string } {
  if (s.beliefTimes) return { kind: 'forecaster', name: s.meta?.schedule ? `${o.sourceName} ${s.meta.schedule}` : o.sourceName };
  return { kind: o.sourceKind ?? 'feed', name: o.sourceName };
}

/** Series on the sensor's own (UTC-aligned, at most hourly) grid go as rows in one bulk write; others through writeSeries. */
function fitsGrid(s: ParsedSeries, sensor: Sensor): boolean {
  return s.resolutionMs === sensor.resolutionMs && s.resolutionMs <= 3_600_000 && s.start % s.resolutionMs === 0;
}

function pushRows(rows: BeliefRow[], sensor: Sensor, s: ParsedSeries, sourceId: Id, beliefTime: number): number {
  const converted = s.unit === sensor.unit ? s.values : convertSeries(s, sensor.unit).values;
  let n = 0;
  for (let i = 0; i < converted.length; i++) {
    const v = converted[i];
    if (v === null || !Number.isFinite(v)) continue;
    rows.push({ sensorId: sensor.id, slotStart: s.start + i * s.resolutionMs, beliefTime, sourceId, value: v });
    n++;
  }
  return n;
}

/** Writes every series of a parsed file in one transaction; a problem with any series writes nothing. */
export async function importParsed(store: Store, scope: Scope, result: ParseResult, target: ImportTarget, o: StoreImportOptions): Promise<ImportOutcome> {
  const total = result.series.reduce((n, s) => n + s.values.length, 0);
  const out = await store.transaction(async (tx) => {
    const series: ImportedSeries[] = [];
    const bulk: BeliefRow[] = [];
    const known = new Map<string, Sensor[]>();
    let done = 0;
    for (const s of result.series) {
      const { sensor, created } = await sensorFor(tx, scope, target, s, result.series.length, known);
      const src = sourceOf(s, o);
      const source = await tx.sources.ensure(src);
      const beliefTime = s.beliefTime ?? o.beliefTime;
      const written = s.beliefTimes
        ? await writeForecastRows(tx, sensor, s, source.id)
        : fitsGrid(s, sensor)
          ? pushRows(bulk, sensor, s, source.id, beliefTime)
          : await writeSeries(tx, sensor, { start: s.start, resolutionMs: s.resolutionMs, unit: s.unit, values: s.values, beliefTime, sourceId: source.id });
      series.push({
        key: s.key, sensorId: sensor.id, sensorName: sensor.name, created, source: `${src.kind}:${src.name}`, written,
        start: formatInstant(s.start), end: formatInstant(s.start + s.values.length * s.resolutionMs),
      });
      done += s.values.length;
      o.onProgress?.(done, total);
    }
    if (bulk.length) await tx.beliefs.writeRows(bulk);
    return series;
  });
  return { series: out, written: out.reduce((n, s) => n + s.written, 0), rejected: result.rejected };
}
