import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseDecimal } from './repos/beliefs.ts';
import { describeStores, MIN15, T0, HOUR } from './test-helpers.ts';
import type { Sensor, Source, Store } from './types.ts';

async function setup(store: Store, tag: string, extra: Partial<Sensor> = {}) {
  const account = await store.accounts.create(`beliefs-${tag}`);
  const scope = { accountId: account.id };
  const site = await store.sites.create(scope, { accountId: account.id, name: 'site', timezone: 'Europe/Berlin' });
  const sensor = await store.sensors.create(scope, { name: 'load', quantity: 'power', unit: 'kW', resolutionMs: MIN15, siteId: site.id, ...extra });
  const meter = await store.sources.ensure({ kind: 'meter', name: `meter-${tag}` });
  const forecaster = await store.sources.ensure({ kind: 'forecaster', name: `fc-${tag}`, version: '1' });
  return { scope, site, sensor, meter, forecaster };
}

const count = async (store: Store, sensorId: number) => Number((await store.query<{ n: string | number }>('SELECT count(*) AS n FROM beliefs WHERE sensor_id = $1', [sensorId]))[0].n);

describeStores('beliefs', (ctx) => {
  it('writing the same beliefs again changes nothing, and a new value for the same key replaces the old', async () => {
    const { store } = ctx;
    const { sensor, meter } = await setup(store, 'idem');
    const batch = { sensorId: sensor.id, sourceId: meter.id, beliefTime: T0 + HOUR, start: T0, resolutionMs: MIN15, values: [1, 2, null, 4] };
    expect(await store.beliefs.write([batch])).toBe(3);
    expect(await store.beliefs.write([batch])).toBe(3);
    expect(await count(store, sensor.id)).toBe(3);
    await store.beliefs.write([{ ...batch, values: [10] }]);
    expect((await store.beliefs.latest({ sensorId: sensor.id, start: T0, end: T0 + 4 * MIN15 })).values).toEqual([10, 2, null, 4]);
    // writeRows: idempotent too, and the last of a repeated key in one call wins
    const rows = [0, 1, 2].map((i) => ({ sensorId: sensor.id, slotStart: T0 + i * MIN15, beliefTime: T0 + 2 * HOUR, sourceId: meter.id, value: 100 + i }));
    expect(await store.beliefs.writeRows([...rows, { ...rows[0], value: 999 }])).toBe(4);
    expect(await store.beliefs.writeRows(rows)).toBe(3);
    expect(await count(store, sensor.id)).toBe(6);
    expect((await store.beliefs.latest({ sensorId: sensor.id, start: T0, end: T0 + 4 * MIN15 })).values).toEqual([100, 101, 102, 4]);
  });

  it('latest picks the newest belief per slot; asOf hides later beliefs; ties go to the higher source id', async () => {
    const { store } = ctx;
    const { sensor, meter, forecaster } = await setup(store, 'latest');
    const w = (source: Source, beliefTime: number, values: (number | null)[]) => store.beliefs.write([{ sensorId: sensor.id, sourceId: source.id, beliefTime, start: T0, resolutionMs: MIN15, values }]);
    await w(forecaster, T0 - 24 * HOUR, [1, 1, 1, 1]); // day-ahead forecast
    await w(forecaster, T0 - HOUR, [2, 2, 2, null]); // intraday update
    await w(meter, T0 + HOUR, [3, null, 3, null]); // measurements after the fact
    const q = { sensorId: sensor.id, start: T0, end: T0 + 4 * MIN15 };
    expect((await store.beliefs.latest(q)).values).toEqual([3, 2, 3, 1]);
    expect((await store.beliefs.latest({ ...q, asOf: T0 - 2 * HOUR })).values).toEqual([1, 1, 1, 1]);
    expect((await store.beliefs.latest({ ...q, asOf: T0 - 24 * HOUR - 1 })).values).toEqual([null, null, null, null]);
    expect((await store.beliefs.latest({ ...q, sourceKinds: ['forecaster'] })).values).toEqual([2, 2, 2, 1]);
    expect((await store.beliefs.latest({ ...q, sourceIds: [meter.id] })).values).toEqual([3, null, 3, null]);
    expect((await store.beliefs.latest({ ...q, sourceKinds: ['meter'], asOf: T0 })).values).toEqual([null, null, null, null]);
    // Same belief time from two sources: the higher source id wins, whatever the order of writing.
    const [low, high] = meter.id < forecaster.id ? [meter, forecaster] : [forecaster, meter];
    await w(high, T0 + 5 * HOUR, [7]);
    await w(low, T0 + 5 * HOUR, [6]);
    expect((await store.beliefs.latest(q)).values[0]).toBe(7);
    // The series is dense on the sensor's grid and starts at the asked start.
    const later = await store.beliefs.latest({ sensorId: sensor.id, start: T0 + MIN15, end: T0 + 6 * MIN15 });
    expect(later).toEqual({ start: T0 + MIN15, resolutionMs: MIN15, values: [2, 3, 1, null, null] });
  });

  it('a long window (read in two halves on PostgreSQL) answers slot for slot as a short one does', async () => {
    const { store } = ctx;
    const { sensor, meter, forecaster } = await setup(store, 'long');
    const slots = 20_001;
    const first = Array.from({ length: slots }, (_, i) => (i % 97 === 5 ? null : i));
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: forecaster.id, beliefTime: T0, start: T0, resolutionMs: MIN15, values: first }]);
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: meter.id, beliefTime: T0 + HOUR, start: T0 + 10_000 * MIN15, resolutionMs: MIN15, values: [-1, -2, -3] }]);
    const expected = first.map((v, i) => (i >= 10_000 && i < 10_003 ? -(i - 9_999) : v));
    const whole = await store.beliefs.latest({ sensorId: sensor.id, start: T0, end: T0 + slots * MIN15 });
    expect(whole.values).toEqual(expected);
    const shifted = await store.beliefs.latest({ sensorId: sensor.id, start: T0 + 3 * MIN15, end: T0 + (slots + 2) * MIN15 - 60_000 });
    expect(shifted.values).toEqual([...expected.slice(3), null, null]);
    const pieces = [];
    for (let at = 0; at < slots; at += 4_000) pieces.push(...(await store.beliefs.latest({ sensorId: sensor.id, start: T0 + at * MIN15, end: T0 + Math.min(slots, at + 4_000) * MIN15 })).values);
    expect(pieces).toEqual(expected);
  });

  it('history returns every belief, oldest belief first', async () => {
    const { store } = ctx;
    const { sensor, meter, forecaster } = await setup(store, 'history');
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: meter.id, beliefTime: T0 + HOUR, start: T0, resolutionMs: MIN15, values: [5] }]);
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: forecaster.id, beliefTime: T0 - HOUR, start: T0, resolutionMs: MIN15, values: [4, 4] }]);
    const h = await store.beliefs.history({ sensorId: sensor.id, start: T0, end: T0 + HOUR });
    expect(h).toEqual([
      { slotStart: T0, beliefTime: T0 - HOUR, sourceId: forecaster.id, value: 4 },
      { slotStart: T0 + MIN15, beliefTime: T0 - HOUR, sourceId: forecaster.id, value: 4 },
      { slotStart: T0, beliefTime: T0 + HOUR, sourceId: meter.id, value: 5 },
    ]);
    expect(await store.beliefs.history({ sensorId: sensor.id, start: T0, end: T0 + HOUR, asOf: T0 })).toHaveLength(2);
  });

  it('a failing batch writes nothing, not even the good batches before it', async () => {
    const { store } = ctx;
    const { sensor, meter } = await setup(store, 'atomic');
    const good = { sensorId: sensor.id, sourceId: meter.id, beliefTime: T0, start: T0, resolutionMs: MIN15, values: [1, 2, 3] };
    await expect(store.beliefs.write([good, { ...good, values: [1, Infinity] }])).rejects.toMatchObject({ status: 400, field: 'values[1]' });
    await expect(store.beliefs.write([good, { ...good, sensorId: 987654 }])).rejects.toMatchObject({ status: 400, field: 'sensorId' });
    await expect(store.beliefs.write([good, { ...good, resolutionMs: HOUR }])).rejects.toMatchObject({ field: 'batches[1].resolutionMs' });
    const rows = [{ sensorId: sensor.id, slotStart: T0, beliefTime: T0, sourceId: meter.id, value: 1 }];
    await expect(store.beliefs.writeRows([...rows, { ...rows[0], sourceId: 987654 }])).rejects.toMatchObject({ field: 'sourceId' });
    await expect(store.beliefs.writeRows([...rows, { ...rows[0], value: NaN }])).rejects.toMatchObject({ field: 'rows[1].value' });
    // A failure inside the database (after rows were sent) rolls everything back as well.
    await expect(store.transaction(async (tx) => {
      await tx.beliefs.write([good]);
      await tx.query('SELECT 1/0');
    })).rejects.toThrow();
    expect(await count(store, sensor.id)).toBe(0);
  });

  it('writeRows loads many rows of several sensors in one go', async () => {
    const { store } = ctx;
    const a = await setup(store, 'bulk-a');
    const b = await setup(store, 'bulk-b');
    const rows = [];
    for (let i = 0; i < 20_000; i++) rows.push({ sensorId: i % 2 ? a.sensor.id : b.sensor.id, slotStart: T0 + Math.floor(i / 2) * MIN15, beliefTime: T0, sourceId: a.meter.id, value: i });
    expect(await store.beliefs.writeRows(rows)).toBe(20_000);
    const read = await store.beliefs.latest({ sensorId: a.sensor.id, start: T0, end: T0 + 10_000 * MIN15 });
    expect(read.values).toHaveLength(10_000);
    expect(read.values[0]).toBe(1);
    expect(read.values[9_999]).toBe(19_999);
  });
});

