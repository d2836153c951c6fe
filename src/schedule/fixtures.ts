/**
 * Example requests shared by tests, benchmarks and docs: a home with every asset type on one day of
 * quarter-hours, and a lone battery on any horizon.
 */
import type { ScheduleRequest } from '../flex/schema.ts';

/** A day-ahead-like price curve (EUR/MWh), hourly: cheap at night and midday, dear at the evening peak. */
export function dayPrices(hours = 24, seed = 0): number[] {
  return Array.from({ length: hours }, (_, i) => {
    const h = (i + seed) % 24;
    return Math.round((80 + 40 * Math.sin(((h - 6) * Math.PI) / 12) - 30 * Math.exp(-((h - 13) ** 2) / 8) + 10 * Math.sin(i * 0.7 + seed)) * 100) / 100;
  });
}

export function homeRequest(): ScheduleRequest {
  const prices = dayPrices();
  const quarter = (f: (h: number) => number) => Array.from({ length: 96 }, (_, i) => Math.round(f(i / 4) * 1000) / 1000);
  return {
    start: '2024-03-01T00:00:00+01:00',
    end: '2024-03-02T00:00:00+01:00',
    resolution: 'PT15M',
    timezone: 'Europe/Berlin',
    context: {
      importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: prices.map((p) => p + 120) },
      exportPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: prices.map((p) => Math.max(0, p - 20)) },
      importLimitKw: 17,
      exportLimitKw: 17,
    },
    assets: [
      { id: 'battery', type: 'battery', capacityKwh: 10, socKwh: 4, socMinKwh: 1, socMaxKwh: 9.5, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9, cycleCostPerKwh: 0.02, socTargets: [{ at: '2024-03-02T00:00:00+01:00', minKwh: 4 }] },
      { id: 'car', type: 'ev-charger', arrival: '2024-03-01T00:00:00+01:00', departure: '2024-03-01T07:00:00+01:00', energyNeededKwh: 25, maxKw: 11, chargeEfficiency: 0.92 },
      {
        id: 'heat-pump',
        type: 'heat-pump',
        maxElectricKw: 3,
        cop: { resolution: 'PT15M', values: quarter((h) => 3 + 0.5 * Math.sin(((h - 9) * Math.PI) / 12)) },
        building: { temperatureC: 20.5, heatLossKwPerK: 0.25, thermalCapacityKwhPerK: 4, outdoorTemperatureC: { resolution: 'PT15M', values: quarter((h) => 3 + 5 * Math.sin(((h - 9) * Math.PI) / 12)) }, comfort: { minC: 20, maxC: 22 } },
      },
      { id: 'washing-machine', type: 'shiftable-load', profileKw: [2, 2, 0.5, 0.5, 1.5, 1.5], earliestStart: '2024-03-01T08:00:00+01:00', latestEnd: '2024-03-01T20:00:00+01:00' },
      { id: 'dishwasher', type: 'shiftable-load', profileKw: [1.2, 1.2, 1.2, 1.2], earliestStart: '2024-03-01T12:00:00+01:00', latestEnd: '2024-03-02T00:00:00+01:00', breakable: true },
      { id: 'pv', type: 'pv', curtailable: true, forecastKw: { resolution: 'PT15M', values: quarter((h) => Math.max(0, 6 * Math.sin(((h - 7) * Math.PI) / 11))) } },
      { id: 'house', type: 'inflexible-load', forecastKw: { resolution: 'PT15M', values: quarter((h) => 0.4 + 0.3 * Math.sin(h) ** 2 + (h > 18 && h < 21 ? 0.6 : 0)) } },
    ],
  };
}

/** One battery at an hourly or quarter-hourly price, for `slots` slots. */
export function batteryRequest(slots: number, resolution: 'PT15M' | 'PT1H'): ScheduleRequest {
  const perHour = resolution === 'PT15M' ? 4 : 1;
  const hours = Math.ceil(slots / perHour);
  const prices = Array.from({ length: hours }, (_, i) => dayPrices(1, i)[0] + 15 * Math.sin(i * 0.13));
  return {
    start: '2024-01-01T00:00:00Z',
    slots,
    resolution,
    context: {
      importPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: prices },
      exportPrice: { unit: 'EUR/MWh', resolution: 'PT1H', values: prices.map((p) => p - 5) },
      importLimitKw: 20,
      exportLimitKw: 20,
    },
    assets: [{ id: 'battery', type: 'battery', capacityKwh: 13.5, socKwh: 6, socMinKwh: 1, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9 }],
  };
}
