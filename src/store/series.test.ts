import { expect, it } from 'vitest';
import { describeStores, MIN15, HOUR, T0 } from './test-helpers.ts';
import fc from 'fast-check';
import { readSensorSeries, readSeries, writeSeries } from './series.ts';
import type { Quantity } from '../core/units.ts';
import type { SourceKind, Store } from './types.ts';

async function sensorOf(store: Store, tag: string, quantity: Quantity, unit: string, resolutionMs = MIN15) {
  const account = await store.accounts.create(`series-${tag}`);
  const site = await store.sites.create('all', { accountId: account.id, name: 'site', timezone: 'Europe/Berlin' });
  const sensor = await store.sensors.create('all', { name: tag, quantity, unit, resolutionMs, siteId: site.id });
  const source = await store.sources.ensure({ kind: 'user', name: `user-${tag}` });
  return { sensor, source };
}

describeStores('series: resample and convert', (ctx) => {
  it('power written in W at 15 min reads back in kW as hourly means', async () => {
    const { store } = ctx;
    const { sensor, source } = await sensorOf(store, 'power', 'power', 'kW');
    await writeSeries(store, sensor, { start: T0, resolutionMs: MIN15, unit: 'W', values: [1000, 2000, 3000, 4000, 500, null, 1500, null], beliefTime: T0, sourceId: source.id });
    expect((await store.beliefs.latest({ sensorId: sensor.id, start: T0, end: T0 + 2 * MIN15 })).values).toEqual([1, 2]);
    const hourly = await readSeries(store, sensor, { start: T0, end: T0 + 2 * HOUR, resolutionMs: HOUR, unit: 'kW' });
    expect(hourly).toEqual({ start: T0, resolutionMs: HOUR, unit: 'kW', values: [2.5, 1] });
    const inMw = await readSeries(store, sensor, { start: T0, end: T0 + HOUR, unit: 'MW' });
    expect(inMw.values).toEqual([0.001, 0.002, 0.003, 0.004]);
  });

  it('energy sums when coarsened and splits when refined, on write and on read', async () => {
    const { store } = ctx;
    const { sensor, source } = await sensorOf(store, 'energy', 'energy', 'kWh');
    // An hourly value of 2 kWh written to a 15-min sensor becomes four quarters of 0.5 kWh.
    await writeSeries(store, sensor, { start: T0, resolutionMs: HOUR, unit: 'kWh', values: [2, 4], beliefTime: T0, sourceId: source.id });
    expect((await readSeries(store, sensor, { start: T0, end: T0 + 2 * HOUR })).values).toEqual([0.5, 0.5, 0.5, 0.5, 1, 1, 1, 1]);
    expect((await readSeries(store, sensor, { start: T0, end: T0 + 2 * HOUR, resolutionMs: HOUR, unit: 'Wh' })).values).toEqual([2000, 4000]);
    // 5-min values are summed into the sensor's quarters.
    await writeSeries(store, sensor, { start: T0, resolutionMs: 5 * 60_000, unit: 'Wh', values: [100, 200, 300, 50, 50, 50], beliefTime: T0 + 1, sourceId: source.id });
    expect((await readSeries(store, sensor, { start: T0, end: T0 + 2 * MIN15 })).values).toEqual([0.6, 0.15]);
  });

  it('prices convert between EUR/MWh and ct/kWh', async () => {
    const { store } = ctx;
    const { sensor, source } = await sensorOf(store, 'price', 'price', 'EUR/MWh', HOUR);
    await writeSeries(store, sensor, { start: T0, resolutionMs: HOUR, unit: 'ct/kWh', values: [8.5, 12], beliefTime: T0, sourceId: source.id });
    const read = await readSeries(store, sensor, { start: T0, end: T0 + 2 * HOUR });
    expect(read.values.map((v) => Math.round(v! * 1e9) / 1e9)).toEqual([85, 120]);
  });

  it('bad input names the field', async () => {
    const { store } = ctx;
    const { sensor, source } = await sensorOf(store, 'bad', 'power', 'kW');
    const ok = { start: T0, resolutionMs: MIN15, unit: 'kW', values: [1, 2, 3, 4], beliefTime: T0, sourceId: source.id };
    await expect(writeSeries(store, sensor, { ...ok, unit: 'kWh' })).rejects.toMatchObject({ status: 400, field: 'unit' });
    await expect(writeSeries(store, sensor, { ...ok, start: T0 + 60_000 })).rejects.toMatchObject({ field: 'start' });
    await expect(writeSeries(store, sensor, { ...ok, resolutionMs: 7 * 60_000 })).rejects.toMatchObject({ field: 'resolution' });
    await expect(writeSeries(store, sensor, { ...ok, resolutionMs: 5 * 60_000 })).rejects.toMatchObject({ field: 'values' });
    await expect(writeSeries(store, sensor, { ...ok, values: [1, Number.NaN] })).rejects.toMatchObject({ field: 'values[1]' });
    await expect(readSeries(store, sensor, { start: T0, end: T0 + HOUR, unit: 'EUR/MWh' })).rejects.toMatchObject({ field: 'unit' });
    await expect(readSeries(store, sensor, { start: T0 + MIN15, end: T0 + 2 * HOUR, resolutionMs: HOUR })).rejects.toMatchObject({ field: 'start' });
    expect(await store.beliefs.history({ sensorId: sensor.id, start: T0, end: T0 + HOUR })).toEqual([]);
  });

  it('reading by id in one statement answers as reading the sensor in hand, within the scope only', async () => {
    const { store } = ctx;
    const { sensor, source } = await sensorOf(store, 'by-id', 'power', 'kW');
    const forecaster = await store.sources.ensure({ kind: 'forecaster', name: 'f-by-id' });
    const values = Array.from({ length: 4 * 24 }, (_, i) => (i % 7 === 3 ? null : i / 4));
    await writeSeries(store, sensor, { start: T0, resolutionMs: MIN15, unit: 'kW', values, beliefTime: T0, sourceId: source.id });
    await writeSeries(store, sensor, { start: T0 + 8 * MIN15, resolutionMs: MIN15, unit: 'kW', values: [9, 9, 9], beliefTime: T0 + HOUR, sourceId: forecaster.id });
    const scope = { accountId: sensor.accountId };
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: -8, max: 100 }), fc.integer({ min: 1, max: 120 }), fc.constantFrom(undefined, 5 * 60_000, MIN15, HOUR, 2 * HOUR),
      fc.constantFrom(undefined, 'W', 'MW'), fc.constantFrom(undefined, T0, T0 + HOUR), fc.constantFrom<SourceKind[] | undefined>(undefined, ['user'], ['forecaster']),
      async (from, quarters, resolutionMs, unit, asOf, sourceKinds) => {
        const o = { start: T0 + from * MIN15, end: T0 + (from + quarters) * MIN15 + (quarters % 3) * 60_000, resolutionMs, unit, asOf, sourceKinds };
        const inHand = await readSeries(store, sensor, o).then((r) => ({ r }), (e: { field?: string }) => ({ field: e.field }));
        const byId = await readSensorSeries(store, scope, sensor.id, { ...o, maxSlots: 10_000 }).then((r) => ({ r: r?.series }), (e: { field?: string }) => ({ field: e.field }));
        expect(byId).toEqual(inHand);
      },
    ), { numRuns: 60 });
    expect(await readSensorSeries(store, { accountId: sensor.accountId + 1 }, sensor.id, { start: T0, end: T0 + HOUR, maxSlots: 10 })).toBeNull();
    expect((await readSensorSeries(store, 'all', sensor.id, { start: T0, end: T0 + HOUR, maxSlots: 10 }))?.series.values).toEqual([0, 0.25, 0.5, null]);
    await expect(readSensorSeries(store, scope, sensor.id, { start: T0, end: T0 + 11 * MIN15, maxSlots: 10 })).rejects.toMatchObject({ field: 'end' });
    // The limit counts the slots read, on the finer of the two grids.
    await expect(readSensorSeries(store, scope, sensor.id, { start: T0, end: T0 + 11 * MIN15, resolutionMs: HOUR, maxSlots: 10 })).rejects.toMatchObject({ field: 'end' });
    expect((await readSensorSeries(store, scope, sensor.id, { start: T0, end: T0 + 11 * MIN15, resolutionMs: HOUR, maxSlots: 11 }))?.series.values).toHaveLength(3);
  });
});
