/**
 * Members' metered energy per slot from meter beliefs, and writing posted readings as meter beliefs.
 * Energy sensors are summed, power sensors averaged over the slot and turned into kWh; a slot with any
 * missing meter value, or a meter coarser than the slot, has no reading (nothing is estimated).
 */
import { invalid, unprocessable } from '../../core/errors.ts';
import { isAligned, parseInstant } from '../../core/time.ts';
import { converter } from '../../core/units.ts';
import type { ReadingBatch } from '../../ledger/index.ts';
import { readSeries, writeSeries } from '../../store/series.ts';
import type { Sensor, Store } from '../../store/types.ts';
import type { Market } from './markets.ts';

const HOUR_MS = 3_600_000;

/** Net kWh of the member's meter in [slotStart, slotStart + slotMs), or null when not fully known. */
export async function meteredKwh(store: Store, sensor: Sensor, slotStart: number, slotMs: number): Promise<number | null> {
  if (slotMs % sensor.resolutionMs !== 0) return null;
  const unit = sensor.quantity === 'energy' ? 'kWh' : 'kW';
  const s = await readSeries(store, sensor, { start: slotStart, end: slotStart + slotMs, unit, sourceKinds: ['meter'] });
  if (s.values.length === 0 || s.values.some((v) => v === null)) return null;
  const sum = (s.values as number[]).reduce((a, b) => a + b, 0);
  return sensor.quantity === 'energy' ? sum : (sum / s.values.length) * (slotMs / HOUR_MS);
}

/** The imbalance price (currency per kWh) of a slot from a price sensor, or null when none is known. */
export async function imbalancePrice(store: Store, sensor: Sensor, market: Market, slotStart: number): Promise<number | null> {
  const toPerKwh = converter(sensor.unit, `${market.currency}/kWh`, 'imbalanceSensorId');
  const res = market.slotMs % sensor.resolutionMs === 0 || sensor.resolutionMs % market.slotMs === 0 ? market.slotMs : null;
  if (res === null) return null;
  const s = await readSeries(store, sensor, { start: slotStart, end: slotStart + market.slotMs, resolutionMs: res });
  const v = s.values[0];
  return v === null || v === undefined ? null : toPerKwh(v);
}

/**
 * Writes a batch of per-slot readings (kWh, positive import) to the member's meter sensor as beliefs of a
 * `meter` source. Readings must be on the market's slots; returns the slot starts written.
 */
export async function writeReadings(tx: Store, sensor: Sensor, market: Market, batch: ReadingBatch, beliefTime: number): Promise<number[]> {
  if (!Array.isArray(batch.readings) || batch.readings.length === 0) throw invalid('batch.readings', 'must list at least one reading');
  const source = await tx.sources.ensure({ kind: 'meter', name: `meter:${String(batch.meterId)}` });
  const values = new Map<number, number>();
  batch.readings.forEach((r, i) => {
    const start = parseInstant(r?.slotStart, `batch.readings[${i}].slotStart`);
    if (!isAligned(start, market.slotMs, market.timeZone)) throw invalid(`batch.readings[${i}].slotStart`, `is not on the market's grid of ${market.slotMs / 60_000}-minute slots`);
    if (typeof r.energyKwh !== 'number' || !Number.isFinite(r.energyKwh)) throw invalid(`batch.readings[${i}].energyKwh`, 'must be a finite number of kWh');
    values.set(start, r.energyKwh);
  });
  if (market.slotMs % sensor.resolutionMs !== 0 && sensor.resolutionMs % market.slotMs !== 0) {
    throw unprocessable(`the meter sensor ${sensor.id} has a resolution that does not fit the market's slots`, 'meterSensorId');
  }
  for (const [start, kwh] of values) {
    const value = sensor.quantity === 'energy' ? kwh : kwh / (market.slotMs / HOUR_MS);
    await writeSeries(tx, sensor, { start, resolutionMs: market.slotMs, unit: sensor.quantity === 'energy' ? 'kWh' : 'kW', values: [value], beliefTime, sourceId: source.id });
  }
  return [...values.keys()].sort((a, b) => a - b);
}
