/**
 * The two-call charging request: "this car, 11 kW, needs 40 kWh by 07:00". Answers the cheapest plan per
 * price slot (the first and last slot may be partial), its cost, the cost of charging at once and the saving.
 * The full energy is always planned (never rounded down to whole slots): the last slot used is partly filled.
 */
import { invalid } from '../core/errors.ts';
import { formatInstant, parseInstant } from '../core/time.ts';
import { cheapestSlots, earliestSlots } from './planners.ts';

export interface ChargingInput {
  /** Prices in currency per kWh, from `start`, one value per `resolutionMs`. */
  prices: { start: number | string; resolutionMs: number; values: readonly (number | null)[] };
  powerKw: number;
  energyKwh: number;
  /** When the car is plugged in (epoch ms or ISO 8601 with offset). */
  start: number | string;
  /** When the energy must be in the car. */
  deadline: number | string;
  /** Share of the drawn energy that reaches the car (default 1). */
  chargeEfficiency?: number;
  /** Time zone for the timestamps of the answer (default UTC). */
  timezone?: string;
}

export interface ChargingSlot {
  start: string;
  end: string;
  /** Mean power over [start, end), kW. */
  chargeKw: number;
  /** currency per kWh */
  price: number;
}

export interface ChargingPlan {
  slots: ChargingSlot[];
  /** Energy drawn at the meter, kWh. */
  energyKwh: number;
  totalCost: number;
  costAtOnce: number;
  saving: number;
}

function instant(value: number | string, field: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(field, 'must be a timestamp');
    return value;
  }
  return parseInstant(value, field);
}

interface Window {
  first: number;
  from: number[];
  to: number[];
  price: number[];
}

function priceWindow(input: ChargingInput, start: number, deadline: number): Window {
  const pStart = instant(input.prices.start, 'prices.start');
  const res = input.prices.resolutionMs;
  if (!(res > 0)) throw invalid('prices.resolutionMs', 'must be more than zero');
  const known = pStart + input.prices.values.length * res;
  const tz = input.timezone ?? 'UTC';
  if (start < pStart) throw invalid('start', `prices are known from ${formatInstant(pStart, tz)} only`);
  if (deadline > known) throw invalid('deadline', `prices are known until ${formatInstant(known, tz)} only; choose a deadline at or before then`);
  const first = Math.floor((start - pStart) / res);
  const last = Math.ceil((deadline - pStart) / res) - 1;
  const w: Window = { first, from: [], to: [], price: [] };
  for (let k = first; k <= last; k++) {
    const v = input.prices.values[k];
    if (v === null || v === undefined || !Number.isFinite(v)) throw invalid(`prices.values[${k}]`, `no price for ${formatInstant(pStart + k * res, tz)}`);
    w.from.push(Math.max(start, pStart + k * res));
    w.to.push(Math.min(deadline, pStart + (k + 1) * res));
    w.price.push(v);
  }
  return w;
}

/** The cheapest charging plan; throws a 400 naming the field when the request cannot be served. */
export function planCharging(input: ChargingInput): ChargingPlan {
  const start = instant(input.start, 'start');
  const deadline = instant(input.deadline, 'deadline');
  if (deadline <= start) throw invalid('deadline', 'must be after start');
  if (!(input.powerKw > 0) || !Number.isFinite(input.powerKw)) throw invalid('powerKw', 'must be more than zero');
  if (!(input.energyKwh >= 0) || !Number.isFinite(input.energyKwh)) throw invalid('energyKwh', 'must be zero or more');
  const eta = input.chargeEfficiency ?? 1;
  if (!(eta > 0 && eta <= 1)) throw invalid('chargeEfficiency', 'must be in (0, 1]');
  const reachable = (input.powerKw * (deadline - start) * eta) / 3_600_000;
  if (input.energyKwh > reachable * (1 + 1e-12))
    throw invalid('energyKwh', `${input.energyKwh} kWh is not reachable: at ${input.powerKw} kW by the deadline at most ${reachable.toFixed(2)} kWh can be charged`);
  const w = priceWindow(input, start, deadline);
  const capacity = w.from.map((f, i) => (input.powerKw * (w.to[i] - f)) / 3_600_000);
  const need = input.energyKwh / eta;
  const plan = cheapestSlots(w.price, capacity, need);
  const atOnce = earliestSlots(capacity, need);
  const tz = input.timezone ?? 'UTC';
  const slots = w.from.map((f, i) => ({
    start: formatInstant(f, tz),
    end: formatInstant(w.to[i], tz),
    chargeKw: (plan.energyKwh[i] * 3_600_000) / (w.to[i] - f),
    price: w.price[i],
  }));
  const totalCost = sumProduct(plan.energyKwh, w.price);
  const costAtOnce = sumProduct(atOnce.energyKwh, w.price);
  return { slots, energyKwh: need, totalCost, costAtOnce, saving: costAtOnce - totalCost };
}

function sumProduct(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
