import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseNzFinalPrices, parseWitsForecasts, tradingPeriodStart } from './nz.ts';

const text = readFileSync('../shared/data/prices-nz-emi/TKR0331_final_prices_2016-01_MTR0331.csv', 'utf8');
const lines = text.trimEnd().split('\n');
const nodeCodes = new Set(
  readFileSync('../shared/data/prices-nz-emi/nodes.csv', 'latin1').split('\n').slice(1).map((l) => l.split(',')[0].replace(/"/g, '')).filter(Boolean),
);

/** A day of `n` trading periods for `node`. */
function day(date: string, n: number, node = 'MTR0331'): string[] {
  return Array.from({ length: n }, (_, i) => `${date},${i + 1},${node},${(50 + i).toFixed(2)}`);
}

describe('NZ EMI final prices (January 2016, MTR0331)', () => {
  const r = parseNzFinalPrices(text);

  it('reads 31 days of 48 half-hours from NZ local midnight (NZDT, +13:00)', () => {
    expect(r.rejected).toEqual([]);
    expect(r.series).toHaveLength(1);
    const s = r.series[0];
    expect(s.key).toBe('MTR0331');
    expect(s.unit).toBe('NZD/MWh');
    expect(s.resolutionMs).toBe(1_800_000);
    expect(s.start).toBe(Date.parse('2015-12-31T11:00:00Z'));
    expect(s.values).toHaveLength(31 * 48);
    expect(s.values.slice(0, 4)).toEqual([64.56, 68.72, 75.31, 75.11]);
  });

  it('a day with a missing period is an error naming its last line', () => {
    const broken = [...lines];
    broken.splice(30, 1); // 2016-01-01 period 30
    expect(() => parseNzFinalPrices(broken.join('\n'))).toThrow(/line 48: MTR0331 has 47 trading periods on 2016-01-01 \(lines 2-48\); that NZ day has 48/);
  });

  it('rejects a duplicate row with its line', () => {
    const dup = [...lines];
    dup.splice(5, 0, lines[4]);
    const r2 = parseNzFinalPrices(dup.join('\n'));
    expect(r2.rejected).toEqual([{ line: 6, reason: 'duplicate: MTR0331 2016-01-01 period 4' }]);
  });

  it('reads the 50-period day when daylight saving ends and the 46-period day when it starts', () => {
    const csv = ['Trading_date,Trading_period,Node,Price', ...day('2016-04-03', 50), ...day('2016-09-25', 46)].join('\n');
    const s = parseNzFinalPrices(csv).series[0];
    expect(s.start).toBe(Date.parse('2016-04-02T11:00:00Z'));
    expect(tradingPeriodStart('2016-04-03', 50)).toBe(Date.parse('2016-04-03T11:30:00Z'));
    expect(tradingPeriodStart('2016-09-25', 46)).toBe(Date.parse('2016-09-25T10:30:00Z'));
    expect(s.values[49]).toBe(99);
    expect(s.values[50]).toBeNull();
  });

  it('a 48-period day on the clock-change day is an error', () => {
    const csv = ['Trading_date,Trading_period,Node,Price', ...day('2016-04-03', 48)].join('\n');
    expect(() => parseNzFinalPrices(csv)).toThrow(/line 49: .*48 trading periods on 2016-04-03.*has 50/);
  });

  it('rejects an unknown node when the node list is given', () => {
    const csv = ['Trading_date,Trading_period,Node,Price', ...day('2016-01-05', 48, 'ABY0111'), '2016-01-05,1,XYZ9999,1.0'].join('\n');
    const r2 = parseNzFinalPrices(csv, { nodes: nodeCodes });
    expect(r2.rejected).toEqual([{ line: 50, reason: 'unknown grid node "XYZ9999"' }]);
    expect(r2.series.map((s) => s.key)).toEqual(['ABY0111']);
  });
});

describe('WITS price forecasts', () => {
  // A realistic sample: two short-term runs (PRSS, every 30 min) overlapping, and a long-term run (PRSL).
  const rec = (node: string, p: number, price: number, run: string, schedule: string) => {
    const t = tradingPeriodStart('2024-05-01', p);
    const local = new Date(t + 12 * 3_600_000).toISOString().slice(0, 19) + '+12:00';
    return { node, tradingDateTime: local, tradingPeriod: p, price, lastRunTime: run, schedule };
  };
  const records = [
    rec('OTA2201', 20, 180.5, '2024-05-01T09:00:00+12:00', 'PRSS'),
    rec('OTA2201', 21, 190.25, '2024-05-01T09:00:00+12:00', 'PRSS'),
    rec('OTA2201', 21, 210.0, '2024-05-01T09:30:00+12:00', 'PRSS'),
    rec('OTA2201', 22, 205.0, '2024-05-01T09:30:00+12:00', 'PRSS'),
    rec('BEN2201', 20, 150.0, '2024-05-01T07:00:00+12:00', 'PRSL'),
    rec('BEN2201', 21, 155.0, '2024-05-01T07:00:00+12:00', 'PRSL'),
  ];

  it('gives one series per node and schedule with the run time of each value; the newest run wins', () => {
    const r = parseWitsForecasts(JSON.stringify(records));
    expect(r.rejected).toEqual([]);
    const ota = r.series.find((s) => s.key === 'OTA2201')!;
    expect(ota.meta).toEqual({ schedule: 'PRSS' });
    expect(ota.start).toBe(Date.parse('2024-04-30T21:30:00Z'));
    expect(ota.values).toEqual([180.5, 210, 205]);
    expect(ota.beliefTimes).toEqual([Date.parse('2024-04-30T21:00:00Z'), Date.parse('2024-04-30T21:30:00Z'), Date.parse('2024-04-30T21:30:00Z')]);
    expect(ota.beliefTime).toBe(Date.parse('2024-04-30T21:30:00Z'));
    const ben = r.series.find((s) => s.key === 'BEN2201')!;
    expect(ben.meta).toEqual({ schedule: 'PRSL' });
  });

  it('reads the API shape: a list of schedules, each with its prices', () => {
    const strip = ({ schedule, ...rest }: (typeof records)[number]) => (schedule ? rest : rest);
    const api = [
      { schedule: 'PRSS', prices: records.slice(0, 4).map(strip) },
      { schedule: 'PRSL', prices: records.slice(4).map(strip) },
    ];
    const r = parseWitsForecasts(JSON.stringify(api));
    expect(r.rejected).toEqual([]);
    expect(r.series.map((s) => [s.key, s.meta?.schedule, s.values])).toEqual([['OTA2201', 'PRSS', [180.5, 210, 205]], ['BEN2201', 'PRSL', [150, 155]]]);
    expect(() => parseWitsForecasts('{"schedule":"PRSS"}')).toThrow(/\[0\]\.prices: expected an array/);
  });

  it('reads the same records as CSV and rejects bad ones with their line', () => {
    const head = 'node,tradingDateTime,tradingPeriod,price,lastRunTime,schedule';
    const row = (o: Record<string, unknown>) => [o.node, o.tradingDateTime, o.tradingPeriod, o.price, o.lastRunTime, o.schedule].join(',');
    const csv = [
      head, ...records.map(row),
      row({ ...records[0], tradingPeriod: 7 }),
      row({ ...records[0], schedule: 'XYZ' }),
      row({ ...records[0], node: 'NOPE111' }),
      row({ ...records[0], tradingDateTime: '2024-05-01T09:30:00' }),
    ].join('\n');
    const r = parseWitsForecasts(csv, { nodes: new Set(['OTA2201', 'BEN2201']) });
    expect(r.series.find((s) => s.key === 'OTA2201')!.values).toEqual([180.5, 210, 205]);
    expect(r.rejected.map((x) => x.line)).toEqual([8, 9, 10, 11]);
    expect(r.rejected[0].reason).toMatch(/trading period 7 does not match/);
    expect(r.rejected[1].reason).toMatch(/PRSS/);
    expect(r.rejected[2].reason).toMatch(/unknown grid node/);
    expect(r.rejected[3].reason).toMatch(/no UTC offset/);
  });
});
