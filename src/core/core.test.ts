import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { formatDuration, formatInstant, isAligned, parseDuration, parseInstant, slotsInLocalDay } from './time.ts';
import { convertValues, converter, parseUnit } from './units.ts';
import { resample } from './series.ts';
import { ProblemError } from './errors.ts';

describe('time', () => {
  it('parses and formats fixed ISO 8601 durations', () => {
    expect(parseDuration('PT15M')).toBe(900_000);
    expect(parseDuration('PT1H30M')).toBe(5_400_000);
    expect(parseDuration('P1D')).toBe(86_400_000);
    expect(formatDuration(900_000)).toBe('PT15M');
    expect(formatDuration(3_600_000)).toBe('PT1H');
    expect(() => parseDuration('P1M')).toThrow(/resolution/);
    expect(() => parseDuration('15 minutes')).toThrow(ProblemError);
  });

  it('refuses a timestamp without offset unless a time zone is given', () => {
    expect(parseInstant('2024-03-01T00:00:00+01:00', 'start')).toBe(Date.UTC(2024, 1, 29, 23));
    expect(() => parseInstant('2024-03-01T00:00:00', 'start')).toThrow(/start: .*no UTC offset/);
    expect(parseInstant('2024-03-01T00:00:00', 'start', 'Europe/Berlin')).toBe(Date.UTC(2024, 1, 29, 23));
    expect(formatInstant(Date.UTC(2024, 1, 29, 23), 'Europe/Berlin')).toBe('2024-03-01T00:00:00+01:00');
  });

  it('reads and writes instants exactly as luxon does, on its fast path too', () => {
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    const text = fc.record({
      y: fc.integer({ min: 1900, max: 2100 }), mo: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }), mi: fc.integer({ min: 0, max: 61 }), s: fc.integer({ min: 0, max: 61 }),
      frac: fc.option(fc.integer({ min: 0, max: 999 }).map((f) => `.${pad(f, 3).replace(/0+$/, '') || '0'}`), { nil: '' }),
      zone: fc.constantFrom('Z', '+01:00', '-05:30', '+14:00', '-00:00', '+05:45'),
    }).map((p) => `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${p.frac}${p.zone}`);
    fc.assert(fc.property(text, (t) => {
      const dt = DateTime.fromISO(t, { setZone: true });
      if (dt.isValid) expect(parseInstant(t, 'start')).toBe(dt.toMillis());
      else expect(() => parseInstant(t, 'start')).toThrow(/start/);
    }), { numRuns: 3000 });
    fc.assert(fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }), (ms) => {
      expect(formatInstant(ms)).toBe(DateTime.fromMillis(ms, { zone: 'UTC' }).toUTC().toISO({ suppressMilliseconds: true }));
    }), { numRuns: 3000 });
  });

  it('counts 92, 96 and 100 quarter-hours in Berlin days around the clock changes', () => {
    expect(slotsInLocalDay('2024-03-31', 'Europe/Berlin', 900_000)).toBe(92);
    expect(slotsInLocalDay('2024-06-01', 'Europe/Berlin', 900_000)).toBe(96);
    expect(slotsInLocalDay('2024-10-27', 'Europe/Berlin', 900_000)).toBe(100);
  });

  it('checks alignment on the local wall clock', () => {
    const kolkataMidnight = parseInstant('2024-01-01T00:00:00+05:30', 't');
    expect(isAligned(kolkataMidnight, 3_600_000, 'Asia/Kolkata')).toBe(true);
    expect(isAligned(kolkataMidnight, 3_600_000)).toBe(false);
  });
});

describe('units', () => {
  it('converts within a quantity and refuses across quantities and currencies', () => {
    expect(converter('W', 'kW')(1500)).toBeCloseTo(1.5);
    expect(converter('EUR/MWh', 'ct/kWh')(100)).toBe(10);
    expect(converter('EUR/MWh', 'ct/kWh')(0.1)).toBe(0.01);
    expect(converter('EUR/MWh', 'EUR/kWh')(250)).toBeCloseTo(0.25);
    expect(converter('K', '°C')(273.15)).toBeCloseTo(0);
    expect(convertValues([1000, null], 'kWh', 'MWh')).toEqual([1, null]);
    expect(() => converter('kW', 'kWh')).toThrow(/does not convert/);
    expect(() => converter('EUR/MWh', 'NZD/MWh')).toThrow(/does not convert/);
    expect(() => parseUnit('furlongs')).toThrow(/unknown unit/);
  });
});

describe('series', () => {
  it('averages power and sums energy when downsampling', () => {
    expect(resample([1, 2, 3, 4, 5, 6, 7, 8], 900_000, 3_600_000, 'mean')).toEqual([2.5, 6.5]);
    expect(resample([1, 2, 3, 4, 5, null, 7, 8], 900_000, 3_600_000, 'sum')).toEqual([10, null]);
    expect(resample([1, null, null, null], 900_000, 3_600_000, 'mean')).toEqual([1]);
  });
  it('repeats power and splits energy when upsampling', () => {
    expect(resample([4], 3_600_000, 900_000, 'mean')).toEqual([4, 4, 4, 4]);
    expect(resample([4], 3_600_000, 900_000, 'sum')).toEqual([1, 1, 1, 1]);
  });
});
