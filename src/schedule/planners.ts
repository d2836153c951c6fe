/**
 * Fast exact planners for cases where a simple algorithm is provably optimal, checked against the HiGHS
 * model by property tests.
 *
 * One EV against prices, with no shared limit, no minimum power and no peak charge: the cost is linear in
 * the energy of each slot and the only coupling is the total, so filling the cheapest slots first (ties to
 * the earliest), with the last one partly filled, is optimal. A need out of reach fills every plugged slot.
 */
import type { EvCharger, Problem } from '../flex/types.ts';

export interface Allocation {
  /** Energy drawn at the meter per slot, kWh. */
  energyKwh: Float64Array;
  /** Meter energy that could not be placed, kWh. */
  shortKwh: number;
}

/**
 * Places `needKwh` into the cheapest slots, each holding at most `capacityKwh[i]`; then, up to `upToKwh`,
 * also fills the slots that pay for consumption (a negative price).
 */
export function cheapestSlots(price: ArrayLike<number>, capacityKwh: ArrayLike<number>, needKwh: number, upToKwh = needKwh): Allocation {
  const n = price.length;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (capacityKwh[i] > 0) order.push(i);
  order.sort((a, b) => price[a] - price[b] || a - b);
  const energyKwh = new Float64Array(n);
  let placed = 0;
  for (const i of order) {
    const room = price[i] < 0 ? upToKwh - placed : needKwh - placed;
    if (room <= 0) break;
    energyKwh[i] = Math.min(room, capacityKwh[i]);
    placed += energyKwh[i];
  }
  return { energyKwh, shortKwh: Math.max(0, needKwh - placed) };
}

/** Places `needKwh` from the first slot on, as a charger without smart control does. */
export function earliestSlots(capacityKwh: ArrayLike<number>, needKwh: number): Allocation {
  const energyKwh = new Float64Array(capacityKwh.length);
  let left = needKwh;
  for (let i = 0; i < capacityKwh.length && left > 0; i++) {
    energyKwh[i] = Math.min(left, capacityKwh[i]);
    left -= energyKwh[i];
  }
  return { energyKwh, shortKwh: Math.max(0, left) };
}

/** True when the request is one EV the cheapest-slots planner solves exactly. */
export function singleEvPlannerApplies(p: Problem): boolean {
  if (p.assets.length !== 1 || p.peakPricePerKw > 0) return false;
  const ev = p.assets[0];
  return ev.type === 'ev-charger' && !ev.onOff && ev.minKw === 0 && ev.capacityKwh === undefined && !ev.bidirectional && p.importLimitKw >= ev.maxKw;
}

/** The EV's power per slot (kW) from the cheapest-slots planner, and the energy it could not deliver (kWh in the car). */
export function planSingleEv(ev: EvCharger, p: Problem): { powerKw: Float64Array; shortKwh: number } {
  const capacity = new Float64Array(p.n);
  if (ev.departureSlot >= 0) for (let t = 0; t < p.n; t++) capacity[t] = ev.maxKw * ev.plugged[t] * p.dtH;
  const need = ev.departureSlot >= 0 ? ev.needInHorizonKwh / ev.etaCharge : 0;
  const upTo = ev.departureSlot >= 0 ? ev.energyNeededKwh / ev.etaCharge : 0;
  const { energyKwh, shortKwh } = cheapestSlots(p.importPrice, capacity, need, upTo);
  return { powerKw: energyKwh.map((e) => e / p.dtH), shortKwh: shortKwh * ev.etaCharge };
}
