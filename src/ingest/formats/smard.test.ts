import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSmardCsv } from './smard.ts';
import { ProblemError } from '../../core/errors.ts';

const FILE = '../shared/data/prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv';
const text = readFileSync(FILE, 'utf8');
const lines = text.split('\n');

describe('SMARD 2024 day-ahead prices, all zones', () => {
  const r = parseSmardCsv(text);
  const de = r.series.find((s) => s.key === 'DE-LU')!;

  it('reads 17 zones of 8,784 hourly values from local Berlin midnight', () => {
    expect(r.rejected).toEqual([]);
    expect(r.series).toHaveLength(17);
    for (const s of r.series) {
      expect(s.values).toHaveLength(8784);
      expect(s.resolutionMs).toBe(3_600_000);
      expect(s.start).toBe(Date.parse('2023-12-31T23:00:00Z'));
      expect(s.unit).toBe('EUR/MWh');
      expect(s.quantity).toBe('price');
    }
  });

  it('reads the decimal comma, negative prices and the first and last rows', () => {
    expect(de.values[0]).toBe(0.1);
    expect(de.values[3]).toBe(-0.01);
    expect(de.values[8783]).toBe(0.52);
    expect(r.series.find((s) => s.key === 'DE-LU-NEIGHBOURS')!.values[0]).toBe(21.15);
  });

  it('places the spring clock-change row (01:00 CET written with a 30.03 end) and continues at 03:00 CEST', () => {
    const i = (Date.parse('2024-03-31T00:00:00Z') - de.start) / 3_600_000; // 01:00 CET
    expect(de.values[i]).toBe(66.71);
    expect(de.values[i + 1]).toBe(64.98); // 03:00 CEST = 01:00 UTC
  });

  it('reads the autumn 02:00 written twice as the CEST hour and then the CET hour', () => {
    const i = (Date.parse('2024-10-27T00:00:00Z') - de.start) / 3_600_000; // 02:00 CEST
    expect(de.values[i]).toBe(82.23);
    expect(de.values[i + 1]).toBe(80.43);
    expect(de.values[i + 2]).toBe(79.41);
  });

  it('keeps "-" as a gap: DE/AT/LU has no prices in 2024', () => {
    expect(r.series.find((s) => s.key === 'DE-AT-LU')!.values.every((v) => v === null)).toBe(true);
    expect(de.values.every((v) => v !== null)).toBe(true);
  });
});

describe('SMARD broken variants', () => {
  it('rejects a bad number and a row with too few columns, naming the lines, and keeps the rest', () => {
    const broken = [...lines];
    broken[2] = broken[2].replace(';0,01;', ';0,0x1;');
    broken[5] = broken[5].split(';').slice(0, 5).join(';');
    const r = parseSmardCsv(broken.join('\n'));
    expect(r.rejected.map((x) => x.line)).toEqual([3, 6]);
    expect(r.rejected[0].reason).toContain('0,0x1');
    expect(r.rejected[1].reason).toContain('5 columns');
    const de = r.series[0];
    expect(de.values).toHaveLength(8784);
    expect(de.values[1]).toBeNull();
    expect(de.values[4]).toBeNull();
  });

  it('rejects a repeated row outside the clock change', () => {
    const broken = [...lines];
    broken.splice(10, 0, lines[9]);
    const r = parseSmardCsv(broken.join('\n'));
    expect(r.rejected).toEqual([{ line: 11, reason: expect.stringContaining('repeats') }]);
  });

  it('reads a quarter-hour export across the autumn change, where 02:00-02:45 appear twice', () => {
    const head = 'Datum von;Datum bis;Deutschland/Luxemburg [€/MWh] Originalauflösungen';
    const times = ['01:45', '02:00', '02:15', '02:30', '02:45', '02:00', '02:15', '02:30', '02:45', '03:00'];
    const rows = times.map((t, i) => `27.10.2024 ${t};27.10.2024 ${t};${i},5`);
    const r = parseSmardCsv(['\uFEFF' + head, ...rows].join('\r\n'));
    expect(r.rejected).toEqual([]);
    expect(r.series[0].resolutionMs).toBe(900_000);
    expect(r.series[0].start).toBe(Date.parse('2024-10-26T23:45:00Z'));
    expect(r.series[0].values).toEqual(times.map((_, i) => i + 0.5));
  });

  it('a row written with "," instead of ";" is an error naming its line', () => {
    const broken = [...lines];
    broken[3] = broken[3].replaceAll(';', ',');
    expect(() => parseSmardCsv(broken.join('\n'))).toThrow(/line 4: uses "," where SMARD writes ";"/);
  });

  it('refuses a file with another header', () => {
    expect(() => parseSmardCsv('Zeit;Preis\n01.01.2024 00:00;1,0')).toThrow(ProblemError);
    expect(() => parseSmardCsv('Zeit;Preis\n01.01.2024 00:00;1,0')).toThrow(/line 1/);
  });
});
