import fc from 'fast-check';
import type { Highs } from 'highs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeRequest } from '../flex/normalize.ts';
import { planCharging } from './charging.ts';
import { highsInstance } from './highs.ts';
import { scheduleProblem } from './schedule.ts';

let highs: Highs;
beforeAll(async () => {
  highs = await highsInstance();
});

const T0 = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const QH = 900_000;

const evInstance = fc.record({
  n: fc.integer({ min: 2, max: 48 }),
  prices: fc.array(fc.integer({ min: -200, max: 400 }), { minLength: 48, maxLength: 48 }),
  arrivalMin: fc.integer({ min: 0, max: 600 }),
  stayMin: fc.integer({ min: 1, max: 720 }),
  maxKw: fc.double({ min: 1, max: 22, noNaN: true }),
  needKwh: fc.double({ min: 0, max: 80, noNaN: true }),
  eta: fc.double({ min: 0.5, max: 1, noNaN: true }),
});

describe('the EV cheapest-slots planner equals the HiGHS model', () => {
  it('on 2,000 random instances: same cost, same shortfall, energy within the plug-in window', () => {
    fc.assert(
      fc.property(evInstance, (c) => {
        const arrival = T0 + c.arrivalMin * 60_000;
        const request = {
          start: iso(T0),
          slots: c.n,
          resolution: 'PT15M',
          context: { importPrice: { unit: 'EUR/MWh', values: c.prices.slice(0, c.n) } },
          assets: [{ id: 'car', type: 'ev-charger', arrival: iso(arrival), departure: iso(arrival + c.stayMin * 60_000), energyNeededKwh: c.needKwh, maxKw: c.maxKw, chargeEfficiency: c.eta }],
        };
        const p = normalizeRequest(request);
        const fast = scheduleProblem(p, highs, { method: 'auto' });
        const exact = scheduleProblem(p, highs, { method: 'highs' });
        expect(fast.solver.method).toBe('planner:ev-cheapest-slots');
        expect(exact.solver.method).toMatch(/^highs:/);
        const scale = 1 + Math.abs(exact.cost.total);
        expect(Math.abs(fast.cost.total - exact.cost.total)).toBeLessThan(1e-6 * scale);
        const short = (r: typeof fast) => r.unmet.reduce((s, u) => s + u.amount, 0);
        expect(Math.abs(short(fast) - short(exact))).toBeLessThan(1e-5);
        const power = fast.assets[0].powerKw;
        for (let t = 0; t < c.n; t++) {
          const s = T0 + t * QH;
          const plugged = Math.max(0, Math.min(arrival + c.stayMin * 60_000, s + QH) - Math.max(arrival, s)) / QH;
          expect(power[t]).toBeLessThanOrEqual(c.maxKw * plugged + 1e-9);
          expect(power[t]).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  }, 300_000);
});

const batteryInstance = fc.record({
  n: fc.integer({ min: 4, max: 48 }),
  imp: fc.array(fc.integer({ min: -50, max: 300 }), { minLength: 48, maxLength: 48 }),
  spread: fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 48, maxLength: 48 }),
  load: fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 48, maxLength: 48 }),
  pv: fc.array(fc.double({ min: 0, max: 6, noNaN: true }), { minLength: 48, maxLength: 48 }),
  capacity: fc.double({ min: 1, max: 20, noNaN: true }),
  socShare: fc.double({ min: 0, max: 1, noNaN: true }),
  band: fc.tuple(fc.double({ min: 0, max: 0.4, noNaN: true }), fc.double({ min: 0.6, max: 1, noNaN: true })),
  chargeKw: fc.double({ min: 0.5, max: 8, noNaN: true }),
  dischargeKw: fc.double({ min: 0.5, max: 8, noNaN: true }),
  rte: fc.double({ min: 0.5, max: 1, noNaN: true }),
  cycle: fc.double({ min: 0, max: 0.05, noNaN: true }),
  importLimit: fc.double({ min: 5, max: 20, noNaN: true }),
  exportLimit: fc.double({ min: 6, max: 20, noNaN: true }),
});