describeStores('retention', (ctx) => {
  it('purges by the sensor retention, else by the source kind retention, and counts the rows', async () => {
    const { store } = ctx;
    const day = 24 * HOUR;
    const kept = await setup(store, 'ret-keep');
    const own = await setup(store, 'ret-own', { retentionMs: 2 * day });
    const w = (sensorId: number, sourceId: number, start: number, n: number) =>
      store.beliefs.write([{ sensorId, sourceId, beliefTime: start, start, resolutionMs: MIN15, values: new Array(n).fill(1) }]);
    await w(kept.sensor.id, kept.meter.id, T0, 96); // day 0, meter: no retention for meters
    await w(kept.sensor.id, kept.forecaster.id, T0, 96); // day 0, forecasts
    await w(kept.sensor.id, kept.forecaster.id, T0 + 9 * day, 96); // day 9, forecasts
    await w(own.sensor.id, own.meter.id, T0, 4 * 96); // days 0..3 of a sensor kept 2 days
    await store.retention.setForSourceKind('forecaster', 7 * day);
    expect(await store.retention.getForSourceKinds()).toEqual({ forecaster: 7 * day });
    const now = T0 + 10 * day;
    // forecasts of day 0 (older than 7 days), and the own-retention sensor's slots before day 8 (all 4 days)
    expect(await store.retention.purge(now)).toBe(96 + 4 * 96);
    expect(await count(store, kept.sensor.id)).toBe(2 * 96);
    expect(await count(store, own.sensor.id)).toBe(0);
    expect(await store.retention.purge(now)).toBe(0);
    await store.retention.setForSourceKind('forecaster', null);
    expect(await store.retention.purge(now + 100 * day)).toBe(0);
    await expect(store.retention.setForSourceKind('forecaster', -5)).rejects.toMatchObject({ field: 'retentionMs' });
  });
});

