import { describe, expect, it } from 'vitest';
import { homeRequest } from './fixtures.ts';
import { schedule } from './index.ts';

describe('one home: battery, EV, heat pump with a building, two shiftable loads, PV, base load, site limit', () => {
  it('meets every wish within every limit and beats the baseline', async () => {
    const r = await schedule(homeRequest());
    expect(r.status).toBe('optimal');
    expect(r.unmet).toEqual([]);
    const by = Object.fromEntries(r.assets.map((a) => [a.id, a]));
    for (let t = 0; t < 96; t++) {
      const net = r.assets.reduce((s, a) => s + a.powerKw[t], 0);
      expect(r.site.importKw[t] - r.site.exportKw[t]).toBeCloseTo(net, 6);
      expect(r.site.importKw[t]).toBeLessThanOrEqual(17 + 1e-6);
      expect(by['heat-pump'].temperatureC![t]).toBeGreaterThanOrEqual(20 - 1e-6);
      expect(by['heat-pump'].temperatureC![t]).toBeLessThanOrEqual(22 + 1e-6);
      expect(by['heat-pump'].powerKw[t]).toBeLessThanOrEqual(3 + 1e-6);
      expect(by.pv.powerKw[t]).toBeLessThanOrEqual(1e-9);
      expect(by.battery.socKwh![t]).toBeGreaterThanOrEqual(1 - 1e-6);
      expect(by.battery.socKwh![t]).toBeLessThanOrEqual(9.5 + 1e-6);
    }
    expect(by.battery.socKwh![95]).toBeGreaterThanOrEqual(4 - 1e-6);
    const carKwh = by.car.powerKw.reduce((s, v) => s + v, 0) * 0.25 * 0.92;
    expect(carKwh).toBeCloseTo(25, 4);
    expect(by.car.powerKw.slice(28).every((v) => v === 0)).toBe(true);
    // the washing machine runs its six steps back to back inside 08:00–20:00
    const wm = by['washing-machine'].powerKw;
    const start = wm.findIndex((v) => v > 0);
    expect(start).toBeGreaterThanOrEqual(32);
    expect(wm.slice(start, start + 6)).toEqual([2, 2, 0.5, 0.5, 1.5, 1.5].map((v) => expect.closeTo(v, 6)));
    expect(start + 6).toBeLessThanOrEqual(80);
    // the dishwasher's four steps fall in 12:00–24:00, at most one per slot
    const dw = by.dishwasher.powerKw;
    expect(dw.filter((v) => v > 0.6)).toHaveLength(4);
    expect(dw.slice(0, 48).every((v) => v === 0)).toBe(true);
    expect(r.cost.total).toBeLessThanOrEqual(r.baseline.cost + 1e-6);
    expect(r.saving).toBeCloseTo(r.baseline.cost - r.cost.total, 9);
    expect(r.solver.method).toMatch(/^highs:milp/);
    expect(r.solver.mipGap).toBeLessThanOrEqual(1e-4);
  });
});
