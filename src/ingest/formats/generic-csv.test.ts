import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GenericCsvReader, parseGenericCsv } from './generic-csv.ts';

const household = readFileSync('../shared/data/household-emhass-fr/long_train_data.csv', 'utf8');

describe('generic CSV on the real household file (UTC offsets, 30-min, empty = missing)', () => {
  const r = parseGenericCsv(household, { unit: 'W', timestampColumn: 'timestamp_utc' });

  it('gives one power series per value column on a 30-min grid', () => {
    expect(r.rejected).toEqual([]);
    expect(r.series.map((s) => s.key)).toEqual(['sensor.power_load_no_var_loads', 'sensor.power_photovoltaics', 'sensor.p_pv_forecast']);
    const load = r.series[0];
    expect(load.resolutionMs).toBe(1_800_000);
    expect(load.start).toBe(Date.parse('2024-02-28T21:00:00Z'));
    expect(load.values).toHaveLength(17524);
    expect(load.values[2]).toBeNull();
    expect(load.values.at(-1)).toBe(1532.535);
    expect(load.quantity).toBe('power');
  });
});

describe('generic CSV options and rejections', () => {
  it('a timestamp without offset and no time zone is an error naming the line', () => {
    expect(() => parseGenericCsv('time,kw\n2024-01-01T00:00:00Z,1\n2024-01-01T00:15:00,2\n', { unit: 'kW' })).toThrow(/line 3: timestamp "2024-01-01T00:15:00" has no UTC offset/);
  });

  it('rejects duplicates, bad numbers and wrong column counts with line and reason, keeping the rest', () => {
    const csv = 'time,kw\n2024-01-01T00:00Z,1\n2024-01-01T00:15Z,2\n2024-01-01T00:15Z,9\n2024-01-01T00:30Z,x\n2024-01-01T00:45Z,4,5\n2024-01-01T01:00Z,5\n';
    const r = parseGenericCsv(csv, { unit: 'kW' });
    expect(r.rejected).toEqual([
      { line: 4, reason: 'duplicate timestamp 2024-01-01T00:15:00.000Z (first on line 3)' },
      { line: 5, reason: '"x" in column "kw" is not a number' },
      { line: 6, reason: '3 columns instead of 2' },
    ]);
    expect(r.series[0].values).toEqual([1, 2, null, null, 5]);
  });

  it('reads local Berlin time with a decimal comma and ";" across the autumn clock change', () => {
    const rows = ['Zeit;Leistung', '27.10.2024 01:00;1,5', '27.10.2024 02:00;2,5', '27.10.2024 02:00;3,5', '27.10.2024 03:00;4,5'];
    const r = parseGenericCsv(rows.join('\r\n'), { unit: 'kW', timeZone: 'Europe/Berlin', dateFormat: 'DD.MM.YYYY HH:mm', decimalSeparator: ',' });
    expect(r.rejected).toEqual([]);
    expect(r.series[0].start).toBe(Date.parse('2024-10-26T23:00:00Z'));
    expect(r.series[0].values).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  it('rejects a local time skipped by the spring clock change', () => {
    const r = parseGenericCsv('t,v\n2024-03-31 01:00,1\n2024-03-31 02:00,2\n2024-03-31 03:00,3\n', { unit: 'kW', timeZone: 'Europe/Berlin' });
    expect(r.rejected).toEqual([{ line: 3, reason: expect.stringContaining('does not exist in Europe/Berlin') }]);
    expect(r.series[0].values).toEqual([1, 3]);
  });

  it('picks value columns by name, reads unix seconds, and names an unknown column', () => {
    const csv = 'ts,a,b\n1704067200,1,10\n1704070800,2,20\n';
    const r = parseGenericCsv(csv, { unit: 'EUR/MWh', dateFormat: 'unix', valueColumns: ['b'] });
    expect(r.series.map((s) => [s.key, s.quantity, s.values])).toEqual([['b', 'price', [10, 20]]]);
    expect(() => parseGenericCsv(csv, { unit: 'kW', valueColumns: ['c'] })).toThrow(/valueColumns: no column "c"/);
    expect(() => parseGenericCsv(csv, { unit: 'furlongs' })).toThrow(/unit: unknown unit/);
  });

  it('rejects a timestamp off the grid', () => {
    const r = parseGenericCsv('t,v\n2024-01-01T00:00Z,1\n2024-01-01T00:15Z,2\n2024-01-01T00:20Z,3\n2024-01-01T00:30Z,4\n', { unit: 'kW', resolution: 'PT15M' });
    expect(r.rejected).toEqual([{ line: 4, reason: expect.stringContaining('not on the PT15M grid') }]);
    expect(r.series[0].values).toEqual([1, 2, 4]);
  });

  it('the real Elia export that mixes "," and ";" is an error naming the first such line', () => {
    const elia = readFileSync('../shared/data/imbalance-samples/ImbalanceNrvPrices_2022-04-03.csv', 'utf8');
    expect(() => parseGenericCsv(elia, { unit: 'EUR/MWh', timestampColumn: 'execdate', dateFormat: 'DD/MM/YYYY' })).toThrow(/line 2: mixes ";" with the "," column separator/);
  });

  it('property: any regular series written as CSV reads back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { nil: null }), { minLength: 2, maxLength: 60 }),
        fc.integer({ min: 0, max: 2_000_000 }),
        fc.constantFrom(900_000, 1_800_000, 3_600_000),
        (values, startSlot, res) => {
          const start = startSlot * res;
          const rows = values.map((v, i) => `${new Date(start + i * res).toISOString()},${v === null ? '' : String(v)}`);
          // the ends must be present so the grid spans the whole series
          const vs = values.map((v, i) => (i === 0 || i === values.length - 1 ? v ?? 0 : v));
          rows[0] = `${new Date(start).toISOString()},${vs[0]}`;
          rows[rows.length - 1] = `${new Date(start + (values.length - 1) * res).toISOString()},${vs.at(-1)}`;
          const r = parseGenericCsv(['t,v', ...rows].join('\n'), { unit: 'kW', resolution: `PT${res / 60_000}M` });
          expect(r.rejected).toEqual([]);
          expect(r.series[0].start).toBe(start);
          expect(r.series[0].values).toEqual(vs.map((v) => (Object.is(v, -0) ? 0 : v)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('generic CSV on the Belgian day-ahead prices (ENTSO-E via a study, `01jan2022 00:00:00`, CRLF)', () => {
  const text = readFileSync('../shared/data/prices-be-dam/DAM_prices.csv', 'utf8');
  const r = parseGenericCsv(text, { unit: 'EUR/kWh', dateFormat: 'DDMMMYYYY HH:mm:ss', timeZone: 'Europe/Brussels' });
  const s = r.series[0];

  it('reads hourly prices from local midnight 2022-01-01 with the autumn 02:00 twice', () => {
    expect(s.key).toBe('DAM_price');
    expect(s.resolutionMs).toBe(3_600_000);
    expect(s.start).toBe(Date.parse('2021-12-31T23:00:00Z'));
    expect(s.values[0]).toBe(0.0820199966430664);
    const i = (Date.parse('2022-10-30T00:00:00Z') - s.start) / 3_600_000; // 02:00 CEST
    expect(s.values.slice(i, i + 3)).toEqual([0.1002200012207031, 0.0999300003051758, 0.0983600006103516]);
  });

  it('rejects only the blank spring 02:00 rows, which do not exist in Brussels time', () => {
    expect(r.rejected.map((x) => x.line)).toEqual([2044, 10781, 19686]);
    for (const x of r.rejected) expect(x.reason).toMatch(/does not exist in Europe\/Brussels/);
    expect(s.values).toHaveLength((Date.parse('2024-12-31T23:00:00Z') - s.start) / 3_600_000);
  });
});

describe('generic CSV read in chunks', () => {
  it('property: any chunking of a file (BOM, CRLF, gaps, a bad row) gives the same result as reading it whole', () => {
    const text = '\uFEFFtime;kw\r\n27.10.2024 01:00;1,5\r\n27.10.2024 02:00;2,5\r\n\r\n27.10.2024 02:00;x\r\n27.10.2024 02:00;3,5\r\n27.10.2024 04:00;-\r\n27.10.2024 05:00;6';
    const options = { unit: 'kW', timeZone: 'Europe/Berlin', dateFormat: 'DD.MM.YYYY HH:mm', decimalSeparator: ',' as const };
    const whole = parseGenericCsv(text, options);
    expect(whole.series[0].values).toEqual([1.5, 2.5, 3.5, null, null, 6]); // 03:00 CET absent, 04:00 written '-'
    expect(whole.rejected).toEqual([{ line: 5, reason: '"x" in column "kw" is not a number' }]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 12 }), (cuts) => {
        const at = [0, ...cuts.sort((a, b) => a - b), text.length];
        const reader = new GenericCsvReader(options);
        for (let i = 1; i < at.length; i++) reader.write(text.slice(at[i - 1], at[i]));
        expect(reader.end()).toEqual(whole);
        expect(reader.lines).toBe(8);
      }),
      { numRuns: 300 },
    );
  });
});
