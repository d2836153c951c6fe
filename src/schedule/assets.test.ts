import { describe, expect, it } from 'vitest';
import { schedule } from './index.ts';

const day = { start: '2024-03-01T00:00:00Z', slots: 24, resolution: 'PT1H' };
const curve = Array.from({ length: 24 }, (_, h) => 100 + 80 * Math.sin(((h - 12) * Math.PI) / 12));
const context = { importPrice: { unit: 'EUR/MWh', values: curve }, exportPrice: { unit: 'EUR/MWh', values: curve.map((v) => v - 10) } };

describe('asset types beyond the published cases', () => {
  it('a bidirectional EV sells at the dear hours and is still full enough at departure', async () => {
    const r = await schedule({
      ...day,
      context,
      assets: [{ id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00Z', departure: '2024-03-01T23:00:00Z', energyNeededKwh: 10, maxKw: 11, bidirectional: true, dischargeMaxKw: 11, capacityKwh: 60, socKwh: 30, chargeEfficiency: 0.95 }],
    });
    expect(r.status).toBe('optimal');
    const car = r.assets[0];
    expect(car.socKwh![22]).toBeGreaterThanOrEqual(40 - 1e-6);
    expect(Math.min(...car.powerKw)).toBeLessThan(-1);
    expect(car.powerKw[23]).toBe(0);
    expect(car.socKwh!.every((s) => s >= -1e-9 && s <= 60 + 1e-9)).toBe(true);
    expect(r.cost.total).toBeLessThan(r.baseline.cost);
  });

  it('an on-off charger runs at full power or not at all, and a need between steps is met in full', async () => {
    const r = await schedule({ ...day, context, assets: [{ id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00Z', departure: '2024-03-01T12:00:00Z', energyNeededKwh: 20, maxKw: 7.4, mode: 'on-off' }] });
    const p = r.assets[0].powerKw;
    expect(p.every((v) => Math.abs(v) < 1e-6 || Math.abs(v - 7.4) < 1e-6)).toBe(true);
    expect(p.filter((v) => v > 1).length).toBe(3);
    expect(r.unmet).toEqual([]);
    expect(r.solver.method).toMatch(/^highs:milp/);
  });

  it('a heat pump with a buffer meets the heat demand within capacity, heating in cheap hours', async () => {
    const r = await schedule({
      ...day,
      context,
      assets: [{ id: 'hp', type: 'heat-pump', maxElectricKw: 4, minElectricKw: 1.5, cop: 3, buffer: { capacityKwh: 30, stateKwh: 10, standingLossPerHour: 0.01, heatDemandKw: 3 } }],
    });
    expect(r.status).toBe('optimal');
    const hp = r.assets[0];
    expect(hp.powerKw.every((v) => Math.abs(v) < 1e-6 || (v >= 1.5 - 1e-6 && v <= 4 + 1e-6))).toBe(true);
    expect(hp.socKwh!.every((s) => s >= -1e-6 && s <= 30 + 1e-6)).toBe(true);
    // 24 h × 3 kW of heat, less what the buffer held, at COP 3 (plus standing losses)
    const electric = hp.powerKw.reduce((s, v) => s + v, 0);
    expect(electric).toBeGreaterThan((72 - 10) / 3 - 1e-6);
    expect(hp.powerKw[curve.indexOf(Math.max(...curve))]).toBe(0); // the dearest hour
  });

  it('an optional load runs only when it costs no more than maxCost', async () => {
    const load = (maxCost: number) => ({
      ...day,
      context,
      assets: [{ id: 'pool', type: 'shiftable-load', profileKw: [2, 2], earliestStart: '2024-03-01T10:00:00Z', latestEnd: '2024-03-01T14:00:00Z', optional: true, maxCost }],
    });
    const cheapest = 2 * (curve[10] + curve[11]) / 1000;
    for (const method of ['auto', 'highs'] as const) {
      const no = await schedule(load(cheapest * 0.9), { method });
      expect(no.assets[0].powerKw.every((v) => v === 0)).toBe(true);
      expect(no.unmet).toEqual([]);
      const yes = await schedule(load(cheapest * 1.1), { method });
      expect(yes.cost.total).toBeCloseTo(cheapest, 9);
    }
  });

  it('a must-run load whose window is shorter than its run is reported, not silently dropped', async () => {
    const r = await schedule({ ...day, context, assets: [{ id: 'wm', type: 'shiftable-load', profileKw: [1, 1, 1], earliestStart: '2024-03-01T22:00:00Z', latestEnd: '2024-03-02T06:00:00Z' }] });
    expect(r.status).toBe('unmet-wishes');
    expect(r.unmet[0]).toMatchObject({ assetId: 'wm', kind: 'not-run' });
    expect(r.unmet[0].message).toContain('needs 3');
  });

  it('a peak price flattens imports', async () => {
    const ev = { id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00Z', departure: '2024-03-01T08:00:00Z', energyNeededKwh: 40, maxKw: 22 };
    const flat = await schedule({ ...day, context: { ...context, peakPricePerKw: 5 }, assets: [ev] });
    expect(Math.max(...flat.site.importKw)).toBeCloseTo(5, 6);
    expect(flat.cost.peak).toBeCloseTo(25, 6);
    expect(flat.solver.method).toBe('highs:lp');
  });

  it('export dearer than import: a slot never imports and exports at once to pocket the difference', async () => {
    const r = await schedule({
      ...day,
      context: { importPrice: 100, exportPrice: 150, importLimitKw: 17, exportLimitKw: 17 },
      assets: [
        { id: 'house', type: 'inflexible-load', forecastKw: 2 },
        { id: 'roof', type: 'pv', forecastKw: 5 },
      ],
    });
    expect(r.solver.method).toBe('highs:milp');
    expect(r.cost.total).toBeCloseTo(-3 * 0.15 * 24, 9);
    // without import/export exclusivity the model would import 14 kW and export 17 kW at once and report −27.6
    expect(r.solver.objective).toBeCloseTo(-10.8, 6);
  });
});
