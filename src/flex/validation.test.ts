import { describe, expect, it } from 'vitest';
import { ProblemError } from '../core/errors.ts';
import { normalizeRequest } from './normalize.ts';

function request(asset: Record<string, unknown>, patch: Record<string, unknown> = {}) {
  return {
    start: '2024-03-01T00:00:00+01:00',
    end: '2024-03-02T00:00:00+01:00',
    resolution: 'PT15M',
    timezone: 'Europe/Berlin',
    context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: Array(24).fill(100) } },
    assets: [{ id: 'pv', type: 'pv', forecastKw: 0 }, asset],
    ...patch,
  };
}

const battery = { id: 'b', type: 'battery', capacityKwh: 10, socKwh: 5, chargeMaxKw: 5, dischargeMaxKw: 5 };
const ev = { id: 'car', type: 'ev-charger', arrival: '2024-03-01T18:00:00+01:00', departure: '2024-03-02T07:00:00+01:00', energyNeededKwh: 30, maxKw: 11 };

function refusal(input: unknown): ProblemError {
  try {
    normalizeRequest(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return e as ProblemError;
  }
  throw new Error('expected a ProblemError');
}

describe('bad input answers a 400 naming the field', () => {
  const cases: [string, unknown, string][] = [
    ['negative capacity', request({ ...battery, capacityKwh: -1 }), 'assets[1].capacityKwh'],
    ['negative power', request({ ...battery, chargeMaxKw: -5 }), 'assets[1].chargeMaxKw'],
    ['negative EV power', request({ ...ev, maxKw: -11 }), 'assets[1].maxKw'],
    ['SoC above capacity', request({ ...battery, socKwh: 11 }), 'assets[1].socKwh'],
    ['SoC below zero', request({ ...battery, socKwh: -1 }), 'assets[1].socKwh'],
    ['efficiency zero', request({ ...battery, roundTripEfficiency: 0 }), 'assets[1].roundTripEfficiency'],
    ['efficiency above one', request({ ...battery, chargeEfficiency: 1.2 }), 'assets[1].chargeEfficiency'],
    ['EV efficiency above one', request({ ...ev, chargeEfficiency: 1.01 }), 'assets[1].chargeEfficiency'],
    ['departure before arrival', request({ ...ev, departure: '2024-03-01T17:00:00+01:00' }), 'assets[1].departure'],
    ['unknown asset type', request({ id: 'x', type: 'fusion-reactor' }), 'assets[1].type'],
    ['unknown unit', request(battery, { context: { importPrice: { unit: 'EUR/furlong', values: Array(24).fill(1), resolution: 'PT1H' } } }), 'context.importPrice.unit'],
    ['start not aligned', request(battery, { start: '2024-03-01T00:07:00+01:00', end: undefined, slots: 96 }), 'start'],
    ['timestamp without offset', request(battery, { start: '2024-03-01T00:00:00' }), 'start'],
    ['heat pump with neither building nor buffer', request({ id: 'hp', type: 'heat-pump', maxElectricKw: 3, cop: 3 }), 'assets[1].building'],
    ['shiftable window reversed', request({ id: 'wm', type: 'shiftable-load', profileKw: [2], earliestStart: '2024-03-01T12:00:00+01:00', latestEnd: '2024-03-01T10:00:00+01:00' }), 'assets[1].latestEnd'],
    ['duplicate ids', request({ ...battery, id: 'pv' }), 'assets[1].id'],
  ];
  for (const [name, input, field] of cases) {
    it(name, () => {
      const e = refusal(input);
      expect(e.status).toBe(400);
      expect(e.field).toBe(field);
      expect(e.message).toContain(field);
    });
  }

  it('a COP above 1 is accepted', () => {
    const p = normalizeRequest(request({ id: 'hp', type: 'heat-pump', maxElectricKw: 3, cop: 4.2, buffer: { capacityKwh: 20, stateKwh: 10, heatDemandKw: 2 } }));
    expect(p.assets[1].type === 'heat-pump' && p.assets[1].cop[0]).toBe(4.2);
  });

  it('a series that does not cover the horizon names the missing slots', () => {
    const e = refusal(request(battery, { context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: Array(20).fill(100) } } }));
    expect(e.field).toBe('context.importPrice');
    expect(e.message).toContain('slot(s) 80–95');
    expect(e.message).toContain('2024-03-01T20:00:00+01:00');
  });

  it('a null in a series names its slot', () => {
    const values = Array(24).fill(100);
    values[3] = null;
    const e = refusal(request(battery, { context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values } } }));
    expect(e.message).toContain('12–15');
  });
});

describe('normalisation', () => {
  it('converts prices to currency per kWh and repeats an hourly price over its quarter-hours', () => {
    const values = Array.from({ length: 24 }, (_, i) => i * 10);
    const p = normalizeRequest(request(battery, { context: { importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values }, exportPrice: { unit: 'ct/kWh', resolution: 'PT1H', values } } }));
    expect(p.n).toBe(96);
    expect(p.currency).toBe('EUR');
    expect(p.importPrice[4]).toBeCloseTo(0.01, 12);
    expect(p.importPrice[7]).toBeCloseTo(0.01, 12);
    expect(p.exportPrice[8]).toBeCloseTo(0.2, 12);
  });
  it('a plain number is a constant and exportPrice defaults to zero', () => {
    const p = normalizeRequest(request(battery, { context: { importPrice: 250 } }));
    expect(Array.from(new Set(p.importPrice))).toEqual([0.25]);
    expect(Array.from(new Set(p.exportPrice))).toEqual([0]);
  });
  it('a local day of the spring clock change has 92 quarter-hours', () => {
    const p = normalizeRequest(request(battery, { start: '2024-03-31T00:00:00+01:00', end: '2024-04-01T00:00:00+02:00', context: { importPrice: 100 } }));
    expect(p.n).toBe(92);
  });
  it('an EV plugged in part of a slot gets that fraction of its power', () => {
    const p = normalizeRequest(request({ ...ev, arrival: '2024-03-01T18:05:00+01:00' }));
    const car = p.assets[1];
    expect(car.type).toBe('ev-charger');
    if (car.type !== 'ev-charger') return;
    expect(car.plugged[72]).toBeCloseTo(2 / 3, 12);
    expect(car.plugged[73]).toBe(1);
    expect(car.departureSlot).toBe(95);
  });
});
