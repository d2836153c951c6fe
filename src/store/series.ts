/**
 * Reading and writing a sensor's series in the caller's unit and resolution. The store keeps every sensor in
 * its own unit and on its own grid; this is where conversion (core/units) and resampling (core/series) happen.
 *
 * Resolutions: a read or write may use any resolution that is a whole multiple or a whole divisor of the
 * sensor's. Energy is summed (or split evenly), every other quantity averaged (or repeated). A write at
 * a coarser or finer resolution is resampled to the sensor's before it is stored.
 */
import { invalid } from '../core/errors.ts';
import { aggregationOf, resample } from '../core/series.ts';
import { isAligned, slotCount } from '../core/time.ts';
import { convertValues, unitFits } from '../core/units.ts';
import type { Id, Scope, Sensor, SourceKind, Store } from './types.ts';

export interface ReadSeriesOptions {
  start: number;
  end: number;
  resolutionMs?: number;
  unit?: string;
  asOf?: number;
  sourceKinds?: SourceKind[];
  sourceIds?: Id[];
}

export interface Series { start: number; resolutionMs: number; unit: string; values: (number | null)[] }

export interface WriteSeriesOptions {
  start: number;
  resolutionMs: number;
  unit: string;
  values: ArrayLike<number | null>;
  beliefTime: number;
  sourceId: Id;
}

function checkResolution(resolutionMs: number, sensorMs: number): void {
  if (!Number.isInteger(resolutionMs) || resolutionMs <= 0) throw invalid('resolution', 'must be a positive duration');
  if (resolutionMs % sensorMs !== 0 && sensorMs % resolutionMs !== 0) {
    throw invalid('resolution', `must be a whole multiple or divisor of the sensor's ${sensorMs / 60_000} min`);
  }
}

function checkStart(sensor: Sensor, start: number, resolutionMs: number): void {
  if (!Number.isFinite(start)) throw invalid('start', 'not a time');
  const grid = Math.max(sensor.resolutionMs, resolutionMs);
  const zone = sensor.timezone;
  if (!isAligned(start, grid, zone)) throw invalid('start', `is not on the ${grid / 60_000}-min grid of sensor ${sensor.id} (${zone})`);
}

function checkUnit(sensor: Sensor, unit: string): void {
  if (!unitFits(sensor.quantity, unit)) throw invalid('unit', `"${unit}" is not a unit of ${sensor.quantity} (sensor ${sensor.id} is in ${sensor.unit})`);
}

interface ReadPlan { resolutionMs: number; unit: string; slots: number }

/** Checks a read against the sensor: a resolution that fits its grid, a unit of its quantity, an aligned start. */
function planRead(sensor: Sensor, o: ReadSeriesOptions): ReadPlan {
  const resolutionMs = o.resolutionMs ?? sensor.resolutionMs;
  const unit = o.unit ?? sensor.unit;
  checkResolution(resolutionMs, sensor.resolutionMs);
  checkUnit(sensor, unit);
  if (!Number.isFinite(o.end) || o.end < o.start) throw invalid('end', 'must be a time at or after start');
  checkStart(sensor, o.start, resolutionMs);
  return { resolutionMs, unit, slots: slotCount(o.start, o.end, resolutionMs) };
}

/** Resamples the sensor's own grid to the plan's resolution and converts to its unit. */
function finishRead(sensor: Sensor, start: number, raw: (number | null)[], plan: ReadPlan): Series {
  const resampled = resample(raw, sensor.resolutionMs, plan.resolutionMs, aggregationOf(sensor.quantity)).slice(0, plan.slots);
  const values = plan.unit === sensor.unit ? resampled : convertValues(resampled, sensor.unit, plan.unit, 'unit');
  return { start, resolutionMs: plan.resolutionMs, unit: plan.unit, values };
}

/** The latest belief per slot in [start, end), resampled to `resolutionMs` and converted to `unit`. */
export async function readSeries(store: Store, sensor: Sensor, o: ReadSeriesOptions): Promise<Series> {
  const plan = planRead(sensor, o);
  const raw = await store.beliefs.latest({
    sensorId: sensor.id, sensorResolutionMs: sensor.resolutionMs, start: o.start, end: o.start + plan.slots * plan.resolutionMs,
    asOf: o.asOf, sourceIds: o.sourceIds, sourceKinds: o.sourceKinds,
  });
  return finishRead(sensor, o.start, raw.values, plan);
}

/**
 * readSeries for a sensor known only by id: finds it within the scope and reads in one round trip (the API's
 * read path). Null when the sensor is not in the scope; refuses windows of more than `maxSlots` slots.
 */
export async function readSensorSeries(store: Store, scope: Scope, sensorId: Id, o: ReadSeriesOptions & { maxSlots: number }): Promise<{ sensor: Sensor; series: Series } | null> {
  if (!Number.isFinite(o.start)) throw invalid('start', 'not a time');
  if (!Number.isFinite(o.end) || o.end <= o.start) throw invalid('end', 'must be after start');
  const found = await store.beliefs.latestOfSensor(scope, {
    sensorId, start: o.start, spanMs: o.end - o.start, resolutionMs: o.resolutionMs, maxSlots: o.maxSlots,
    asOf: o.asOf, sourceIds: o.sourceIds, sourceKinds: o.sourceKinds,
  });
  if (!found) return null;
  const plan = planRead(found.sensor, o);
  if (!found.series) throw invalid('end', `at most ${o.maxSlots} slots per read; ask for a shorter range or a coarser resolution`);
  return { sensor: found.sensor, series: finishRead(found.sensor, o.start, found.series.values, plan) };
}

function checkValues(values: ArrayLike<number | null>): (number | null)[] {
  const out: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) out[i] = null;
    else if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`values[${i}]`, 'must be a finite number or null');
    else out[i] = v;
  }
  return out;
}

/** Converts and resamples to the sensor's unit and grid, then writes in one transaction. Returns rows written. */
export async function writeSeries(store: Store, sensor: Sensor, o: WriteSeriesOptions): Promise<number> {
  checkResolution(o.resolutionMs, sensor.resolutionMs);
  checkUnit(sensor, o.unit);
  if (!Number.isFinite(o.beliefTime)) throw invalid('beliefTime', 'not a time');
  checkStart(sensor, o.start, o.resolutionMs);
  let values = checkValues(o.values);
  if (o.resolutionMs > sensor.resolutionMs) values = resample(values, o.resolutionMs, sensor.resolutionMs, aggregationOf(sensor.quantity));
  else if (o.resolutionMs < sensor.resolutionMs) {
    const k = sensor.resolutionMs / o.resolutionMs;
    if (values.length % k !== 0) throw invalid('values', `${values.length} values at ${o.resolutionMs / 60_000} min do not fill whole ${sensor.resolutionMs / 60_000}-min slots of the sensor`);
    values = resample(values, o.resolutionMs, sensor.resolutionMs, aggregationOf(sensor.quantity));
  }
  if (o.unit !== sensor.unit) values = convertValues(values, o.unit, sensor.unit, 'unit');
  return store.beliefs.write([{ sensorId: sensor.id, sourceId: o.sourceId, beliefTime: o.beliefTime, start: o.start, resolutionMs: sensor.resolutionMs, values }]);
}
