import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEnergyChartsPrices } from './energy-charts.ts';
import { redactUrl, retryAfterMs } from './http.ts';
import { checkFeed } from './repo.ts';
import { nextRunAfterFailure } from './run.ts';
import type { Feed } from './repo.ts';

const CHARTS = readFileSync('../shared/data/prices-de-api-samples/elecpriceforecast_energycharts.json', 'utf8');

describe('energy-charts prices', () => {
  it('reads the recorded answer as 48 hourly EUR/MWh prices from its first timestamp', () => {
    const r = parseEnergyChartsPrices(CHARTS, 'DE-LU');
    const doc = JSON.parse(CHARTS);
    expect(r.rejected).toEqual([]);
    expect(r.series[0]).toMatchObject({ key: 'DE-LU', unit: 'EUR/MWh', resolutionMs: 3_600_000, start: doc.unix_seconds[0] * 1000 });
    expect(r.series[0].values).toEqual(doc.price);
  });

  it('leaves missing hours as gaps and names bad entries by position', () => {
    const r = parseEnergyChartsPrices(JSON.stringify({ unix_seconds: [0, 3600, 7200, 7200, 9000, 14400], price: [1, 'x', 3, 4, 5, 6], unit: 'EUR / MWh' }), 'AT');
    expect(r.series[0].values).toEqual([1, null, 3, null, 6]);
    expect(r.rejected).toEqual([
      { line: 2, reason: 'price[1] "x" is not a number' },
      { line: 4, reason: 'unix_seconds[3] 7200 is a duplicate' },
      { line: 5, reason: 'unix_seconds[4] 9000 is off the 60-min grid' },
    ]);
  });

  it('refuses a broken body, mismatched arrays and a unit that is not a price', () => {
    expect(() => parseEnergyChartsPrices(CHARTS.slice(0, 300), 'DE-LU')).toThrow(/not valid JSON/);
    expect(() => parseEnergyChartsPrices('{"unix_seconds":[1,2],"price":[1]}', 'DE-LU')).toThrow(/price: 1 prices for 2 timestamps/);
    expect(() => parseEnergyChartsPrices('{"unix_seconds":[0],"price":[1],"unit":"MW"}', 'DE-LU')).toThrow(/unit/);
  });
});

describe('fetch helpers', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('7', 0)).toBe(7000);
    expect(retryAfterMs('Wed, 21 Oct 2015 07:28:30 GMT', Date.parse('2015-10-21T07:28:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(null, 0)).toBeNull();
  });

  it('hides tokens in URLs it shows', () => {
    expect(redactUrl('https://x.test/api?securityToken=abc&documentType=A44')).toBe('https://x.test/api?securityToken=***&documentType=A44');
  });

  it('backs off from one minute, doubling, never past the interval', () => {
    const feed = { intervalMs: 1_800_000 } as Feed;
    expect([1, 2, 3, 4, 5, 6].map((n) => nextRunAfterFailure(feed, 0, n) / 60_000)).toEqual([1, 2, 4, 8, 16, 30]);
  });
});

describe('feed settings', () => {
  it('default intervals: WITS short-term every 30 min, long-term every 2 h', () => {
    expect(checkFeed({ accountId: 1, name: 'a', kind: 'wits', config: { schedule: 'PRSS' }, secrets: { clientId: 'a', clientSecret: 'b' } }).intervalMs).toBe(1_800_000);
    expect(checkFeed({ accountId: 1, name: 'a', kind: 'wits', config: { schedule: 'PRSL' }, secrets: { clientId: 'a', clientSecret: 'b' } }).intervalMs).toBe(7_200_000);
  });

  it('names the field that is wrong', () => {
    expect(() => checkFeed({ accountId: 1, name: 'a', kind: 'entsoe', config: { zone: 'DE-LU' } })).toThrow(/secrets\.token/);
    expect(() => checkFeed({ accountId: 1, name: 'a', kind: 'entsoe', config: { zone: 'DE-LU', extra: 1 }, secrets: { token: 't' } })).toThrow(/config/);
    expect(() => checkFeed({ accountId: 1, name: 'a', kind: 'rss', config: {} })).toThrow(/kind/);
    expect(() => checkFeed({ accountId: 1, name: 'a', kind: 'entsoe', config: { zone: 'Atlantis' }, secrets: { token: 't' } })).toThrow(/config\.zone: "Atlantis" is neither a known bidding zone/);
    expect(() => checkFeed({ accountId: 1, name: 'a', kind: 'energy-charts', config: { zone: 'DE-LU' }, intervalMs: 1000 })).toThrow(/interval/);
  });
});
