import { describe, expect, it } from 'vitest';
import { schedule } from './index.ts';

const day = { start: '2024-03-01T00:00:00Z', slots: 24, resolution: 'PT1H' };
const prices = (values: number[]) => ({ importPrice: { unit: 'EUR/MWh', values } });
const rising = Array.from({ length: 24 }, (_, i) => 50 + i * 5);

describe('known pitfalls of earlier schedulers', () => {
  for (const method of ['auto', 'highs'] as const) {
    it(`a charging target out of reach charges all it can and reports the shortfall (${method})`, async () => {
      const r = await schedule(
        { ...day, context: prices(rising), assets: [{ id: 'car', type: 'ev-charger', arrival: '2024-03-01T20:00:00Z', departure: '2024-03-01T22:00:00Z', energyNeededKwh: 100, maxKw: 11 }] },
        { method },
      );
      expect(r.status).toBe('unmet-wishes');
      expect(r.assets[0].powerKw[20]).toBeCloseTo(11, 6);
      expect(r.assets[0].powerKw[21]).toBeCloseTo(11, 6);
      expect(r.unmet).toHaveLength(1);
      expect(r.unmet[0]).toMatchObject({ assetId: 'car', kind: 'energy', unit: 'kWh' });
      expect(r.unmet[0].amount).toBeCloseTo(78, 6);
      expect(r.solver.method).toBe(method === 'auto' ? 'planner:ev-cheapest-slots' : 'highs:lp');
    });
  }

  it('a battery starting above its band is not infeasible: it moves back as fast as it can', async () => {
    const r = await schedule({
      ...day,
      resolution: 'PT15M',
      slots: 16,
      context: prices(Array(16).fill(100)),
      assets: [{ id: 'b', type: 'battery', capacityKwh: 10, socKwh: 9.5, socMinKwh: 1, socMaxKwh: 8, chargeMaxKw: 2, dischargeMaxKw: 2 }],
    });
    expect(r.status).toBe('unmet-wishes');
    const soc = r.assets[0].socKwh!;
    expect(soc.slice(0, 3).map((v) => +v.toFixed(6))).toEqual([9, 8.5, 8]);
    expect(Math.max(...soc.slice(2))).toBeLessThanOrEqual(8 + 1e-6);
    expect(r.unmet[0].kind).toBe('soc-band');
  });

  it('a charging need is never rounded down: 10.3 kWh at 7 kW is delivered in full, the last hour partly', async () => {
    const r = await schedule({ ...day, context: prices(rising), assets: [{ id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00Z', departure: '2024-03-01T12:00:00Z', energyNeededKwh: 10.3, maxKw: 7, chargeEfficiency: 0.9 }] });
    const p = r.assets[0].powerKw;
    expect(p.reduce((s, v) => s + v, 0) * 0.9).toBeCloseTo(10.3, 9);
    expect(p[0]).toBeCloseTo(7, 9);
    expect(p[1]).toBeCloseTo(10.3 / 0.9 - 7, 9);
    expect(r.status).toBe('optimal');
    expect(r.saving).toBeCloseTo(0, 9);
  });

  it('a fixed load above the connection limit is infeasible with a reason naming the limit and the load', async () => {
    const values = Array(24).fill(5);
    values[18] = 20;
    const r = await schedule({ ...day, context: { ...prices(rising), importLimitKw: 17 }, assets: [{ id: 'house', type: 'inflexible-load', forecastKw: { values } }] });
    expect(r.status).toBe('infeasible');
    expect(r.reason).toContain('importLimitKw');
    expect(r.reason).toContain('house 20.00 kW');
    expect(r.reason).toContain('slot 18');
  });

  it('non-curtailable PV above the export limit is infeasible; curtailable PV is curtailed', async () => {
    const pv = (curtailable: boolean) => ({ ...day, context: { ...prices(rising), exportLimitKw: 3, exportPrice: 50 }, assets: [{ id: 'pv', type: 'pv', forecastKw: 5, curtailable }] });
    const hard = await schedule(pv(false));
    expect(hard.status).toBe('infeasible');
    expect(hard.reason).toContain('exportLimitKw');
    const soft = await schedule(pv(true));
    expect(soft.status).toBe('optimal');
    expect(Math.max(...soft.site.exportKw)).toBeCloseTo(3, 6);
    expect(soft.cost.total).toBeCloseTo(-24 * 3 * 0.05, 6);
  });
});

describe('the penalty ladder', () => {
  it('meeting a SoC target beats saving money even at 3,000 EUR/MWh', async () => {
    const values = Array(24).fill(3000);
    values[0] = -500;
    const r = await schedule({
      ...day,
      context: prices(values),
      assets: [{ id: 'b', type: 'battery', capacityKwh: 10, socKwh: 0, chargeMaxKw: 2, dischargeMaxKw: 2, socTargets: [{ at: '2024-03-01T06:00:00Z', minKwh: 8 }] }],
    });
    expect(r.status).toBe('optimal');
    expect(r.assets[0].socKwh![5]).toBeGreaterThanOrEqual(8 - 1e-6);
  });

  it('comfort outranks a charging target when the connection cannot serve both', async () => {
    const r = await schedule({
      ...day,
      context: { ...prices(rising), importLimitKw: 10 },
      assets: [
        { id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00Z', departure: '2024-03-02T00:00:00Z', energyNeededKwh: 200, maxKw: 11 },
        {
          id: 'hp',
          type: 'heat-pump',
          maxElectricKw: 5,
          cop: 3,
          building: { temperatureC: 20, heatLossKwPerK: 0.5, thermalCapacityKwhPerK: 5, outdoorTemperatureC: -5, comfort: { minC: 19, maxC: 23 } },
        },
      ],
    });
    expect(r.status).toBe('unmet-wishes');
    expect(r.unmet.map((u) => u.kind)).toEqual(['energy']);
    const temp = r.assets[1].temperatureC!;
    expect(Math.min(...temp)).toBeGreaterThanOrEqual(19 - 1e-6);
    // the heat pump takes what comfort needs, the car every other kW of the connection
    expect(r.site.importKw.every((v) => v <= 10 + 1e-6)).toBe(true);
    const carKwh = r.assets[0].powerKw.reduce((s, v) => s + v, 0);
    const heatKwh = r.assets[1].powerKw.reduce((s, v) => s + v, 0);
    expect(carKwh + heatKwh).toBeCloseTo(240, 4);
    expect(r.unmet[0].amount).toBeCloseTo(200 - carKwh, 4);
  });
});

describe('infeasible over time, not in any one slot', () => {
  it('names the conflicting limits from HiGHS: export limit, battery capacity, fixed PV, and when', async () => {
    const r = await schedule({
      start: '2024-03-01T00:00:00Z',
      slots: 6,
      resolution: 'PT1H',
      context: { importPrice: 100, exportLimitKw: 0 },
      assets: [
        { id: 'b', type: 'battery', capacityKwh: 10, socKwh: 2, chargeMaxKw: 5, dischargeMaxKw: 5 },
        { id: 'roof', type: 'pv', forecastKw: 4 },
      ],
    });
    expect(r.status).toBe('infeasible');
    expect(r.reason).toContain('these hard limits conflict');
    expect(r.reason).toContain('context.exportLimitKw 0 kW');
    expect(r.reason).toContain('b SoC band [0, 10] kWh');
    expect(r.reason).toContain('the fixed power of roof (slots 0–2');
    expect(r.reason).not.toContain('chargeMaxKw');
    expect(r.assets).toEqual([]);
  });
});

describe('a car that leaves after the horizon', () => {
  const overnight = (energyNeededKwh: number) => ({
    ...day,
    context: prices(rising),
    assets: [{ id: 'car', type: 'ev-charger', arrival: '2024-03-01T18:00:00Z', departure: '2024-03-02T07:00:00Z', energyNeededKwh, maxKw: 11 }],
  });
  it('is not forced to charge before the horizon ends when the rest of the night suffices', async () => {
    const r = await schedule(overnight(40));
    expect(r.status).toBe('optimal');
    expect(r.assets[0].powerKw.every((v) => v === 0)).toBe(true);
  });
  it('charges before the horizon ends only what the rest of the night cannot: 100 − 7 h × 11 kW = 23 kWh', async () => {
    for (const method of ['auto', 'highs'] as const) {
      const r = await schedule(overnight(100), { method });
      expect(r.status).toBe('optimal');
      const p = r.assets[0].powerKw;
      expect(p.reduce((s, v) => s + v, 0)).toBeCloseTo(23, 6);
      expect(p.slice(18, 20)).toEqual([11, 11].map((v) => expect.closeTo(v, 6)));
      expect(p[20]).toBeCloseTo(1, 6);
    }
  });
});

describe('the solver always runs with a time limit and a MIP gap, and reports them', () => {
  it('a home MILP cut off at 1 ms says so; with time it reports the gap reached', async () => {
    const { homeRequest } = await import('./fixtures.ts');
    const short = await schedule(homeRequest(), { timeLimitS: 0.001, mipRelGap: 0.01 });
    expect(short.solver).toMatchObject({ timeLimitS: 0.001, mipRelGap: 0.01 });
    if (short.status === 'infeasible') expect(short.reason).toContain('time limit of 0.001 s');
    else expect(short.solver.mipGap).toBeGreaterThanOrEqual(0);
    const full = await schedule(homeRequest(), { mipRelGap: 0.01 });
    expect(full.status).toBe('optimal');
    expect(full.solver.mipGap).toBeLessThanOrEqual(0.01);
    expect(full.solver.timeLimitS).toBe(30);
  });
});
