import { describe, expect, it } from 'vitest';
import { backtestTable, runForecast } from './run.ts';
import { backtest } from './backtest.ts';

const HOUR = 3_600_000;
const START = Date.parse('2024-01-01T00:00:00Z');
const values = Array.from({ length: 30 * 24 }, (_, i) => (i % 24) + Math.floor(i / 24) / 100);

describe('a forecast run', () => {
  it('forecasts from the next slot start with now as the belief time, using only finished slots', () => {
    const now = START + 20 * 24 * HOUR + 30 * 60_000; // 00:30 on day 20: slot 00:00 is not finished
    const r = runForecast({ values, start: START, resolutionMs: HOUR, method: 'seasonal-naive-day', horizon: 'PT48H', now });
    expect(r.start).toBe(START + (20 * 24 + 1) * HOUR);
    expect(r.beliefTime).toBe(now);
    expect(r.values).toHaveLength(48);
    expect(r.values[0]).toBe(values[19 * 24 + 1]); // 01:00 yesterday
    // 00:00 on day 21: today's 00:00 slot has not finished at 00:30, so the latest known 00:00 is day 19's
    expect(r.values[23]).toBe(values[19 * 24]);
    expect(r.values[23]).not.toBe(values[20 * 24]);
  });

  it('refuses a bad horizon', () => {
    expect(() => runForecast({ values, start: START, resolutionMs: HOUR, method: 'persistence', horizon: '2 days', now: START + 10 * HOUR })).toThrow(/horizon/);
  });

  it('prints the back-test table with every method and horizon block', () => {
    const rep = backtest({ values, start: START, resolutionMs: HOUR, methods: ['persistence'], horizon: 24 });
    const text = backtestTable(rep, HOUR, 'kW');
    expect(text).toContain('seasonal-naive-day');
    expect(text).toMatch(/persistence\s+\d/);
    expect(text).toContain('0-6 h');
    expect(text).toContain('18-24 h');
  });
});
