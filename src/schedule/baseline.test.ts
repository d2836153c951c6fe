import { describe, expect, it } from 'vitest';
import { normalizeRequest } from '../flex/normalize.ts';
import { baselineCost, baselinePower } from './baseline.ts';

const request = {
  start: '2024-03-01T00:00:00Z',
  slots: 8,
  resolution: 'PT1H',
  context: { importPrice: { unit: 'EUR/kWh', values: [0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4] } },
  assets: [
    { id: 'b', type: 'battery', capacityKwh: 10, socKwh: 5, chargeMaxKw: 5, dischargeMaxKw: 5 },
    { id: 'car', type: 'ev-charger', arrival: '2024-03-01T01:30:00Z', departure: '2024-03-01T08:00:00Z', energyNeededKwh: 12, maxKw: 5, chargeEfficiency: 0.8 },
    { id: 'wm', type: 'shiftable-load', profileKw: [2, 1], earliestStart: '2024-03-01T02:00:00Z', latestEnd: '2024-03-01T08:00:00Z' },
    { id: 'hp', type: 'heat-pump', maxElectricKw: 6, cop: 2, building: { temperatureC: 20, heatLossKwPerK: 0.5, thermalCapacityKwhPerK: 5, outdoorTemperatureC: 0, comfort: { minC: 20, maxC: 22 } } },
  ],
};

describe('the baseline: running the site without gridflex', () => {
  const p = normalizeRequest(request);
  const [battery, car, wm, hp] = p.assets.map((a) => Array.from(baselinePower(a, p)));
  it('leaves the battery idle', () => expect(battery.every((v) => v === 0)).toBe(true));
  it('charges the car at full power from arrival until the need (÷ efficiency) is drawn', () => {
    // 15 kWh at the meter: 2.5 kWh in the half hour plugged at 01:30, then 5, 5, 2.5
    expect(car).toEqual([0, 2.5, 5, 5, 2.5, 0, 0, 0]);
  });
  it('runs a load at its earliest start', () => expect(wm).toEqual([0, 0, 2, 1, 0, 0, 0, 0]));
  it('holds the heat pump at the middle of the comfort band', () => {
    // to 21 °C from 20 °C with a = 1 − 0.5/5 = 0.9: (21 − 18)·5 = 15 kW of heat > 6 kW × COP 2, so full power,
    // then full power again, then the rest (5.79 kW), then only the loss: 0.1·21·5 / 2 = 5.25 kW
    expect(hp.slice(0, 2)).toEqual([6, 6]);
    expect(hp[2]).toBeCloseTo(5.79, 9);
    for (const kw of hp.slice(3)) expect(kw).toBeCloseTo(5.25, 9);
    let temp = 20;
    for (const kw of hp.slice(0, 3)) temp = 0.9 * temp + (2 * kw) / 5;
    expect(temp).toBeCloseTo(21, 9);
  });
  it('prices the sum at the import price', () => {
    const net = [0, 1, 2, 3, 4, 5, 6, 7].map((t) => car[t] + wm[t] + hp[t]);
    expect(baselineCost(p)).toBeCloseTo(net.reduce((s, v, t) => s + v * [0.4, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.4][t], 0), 9);
  });
});
