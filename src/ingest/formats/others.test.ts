import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAcnSessions } from './acn.ts';
import { parseBemsLong, parseBemsWide } from './bems.ts';
import { detectFormat } from './detect.ts';
import { parseFile } from './index.ts';

const D = '../shared/data/';
const read = (p: string) => readFileSync(D + p, 'utf8');

describe('NCKU BEMS power data (Asia/Taipei, YYYY/M/D HH:MM)', () => {
  it('wide form: one kW series per column, keys without the unit', () => {
    const r = parseBemsWide(read('ncku/ABRI_BEMS_sample_from_README.csv'));
    expect(r.rejected).toEqual([]);
    expect(r.series.map((s) => s.key)).toEqual(['AMI_1', 'AMI_2', 'AMI_3', 'total_load', 'PV_generate', 'net_load']);
    const total = r.series[3];
    expect(total.start).toBe(Date.parse('2020-05-01T16:00:00Z'));
    expect(total.resolutionMs).toBe(900_000);
    expect(total.values).toEqual([21.96, 21.58, 21.62]);
  });

  it('long form: one grid-power series per field', () => {
    const r = parseBemsLong(read('ncku/Carlab_BEMS_sample_from_README.csv') );
    expect(r.series).toHaveLength(1);
    expect(r.series[0].key).toBe('carlab');
    expect(r.series[0].start).toBe(Date.parse('2020-04-24T16:00:00Z'));
    expect(r.series[0].values).toEqual([12.228, 11.817, 12.13, 12.264, 12.069]);
  });

  it('long form with two fields, a duplicate and a bad time', () => {
    const base = read('ncku/NCKU_BEMS_sample_from_README.csv').trimEnd().split('\n');
    const extra = ['9,carlab,5.5,2020/3/14 00:00', '10,carlab,6.5,2020/3/14 00:15', '11,NCKU,9.9,2020/3/14 00:15', '12,NCKU,1,2020/13/14 00:15'];
    const r = parseBemsLong([...base, ...extra].join('\n'));
    expect(r.series.map((s) => s.key)).toEqual(['NCKU', 'carlab']);
    expect(r.series[1].values).toEqual([5.5, 6.5]);
    expect(r.rejected).toEqual([
      { line: 9, reason: expect.stringContaining('duplicate timestamp') },
      { line: 10, reason: '"2020/13/14 00:15" is not a time YYYY/M/D HH:MM' },
    ]);
  });
});

describe('ACN-Data EV sessions (JPL, May 2021)', () => {
  const text = read('ev-acn-jpl/acndata_sessions_jpl_2021-05.json');
  const raw = JSON.parse(text) as { kWhDelivered: number; userInputs: unknown[] | null }[];

  it('turns every session into a charging request: the driver request where given, else the delivery', () => {
    const r = parseAcnSessions(text);
    expect(r.requests.length + r.rejected.length).toBe(2114);
    expect(r.requests.filter((q) => q.basis === 'requested')).toHaveLength(raw.filter((s) => s.userInputs?.length).length);
    const first = r.requests[0];
    expect(first).toMatchObject({ stationId: '2-39-81-4550', energyKwh: 71.5, basis: 'requested', deliveredKwh: 30.936 });
    expect(first.arrival).toBe(Date.parse('2021-05-01T20:42:47Z'));
    expect(first.departure).toBe(Date.parse('2021-05-02T08:43:47Z'));
    for (const q of r.requests) expect(q.departure).toBeGreaterThan(q.arrival);
  });

  it('delivered basis uses what happened', () => {
    const r = parseAcnSessions(text, { basis: 'delivered' });
    expect(r.requests[0]).toMatchObject({ energyKwh: 30.936, basis: 'delivered', departure: Date.parse('2021-05-01T21:32:12Z') });
  });

  it('rejects a session with a bad time, naming its position', () => {
    const broken = JSON.parse(text) as Record<string, unknown>[];
    broken[2].connectionTime = 'yesterday';
    const r = parseAcnSessions(JSON.stringify({ _items: broken.slice(0, 5) }));
    expect(r.requests).toHaveLength(4);
    expect(r.rejected).toEqual([{ line: 3, reason: expect.stringContaining('connectionTime "yesterday" is not a time') }]);
  });
});

describe('detectFormat picks the parser', () => {
  const cases: [string, string][] = [
    ['entsoe-xml/response-PT15M-DE-LU.xml', 'entsoe-a44'],
    ['prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv', 'smard'],
    ['prices-nz-emi/TKR0331_final_prices_2016-01_MTR0331.csv', 'nz-final-prices'],
    ['ncku/ABRI_BEMS_sample_from_README.csv', 'bems-wide'],
    ['ncku/Carlab_BEMS_sample_from_README.csv', 'bems-long'],
    ['ev-acn-jpl/acndata_sessions_jpl_2021-05.json', 'acn-sessions'],
    ['household-emhass-fr/long_train_data.csv', 'generic-csv'],
  ];
  for (const [file, format] of cases) {
    it(`${file} is ${format}`, () => {
      expect(detectFormat(file, read(file).slice(0, 4096))).toBe(format);
    });
  }

  it('WITS records as CSV or JSON, and a mixed-separator CSV falls to the generic parser', () => {
    expect(detectFormat('wits.csv', 'node,tradingDateTime,tradingPeriod,price,lastRunTime,schedule\n')).toBe('wits');
    expect(detectFormat('wits.json', '{"schedule":"PRSS","prices":[{"node":"OTA2201","tradingDateTime":"x","lastRunTime":"y"}]}')).toBe('wits');
    expect(detectFormat('elia.csv', read('imbalance-samples/ImbalanceNrvPrices_2022-04-03.csv'))).toBe('generic-csv');
  });

  it('refuses another XML document and unknown JSON', () => {
    expect(() => detectFormat('x.xml', read('imbalance-samples/Export_19-03-2022_19-03-2022.xml'))).toThrow(/not an ENTSO-E/);
    expect(() => detectFormat('x.json', '{"a": 1}')).toThrow(/format/);
  });

  it('parseFile runs the detected parser end to end', () => {
    const r = parseFile('prices.csv', read('prices-nz-emi/TKR0331_final_prices_2016-01_MTR0331.csv'));
    expect(r.format).toBe('nz-final-prices');
    expect(r.series[0].values).toHaveLength(1488);
    expect(() => parseFile('x.csv', 'a,b\n1,2')).toThrow(/unit/);
  });
});

describe('import summary and unit conversion', () => {
  it('summarises what would be written and converts to a sensor unit, refusing one that does not convert', async () => {
    const { summarize, convertSeries } = await import('./summary.ts');
    const r = parseBemsLong(read('ncku/Carlab_BEMS_sample_from_README.csv'));
    const sum = summarize(r);
    expect(sum.series[0]).toMatchObject({ key: 'carlab', unit: 'kW', resolution: 'PT15M', start: '2020-04-24T16:00:00Z', end: '2020-04-24T17:15:00Z', count: 5, missing: 0 });
    expect(convertSeries(r.series[0], 'W').values[0]).toBeCloseTo(12228, 9);
    expect(() => convertSeries(r.series[0], 'kWh')).toThrow(/series "carlab" unit: "kW" does not convert to "kWh"/);
  });
});
