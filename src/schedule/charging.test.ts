import { describe, expect, it } from 'vitest';
import { ProblemError } from '../core/errors.ts';
import { planCharging, type ChargingInput } from './charging.ts';

const prices = { start: '2024-03-01T18:00:00Z', resolutionMs: 3_600_000, values: [0.3, 0.25, 0.2, 0.1, 0.05, 0.08, 0.12, 0.2, 0.3, 0.35, 0.4, 0.4, 0.38] };
const car: ChargingInput = { prices, powerKw: 11, energyKwh: 40, start: '2024-03-01T18:30:00Z', deadline: '2024-03-02T07:00:00Z' };

function refusal(input: ChargingInput): ProblemError {
  try {
    planCharging(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProblemError);
    return e as ProblemError;
  }
  throw new Error('expected a ProblemError');
}

describe('planCharging: "this car, 11 kW, needs 40 kWh by 07:00"', () => {
  it('fills the cheapest hours, the last one partly, and reports the saving against charging at once', () => {
    const plan = planCharging(car);
    const kw = plan.slots.map((s) => +s.chargeKw.toFixed(6));
    // cheapest: 22:00 (0.05), 23:00 (0.08), 21:00 (0.10), then 7 kWh at 00:00 (0.12)
    expect(kw).toEqual([0, 0, 0, 11, 11, 11, 7, 0, 0, 0, 0, 0, 0]);
    expect(plan.slots[0]).toMatchObject({ start: '2024-03-01T18:30:00Z', end: '2024-03-01T19:00:00Z', price: 0.3 });
    expect(plan.totalCost).toBeCloseTo(11 * (0.1 + 0.05 + 0.08) + 7 * 0.12, 12);
    // at once: 5.5 kWh in the half hour 18:30–19:00, then 11 kWh at 19, 20, 21, then 1.5 kWh at 22
    const atOnce = 5.5 * 0.3 + 11 * 0.25 + 11 * 0.2 + 11 * 0.1 + 1.5 * 0.05;
    expect(plan.costAtOnce).toBeCloseTo(atOnce, 12);
    expect(plan.saving).toBeCloseTo(atOnce - plan.totalCost, 12);
  });
  it('a deadline before the start is refused on the deadline field', () => {
    const e = refusal({ ...car, deadline: '2024-03-01T18:00:00Z' });
    expect(e.field).toBe('deadline');
    expect(e.status).toBe(400);
  });
  it('an energy out of reach says how much is reachable', () => {
    const e = refusal({ ...car, energyKwh: 200, deadline: '2024-03-01T22:00:00Z' });
    expect(e.field).toBe('energyKwh');
    expect(e.message).toContain('at most 38.50 kWh');
  });
  it('prices not known that far ahead say until when they are', () => {
    const e = refusal({ ...car, deadline: '2024-03-02T09:00:00Z' });
    expect(e.field).toBe('deadline');
    expect(e.message).toContain('until 2024-03-02T07:00:00Z');
  });
  it('a charging need is never rounded down to whole slots', () => {
    const plan = planCharging({ ...car, energyKwh: 12.345 });
    const kwh = plan.slots.reduce((s, x) => s + (x.chargeKw * (Date.parse(x.end) - Date.parse(x.start))) / 3_600_000, 0);
    expect(kwh).toBeCloseTo(12.345, 12);
  });
});