describeStores('belief partitions', (ctx) => {
  const partitions = async (store: Store) =>
    (await store.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass('beliefs') ORDER BY 1`)).map((r) => r.name);

  it('a write creates the monthly partitions it needs; rows already in the default partition stay readable', async () => {
    const { store } = ctx;
    const { sensor, meter } = await setup(store, 'parts');
    const jan2030 = Date.UTC(2030, 0, 31, 23, 45);
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: meter.id, beliefTime: 0, start: jan2030, resolutionMs: MIN15, values: [1, 2] }]);
    expect(await partitions(store)).toEqual(expect.arrayContaining(['beliefs_p203001', 'beliefs_p203002']));
    const inJan = await store.query<{ n: string | number }>(`SELECT count(*) AS n FROM beliefs_p203001 WHERE sensor_id = $1`, [sensor.id]);
    expect(Number(inJan[0].n)).toBe(1);
    // A row written around the store lands in the default partition; the store still writes and reads that month.
    await store.query(`INSERT INTO beliefs VALUES ($1, '2031-05-01T00:00:00Z', '2031-01-01T00:00:00Z', $2, 5)`, [sensor.id, meter.id]);
    await store.beliefs.write([{ sensorId: sensor.id, sourceId: meter.id, beliefTime: 0, start: Date.UTC(2031, 4, 1), resolutionMs: MIN15, values: [null, 6] }]);
    expect(await partitions(store)).not.toContain('beliefs_p203105');
    expect((await store.beliefs.latest({ sensorId: sensor.id, start: Date.UTC(2031, 4, 1), end: Date.UTC(2031, 4, 1) + 2 * MIN15 })).values).toEqual([5, 6]);
  });
});

describe('reading the numbers PostgreSQL prints', () => {
  it('parses every decimal exactly as Number() does', () => {
    const decimal = fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,18}$/), fc.option(fc.stringMatching(/^[0-9]{0,18}$/), { nil: undefined }))
      .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);
    const printed = fc.double({ noNaN: false }).map((x) => String(x));
    fc.assert(fc.property(fc.oneof(decimal, printed, fc.constantFrom('1e-05', '-1.5e+300', 'NaN', 'Infinity', '-Infinity', '0.30000000000000004', '-0')), (s) => {
      const padded = `x${s},`;
      expect(Object.is(parseDecimal(padded, 1, padded.length - 1), Number(s))).toBe(true);
    }), { numRuns: 20_000 });
  });
});