describe('battery schedules keep physics and limits', () => {
  it('energy balance, SoC within band, power within limits, site limits, never both directions in one slot', () => {
    fc.assert(
      fc.property(batteryInstance, (c) => {
        const [lo, hi] = c.band;
        const socMin = lo * c.capacity;
        const socMax = hi * c.capacity;
        const soc0 = socMin + c.socShare * (socMax - socMin);
        const request = {
          start: iso(T0),
          slots: c.n,
          resolution: 'PT1H',
          context: {
            importPrice: { unit: 'EUR/MWh', values: c.imp.slice(0, c.n) },
            exportPrice: { unit: 'EUR/MWh', values: c.imp.slice(0, c.n).map((v, i) => v - c.spread[i]) },
            importLimitKw: c.importLimit,
            exportLimitKw: c.exportLimit,
          },
          assets: [
            { id: 'b', type: 'battery', capacityKwh: c.capacity, socKwh: soc0, socMinKwh: socMin, socMaxKwh: socMax, chargeMaxKw: c.chargeKw, dischargeMaxKw: c.dischargeKw, roundTripEfficiency: c.rte, cycleCostPerKwh: c.cycle },
            { id: 'house', type: 'inflexible-load', forecastKw: { values: c.load.slice(0, c.n) } },
            { id: 'pv', type: 'pv', forecastKw: { values: c.pv.slice(0, c.n) } },
          ],
        };
        const r = scheduleProblem(normalizeRequest(request), highs);
        expect(r.status).toBe('optimal');
        const eta = Math.sqrt(c.rte);
        const [b, house, pv] = r.assets;
        const soc = b.socKwh!;
        for (let t = 0; t < c.n; t++) {
          const p = b.powerKw[t];
          const before = t === 0 ? soc0 : soc[t - 1];
          // one direction per slot: the SoC moves by exactly that direction's efficiency
          const expected = p >= 0 ? before + p * eta : before + p / eta;
          expect(Math.abs(soc[t] - expected)).toBeLessThan(1e-6 * (1 + c.capacity));
          expect(soc[t]).toBeGreaterThanOrEqual(socMin - 1e-6);
          expect(soc[t]).toBeLessThanOrEqual(socMax + 1e-6);
          expect(p).toBeLessThanOrEqual(c.chargeKw + 1e-6);
          expect(p).toBeGreaterThanOrEqual(-c.dischargeKw - 1e-6);
          const net = p + house.powerKw[t] + pv.powerKw[t];
          expect(r.site.importKw[t] - r.site.exportKw[t]).toBeCloseTo(net, 6);
          expect(r.site.importKw[t]).toBeLessThanOrEqual(c.importLimit + 1e-6);
          expect(r.site.exportKw[t]).toBeLessThanOrEqual(c.exportLimit + 1e-6);
        }
        // never worse than the idle baseline
        expect(r.cost.total).toBeLessThanOrEqual(r.baseline.cost + 1e-6);
      }),
      { numRuns: 200 },
    );
  }, 300_000);
});

