/**
 * Forecasting on the platform: read a sensor's actuals as known at a time, forecast or back-test with the pure
 * methods of `src/forecast/`, and store forecasts as beliefs of a `forecaster` source named after the method.
 */
import { invalid } from '../core/errors.ts';
import { parseDuration } from '../core/time.ts';
import { backtest, dayAheadBacktest, METHODS, runForecast, type BacktestReport, type MethodName } from '../forecast/index.ts';
import { readSeries } from '../store/series.ts';
import type { Sensor, SourceKind, Store } from '../store/types.ts';

/** Beliefs that count as what happened (not forecasts or plans). */
export const ACTUAL_KINDS: SourceKind[] = ['meter', 'user', 'feed', 'market'];
const DAY = 86_400_000;

export function checkMethod(name: string, field = 'method'): MethodName {
  if (!(METHODS as readonly string[]).includes(name)) throw invalid(field, `must be one of ${METHODS.join(', ')}`);
  return name as MethodName;
}

/** The sensor's time zone: its site's, else the one given, else UTC. */
export async function sensorZone(store: Store, sensor: Sensor, given?: string): Promise<string> {
  if (given) return given;
  if (sensor.siteId !== null) return (await store.sites.get('all', sensor.siteId))?.timezone ?? 'UTC';
  return 'UTC';
}

export interface ForecastSensorOptions { method: MethodName; horizon: string; now: number; historyDays?: number; timeZone?: string }

export interface StoredForecast { sensorId: number; method: MethodName; source: string; beliefTime: number; start: number; resolutionMs: number; values: (number | null)[]; written: number }

/** Forecasts the sensor from the actuals known at `now` and stores the forecast with belief time `now`. */
export async function forecastSensor(store: Store, sensor: Sensor, o: ForecastSensorOptions): Promise<StoredForecast> {
  const horizonMs = parseDuration(o.horizon, 'horizon');
  if (horizonMs > 14 * DAY) throw invalid('horizon', 'at most 14 days');
  const res = sensor.resolutionMs;
  const days = o.historyDays ?? 56;
  const start = Math.floor((o.now - days * DAY) / DAY) * DAY;
  const end = Math.floor(o.now / res) * res;
  const history = await readSeries(store, sensor, { start, end, asOf: o.now, sourceKinds: ACTUAL_KINDS });
  if (history.values.every((v) => v === null)) throw invalid('sensor', `sensor ${sensor.id} has no actual values in the ${days} days before now to forecast from`);
  const f = runForecast({ values: history.values, start, resolutionMs: res, method: o.method, horizon: o.horizon, now: o.now, timeZone: await sensorZone(store, sensor, o.timeZone) });
  const source = await store.sources.ensure({ kind: 'forecaster', name: o.method });
  const written = await store.beliefs.write([{ sensorId: sensor.id, sourceId: source.id, beliefTime: o.now, start: f.start, resolutionMs: res, values: f.values }]);
  return { sensorId: sensor.id, method: o.method, source: `forecaster:${o.method}`, beliefTime: o.now, start: f.start, resolutionMs: res, values: f.values, written };
}

export interface BacktestSensorOptions { methods: MethodName[]; timeZone?: string; start?: number; end?: number; dayAhead?: boolean }

/** The span of the sensor's actuals: [first slot, last slot end). */
async function actualSpan(store: Store, sensor: Sensor): Promise<{ start: number; end: number } | null> {
  const rows = await store.query<{ lo: string | Date | null; hi: string | Date | null }>('SELECT min(slot_start) AS lo, max(slot_start) AS hi FROM beliefs WHERE sensor_id = $1', [sensor.id]);
  if (!rows[0]?.lo) return null;
  return { start: new Date(rows[0].lo).getTime(), end: new Date(rows[0].hi!).getTime() + sensor.resolutionMs };
}

/**
 * A rolling-origin back-test on the sensor's actuals: day-ahead (every day at noon, the next local day;
 * prices known from 12:45 the day before) by default, so no origin sees a value that was not known then.
 */
export async function backtestSensor(store: Store, sensor: Sensor, o: BacktestSensorOptions): Promise<BacktestReport & { timeZone: string; unit: string }> {
  const span = await actualSpan(store, sensor);
  if (!span) throw invalid('sensor', `sensor ${sensor.id} has no values to back-test on`);
  const start = o.start ?? Math.floor(span.start / DAY) * DAY;
  const end = o.end ?? span.end;
  if (end - start < 29 * DAY) throw invalid('sensor', `sensor ${sensor.id} has ${Math.floor((end - start) / DAY)} days of values; a back-test needs at least 29`);
  const series = await readSeries(store, sensor, { start, end: start + Math.floor((end - start) / sensor.resolutionMs) * sensor.resolutionMs, sourceKinds: ACTUAL_KINDS });
  const timeZone = await sensorZone(store, sensor, o.timeZone);
  const methods = o.methods.includes('seasonal-naive-day') ? o.methods : (['seasonal-naive-day', ...o.methods] as MethodName[]);
  const setup = dayAheadBacktest({
    values: series.values, start, resolutionMs: sensor.resolutionMs, timeZone, methods,
    publishedBeforeDayMs: sensor.quantity === 'price' ? 11.25 * 3_600_000 : undefined,
  });
  return { ...backtest(setup), timeZone, unit: sensor.unit };
}
