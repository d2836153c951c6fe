import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { axisLabel, formatValue, summarise } from './labels.ts';
import { parseRoute, routeHash, type Route } from './route.ts';
import { commonLastDay, daysIn, lastDayWithData, rangeInstants, rangeProblem, readResolution, shiftRange, slotTimes, weekEnding } from './timeline.ts';

describe('date range picker in the site time zone', () => {
  it('a winter week in Berlin runs from local midnight (+01:00) to the midnight after the last day', () => {
    expect(rangeInstants({ from: '2024-01-01', to: '2024-01-07' }, 'Europe/Berlin')).toEqual({
      start: '2024-01-01T00:00:00+01:00',
      end: '2024-01-08T00:00:00+01:00',
    });
  });

  it('the spring clock-change day in Berlin is 23 hours long and ends at +02:00', () => {
    const { start, end } = rangeInstants({ from: '2024-03-31', to: '2024-03-31' }, 'Europe/Berlin');
    expect(start).toBe('2024-03-31T00:00:00+01:00');
    expect(end).toBe('2024-04-01T00:00:00+02:00');
    expect(Date.parse(end) - Date.parse(start)).toBe(23 * 3_600_000);
  });

  it('the default week ends on the given day and counts seven days, across a month end', () => {
    expect(weekEnding('2024-03-03')).toEqual({ from: '2024-02-26', to: '2024-03-03' });
    expect(daysIn(weekEnding('2024-03-03'))).toBe(7);
  });

  it('moving a range keeps its length and does not overlap the old one', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }), fc.integer({ min: 1, max: 60 }), (d, len) => {
        const from = d.toISOString().slice(0, 10);
        const base = { from, to: new Date(Date.parse(from) + (len - 1) * 86_400_000).toISOString().slice(0, 10) };
        const later = shiftRange(base, 1);
        const earlier = shiftRange(base, -1);
        expect(daysIn(later)).toBe(len);
        expect(daysIn(earlier)).toBe(len);
        expect(later.from > base.to).toBe(true);
        expect(earlier.to < base.from).toBe(true);
        expect(shiftRange(later, -1)).toEqual(base);
      }),
    );
  });

  it('a range a person typed is refused with the field named', () => {
    expect(rangeProblem({ from: '', to: '2024-01-01' })).toMatch(/^From:/);
    expect(rangeProblem({ from: '2024-01-01', to: '2024-02-30' })).toMatch(/^To:/);
    expect(rangeProblem({ from: '2024-01-08', to: '2024-01-01' })).toMatch(/^To: must not be before/);
    expect(rangeProblem({ from: '2020-01-01', to: '2024-01-01' })).toMatch(/three years/);
    expect(rangeProblem({ from: '2024-01-01', to: '2024-01-07' })).toBeNull();
  });
});

describe('chart x values and data extent', () => {
  it('slot times step by the resolution from the offset timestamp, in Unix seconds', () => {
    const t = slotTimes('2024-01-01T00:00:00+01:00', 'PT1H', 3);
    expect(t).toEqual([1704063600, 1704067200, 1704070800]);
    expect(slotTimes('2024-01-01T00:00:00Z', 'PT15M', 2)[1] - slotTimes('2024-01-01T00:00:00Z', 'PT15M', 2)[0]).toBe(900);
  });

  it('the last day with data is the local day of the last non-missing slot', () => {
    // daily slots from 2024-12-29 local midnight; the last value sits on 2024-12-30
    expect(lastDayWithData('2024-12-29T00:00:00+01:00', 'P1D', [1, 2, null, null], 'Europe/Berlin')).toBe('2024-12-30');
    // 23:30 UTC on 31 Dec is already 1 Jan in Berlin
    expect(lastDayWithData('2024-12-31T23:00:00Z', 'PT30M', [null, 5], 'Europe/Berlin')).toBe('2025-01-01');
    expect(lastDayWithData('2024-12-31T23:00:00Z', 'PT30M', [null, null], 'Europe/Berlin')).toBeNull();
  });

  it('the default week ends on the earliest last day, so every sensor with data shows some', () => {
    expect(commonLastDay(['2025-02-27', null, '2024-12-31'])).toBe('2024-12-31');
    expect(commonLastDay([null, null])).toBeNull();
  });

  it('long ranges are read at a coarser resolution that keeps the chart under the point budget', () => {
    const year = 366 * 86_400_000;
    expect(readResolution('PT15M', 7 * 86_400_000)).toBe('PT15M');
    expect(readResolution('PT15M', year)).toBe('PT30M');
    expect(readResolution('PT15M', year, 5_000)).toBe('PT3H');
    expect(readResolution('PT1H', 3 * year)).toBe('PT3H');
  });
});

describe('labels', () => {
  it('power axes carry the unit and the sign convention; prices carry the unit', () => {
    expect(axisLabel('power', 'kW')).toBe('Power (kW) + consumed / − produced');
    expect(axisLabel('price', 'EUR/MWh')).toBe('Price (EUR/MWh)');
  });

  it('values use a real minus sign and a dash for missing', () => {
    expect(formatValue(-12.345, 'EUR/MWh')).toBe('−12.35 EUR/MWh');
    expect(formatValue(null, 'kW')).toBe('–');
  });

  it('summaries skip missing values', () => {
    expect(summarise([1, null, 3, -2])).toEqual({ count: 3, missing: 1, min: -2, mean: 2 / 3, max: 3 });
    expect(summarise([null])).toEqual({ count: 0, missing: 1, min: null, mean: null, max: null });
  });
});

describe('hash routes', () => {
  it('reads the pages and their date range', () => {
    expect(parseRoute('')).toEqual({ page: 'sites' });
    expect(parseRoute('#/login?next=%23%2Fsites%2F3')).toEqual({ page: 'login', next: '#/sites/3' });
    expect(parseRoute('#/sites/3?from=2024-01-01&to=2024-01-07')).toEqual({ page: 'site', id: '3', from: '2024-01-01', to: '2024-01-07' });
    expect(parseRoute('#/sensors/abc')).toEqual({ page: 'sensor', id: 'abc' });
    expect(parseRoute('#/tokens')).toEqual({ page: 'tokens' });
    expect(parseRoute('#/nope/1/2')).toEqual({ page: 'not-found', path: '/nope/1/2' });
  });

  it('writing a route and reading it back gives the same route', () => {
    const day = fc.date({ min: new Date('2000-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const route: fc.Arbitrary<Route> = fc.oneof(
      fc.constant<Route>({ page: 'sites' }),
      fc.constant<Route>({ page: 'tokens' }),
      fc.record({ page: fc.constantFrom('site' as const, 'sensor' as const), id: fc.string({ minLength: 1 }), from: day, to: day }),
    );
    fc.assert(fc.property(route, (r) => {
      expect(parseRoute(routeHash(r))).toEqual(r);
    }));
  });
});