describe('planCharging', () => {
  it('plans the full energy, within power, never dearer than charging at once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -0.1, max: 0.6, noNaN: true }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 10, max: 1200 }),
        fc.double({ min: 1, max: 22, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (values, startMin, stayMin, powerKw, share) => {
          const start = T0 + startMin * 60_000;
          const deadline = start + stayMin * 60_000;
          const energyKwh = share * powerKw * (stayMin / 60);
          const plan = planCharging({ prices: { start: T0, resolutionMs: 3_600_000, values }, powerKw, energyKwh, start, deadline });
          const delivered = plan.slots.reduce((s, x) => s + (x.chargeKw * (Date.parse(x.end) - Date.parse(x.start))) / 3_600_000, 0);
          expect(delivered).toBeCloseTo(energyKwh, 6);
          for (const s of plan.slots) expect(s.chargeKw).toBeLessThanOrEqual(powerKw + 1e-9);
          expect(plan.totalCost).toBeLessThanOrEqual(plan.costAtOnce + 1e-9);
          expect(plan.saving).toBeCloseTo(plan.costAtOnce - plan.totalCost, 12);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

const loadInstance = fc.record({
  n: fc.integer({ min: 3, max: 24 }),
  prices: fc.array(fc.integer({ min: -100, max: 300 }), { minLength: 24, maxLength: 24 }),
  profile: fc.array(fc.integer({ min: 0, max: 40 }).map((v) => v / 10), { minLength: 1, maxLength: 5 }),
  uniform: fc.boolean(),
  earliest: fc.integer({ min: 0, max: 20 }),
  window: fc.integer({ min: 1, max: 24 }),
  breakable: fc.boolean(),
  optional: fc.boolean(),
  maxCost: fc.integer({ min: 0, max: 100 }).map((v) => v / 100),
});

describe('the shiftable-load planner equals the HiGHS model', () => {
  it('on 500 random loads (uninterrupted, breakable equal steps, breakable ordered steps, optional)', () => {
    fc.assert(
      fc.property(loadInstance, (c) => {
        const profileKw = c.uniform ? c.profile.map(() => c.profile[0]) : c.profile;
        const request = {
          start: iso(T0),
          slots: c.n,
          resolution: 'PT1H',
          context: { importPrice: { unit: 'EUR/MWh', values: c.prices.slice(0, c.n) } },
          assets: [
            {
              id: 'load',
              type: 'shiftable-load',
              profileKw,
              earliestStart: iso(T0 + c.earliest * 3_600_000),
              latestEnd: iso(T0 + (c.earliest + c.window) * 3_600_000),
              breakable: c.breakable,
              optional: c.optional,
              maxCost: c.maxCost,
            },
          ],
        };
        const p = normalizeRequest(request);
        const fast = scheduleProblem(p, highs, { method: 'auto' });
        const exact = scheduleProblem(p, highs, { method: 'highs' });
        expect(fast.solver.method).toBe('planner:shiftable-load');
        const objective = (r: typeof fast) => r.cost.total + r.cost.penalty + (c.optional && r.assets[0].powerKw.every((v) => v === 0) ? c.maxCost : 0);
        expect(Math.abs(objective(fast) - objective(exact))).toBeLessThan(1e-6 * (1 + Math.abs(objective(exact))));
        expect(fast.unmet.length).toBe(exact.unmet.length);
        // the steps run in order, one per slot, inside the window
        const on = fast.assets[0].powerKw.flatMap((v, t) => (v > 0 ? [t] : []));
        for (const t of on) {
          expect(t).toBeGreaterThanOrEqual(c.earliest);
          expect(t).toBeLessThan(c.earliest + c.window);
        }
        if (!c.breakable && on.length > 1) expect(on[on.length - 1] - on[0]).toBeLessThan(profileKw.length);
      }),
      { numRuns: 500 },
    );
  }, 300_000);
});

const homeInstance = fc.record({
  prices: fc.array(fc.integer({ min: -20, max: 300 }), { minLength: 24, maxLength: 24 }),
  exportShare: fc.double({ min: 0, max: 1.2, noNaN: true }),
  outdoor: fc.integer({ min: -10, max: 15 }),
  t0: fc.double({ min: 17, max: 23, noNaN: true }),
  loss: fc.double({ min: 0.1, max: 0.4, noNaN: true }),
  needKwh: fc.double({ min: 0, max: 60, noNaN: true }),
  arrival: fc.integer({ min: 0, max: 12 }),
  stay: fc.integer({ min: 1, max: 12 }),
  importLimit: fc.double({ min: 8, max: 25, noNaN: true }),
  pvPeak: fc.double({ min: 0, max: 8, noNaN: true }),
});

describe('home schedules keep physics and limits', () => {
  it('balance, limits, building temperatures and EV power hold on 60 random homes', () => {
    fc.assert(
      fc.property(homeInstance, (c) => {
        const pv = Array.from({ length: 24 }, (_, h) => Math.max(0, c.pvPeak * Math.sin(((h - 6) * Math.PI) / 12)));
        const arrival = T0 + c.arrival * 3_600_000;
        const request = {
          start: iso(T0),
          slots: 24,
          resolution: 'PT1H',
          context: {
            importPrice: { unit: 'EUR/MWh', values: c.prices },
            exportPrice: { unit: 'EUR/MWh', values: c.prices.map((v) => v * c.exportShare) },
            importLimitKw: c.importLimit,
            exportLimitKw: 10,
          },
          assets: [
            { id: 'b', type: 'battery', capacityKwh: 10, socKwh: 5, chargeMaxKw: 4, dischargeMaxKw: 4, roundTripEfficiency: 0.9 },
            { id: 'car', type: 'ev-charger', arrival: iso(arrival), departure: iso(arrival + c.stay * 3_600_000), energyNeededKwh: c.needKwh, maxKw: 7 },
            { id: 'hp', type: 'heat-pump', maxElectricKw: 3, cop: 3, building: { temperatureC: c.t0, heatLossKwPerK: c.loss, thermalCapacityKwhPerK: 5, outdoorTemperatureC: c.outdoor, comfort: { minC: 19, maxC: 22 } } },
            { id: 'house', type: 'inflexible-load', forecastKw: 0.5 },
            { id: 'pv', type: 'pv', curtailable: true, forecastKw: { values: pv } },
          ],
        };
        const r = scheduleProblem(normalizeRequest(request), highs);
        expect(r.status).not.toBe('infeasible');
        const [b, car, hp, house, roof] = r.assets;
        const a = 1 - c.loss / 5;
        let energy = 0;
        for (let t = 0; t < 24; t++) {
          const net = b.powerKw[t] + car.powerKw[t] + hp.powerKw[t] + house.powerKw[t] + roof.powerKw[t];
          expect(r.site.importKw[t] - r.site.exportKw[t]).toBeCloseTo(net, 6);
          expect(r.site.importKw[t]).toBeLessThanOrEqual(c.importLimit + 1e-6);
          expect(r.site.exportKw[t]).toBeLessThanOrEqual(10 + 1e-6);
          const inside = t >= c.arrival && t < c.arrival + c.stay;
          expect(car.powerKw[t]).toBeLessThanOrEqual(inside ? 7 + 1e-6 : 0);
          expect(car.powerKw[t]).toBeGreaterThanOrEqual(0);
          expect(roof.powerKw[t]).toBeGreaterThanOrEqual(-pv[t] - 1e-6);
          const before = t === 0 ? c.t0 : hp.temperatureC![t - 1];
          expect(hp.temperatureC![t]).toBeCloseTo(a * before + (c.loss * c.outdoor) / 5 + (3 * hp.powerKw[t]) / 5, 6);
          energy += (c.prices[t] * r.site.importKw[t] - c.prices[t] * c.exportShare * r.site.exportKw[t]) / 1000;
        }
        expect(r.cost.energy).toBeCloseTo(energy, 6);
        // comfort is missed only when the house started outside its band or the heat pump ran flat out
        for (const u of r.unmet) expect(['comfort', 'energy']).toContain(u.kind);
        if (r.unmet.some((u) => u.kind === 'comfort')) expect(c.t0 < 19 || c.t0 > 22 || hp.powerKw.some((v) => v > 3 - 1e-6)).toBe(true);
        if (r.unmet.some((u) => u.kind === 'energy')) expect(car.powerKw.filter((v) => v > 7 - 1e-6).length).toBeGreaterThan(0);
      }),
      { numRuns: 60 },
    );
  }, 300_000);
});
