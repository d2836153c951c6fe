import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseBemsWide } from '../../src/ingest/formats/bems.ts';
import { parseWitsForecasts, tradingPeriodStart } from '../../src/ingest/formats/nz.ts';
import type { ParseResult } from '../../src/ingest/formats/types.ts';
import { importParsed } from '../../src/ingest/store-import.ts';
import { describeStores } from '../../src/store/test-helpers.ts';

const HOUR = 3_600_000;
const T = Date.UTC(2024, 4, 1);

describeStores('writing parsed files', (ctx) => {
  const count = async () => (await ctx.store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n;

  it('converts to an existing sensor\'s unit and resolution, and a series that does not fit writes nothing of the file', async () => {
    const account = await ctx.store.accounts.create('Units');
    const sensor = await ctx.store.sensors.create('all', { accountId: account.id, name: 'NL', quantity: 'price', unit: 'EUR/kWh', resolutionMs: HOUR / 4, priceZone: 'NL' });
    const file: ParseResult = { series: [{ key: 'NL', quantity: 'price', unit: 'EUR/MWh', resolutionMs: HOUR, start: T, values: [100, null, 250] }], rejected: [] };
    const r = await importParsed(ctx.store, 'all', file, { accountId: account.id }, { beliefTime: T, sourceName: 'test' });
    expect(r.series[0]).toMatchObject({ sensorId: sensor.id, created: false });
    const got = await ctx.store.beliefs.latest({ sensorId: sensor.id, start: T, end: T + 3 * HOUR });
    expect(got.values).toEqual([0.1, 0.1, 0.1, 0.1, null, null, null, null, 0.25, 0.25, 0.25, 0.25]);

    const before = await count();
    const bad: ParseResult = {
      series: [
        { key: 'FR', quantity: 'price', unit: 'EUR/MWh', resolutionMs: HOUR, start: T, values: [1, 2] },
        { key: 'NL', quantity: 'price', unit: 'NZD/MWh', resolutionMs: HOUR, start: T, values: [3, 4] },
      ],
      rejected: [],
    };
    await expect(importParsed(ctx.store, 'all', bad, { accountId: account.id }, { beliefTime: T + HOUR, sourceName: 'test' })).rejects.toThrow(/NL|unit/);
    expect(await count()).toBe(before);
    expect(await ctx.store.sensors.list('all', { accountId: account.id, priceZone: 'FR' })).toEqual([]);
  });

  it('short- and long-term forecasts of one node go to one sensor, each value at its run time', async () => {
    const account = await ctx.store.accounts.create('Wits');
    const rec = (p: number, price: number, run: string, schedule: string) => {
      const t = tradingPeriodStart('2024-05-01', p);
      return { node: 'BEN2201', tradingDateTime: `${new Date(t + 12 * HOUR).toISOString().slice(0, 19)}+12:00`, tradingPeriod: p, price, lastRunTime: run, schedule };
    };
    const file = parseWitsForecasts(JSON.stringify([
      rec(30, 80, '2024-05-01T07:00:00+12:00', 'PRSL'), rec(31, 90, '2024-05-01T07:00:00+12:00', 'PRSL'),
      rec(31, 95, '2024-05-01T13:00:00+12:00', 'PRSS'),
    ]));
    const r = await importParsed(ctx.store, 'all', file, { accountId: account.id }, { beliefTime: Date.parse('2024-05-02T00:00:00Z'), sourceName: 'wits' });
    expect(new Set(r.series.map((s) => s.sensorId)).size).toBe(1);
    expect(r.series.map((s) => s.source).sort()).toEqual(['forecaster:wits PRSL', 'forecaster:wits PRSS']);
    const t30 = tradingPeriodStart('2024-05-01', 30);
    const history = await ctx.store.beliefs.history({ sensorId: r.series[0].sensorId, start: t30, end: t30 + HOUR });
    expect(history.map((h) => [h.slotStart - t30, h.beliefTime, h.value])).toEqual([
      [0, Date.parse('2024-05-01T07:00:00+12:00'), 80],
      [1_800_000, Date.parse('2024-05-01T07:00:00+12:00'), 90],
      [1_800_000, Date.parse('2024-05-01T13:00:00+12:00'), 95],
    ]);
  });

  it('forecasts are kept one month by default, and an operator\'s setting is not overwritten', async () => {
    expect((await ctx.store.retention.getForSourceKinds()).forecaster).toBe(30 * 24 * HOUR);
    const insert = readFileSync('src/store/migrations/005_feeds.sql', 'utf8').split('\n').find((l) => l.startsWith('INSERT INTO source_kind_retention'))!;
    await ctx.store.retention.setForSourceKind('forecaster', 7 * 24 * HOUR);
    await ctx.store.query(insert);
    expect((await ctx.store.retention.getForSourceKinds()).forecaster).toBe(7 * 24 * HOUR);
  });

  it('building fields need a site and become its sensors by name', async () => {
    const account = await ctx.store.accounts.create('Bems');
    const site = await ctx.store.sites.create('all', { accountId: account.id, name: 'Lab', timezone: 'Asia/Taipei' });
    const file = parseBemsWide('AMI_1,AMI_2,AMI_3,total_load(kW),PV_generate(kW),net_load(kW),TIME\n1,2,3,6,-1,5,2020/3/14 00:00\n1.5,2,3,6.5,-1,5.5,2020/3/14 00:15\n');
    await expect(importParsed(ctx.store, 'all', file, { accountId: account.id }, { beliefTime: T, sourceName: 'bems' })).rejects.toThrow(/site/);
    const r = await importParsed(ctx.store, 'all', file, { accountId: account.id, siteId: site.id }, { beliefTime: T, sourceName: 'bems' });
    const sensors = await ctx.store.sensors.list('all', { siteId: site.id });
    expect(sensors.map((s) => s.name).sort()).toEqual(file.series.map((s) => s.key).sort());
    const load = sensors.find((s) => s.name === 'total_load')!;
    expect((await ctx.store.beliefs.latest({ sensorId: load.id, start: Date.parse('2020-03-13T16:00:00Z'), end: Date.parse('2020-03-13T16:30:00Z') })).values).toEqual([6, 6.5]);
    expect(r.written).toBe(12);
  });
});
