/**
 * The baseline: running the site without gridflex. EVs charge at full power from arrival until their need
 * is met, loads run at their earliest start, a heat pump acts as a thermostat holding the middle of its
 * comfort band (or holds its buffer level), batteries stay idle, PV produces all it can.
 */
import type { EvCharger, FlexAsset, HeatPump, Problem, ShiftableLoad } from '../flex/types.ts';
import { siteCost } from './cost.ts';

export function baselinePower(a: FlexAsset, p: Problem): Float64Array {
  switch (a.type) {
    case 'battery':
      return new Float64Array(p.n);
    case 'ev-charger':
      return chargeAtOnce(a, p);
    case 'heat-pump':
      return a.building ? thermostat(a, p) : holdBuffer(a, p);
    case 'shiftable-load':
      return earliestRun(a, p);
    case 'pv':
      return a.forecastKw.map((v) => -v);
    case 'inflexible-load':
      return Float64Array.from(a.forecastKw);
  }
}

/** Cost of the baseline (energy + peak), in the price's currency. */
export function baselineCost(p: Problem): number {
  const net = new Float64Array(p.n);
  for (const a of p.assets) {
    const power = baselinePower(a, p);
    for (let t = 0; t < p.n; t++) net[t] += power[t];
  }
  const c = siteCost(p, net);
  return c.energy + c.peak;
}

function chargeAtOnce(ev: EvCharger, p: Problem): Float64Array {
  const out = new Float64Array(p.n);
  const goal = ev.capacityKwh !== undefined ? Math.max(0, Math.min(ev.capacityKwh, ev.soc0! + ev.energyNeededKwh) - ev.reachableAfterKwh - ev.soc0!) : ev.needInHorizonKwh;
  let left = goal / ev.etaCharge;
  for (let t = 0; t < p.n && left > 1e-12; t++) {
    const kwh = Math.min(left, ev.maxKw * ev.plugged[t] * p.dtH);
    out[t] = kwh / p.dtH;
    left -= kwh;
  }
  return out;
}

function thermostat(hp: HeatPump, p: Problem): Float64Array {
  const b = hp.building!;
  const out = new Float64Array(p.n);
  const dt = p.dtH;
  const a = 1 - (dt * b.heatLossKwPerK) / b.capacityKwhPerK;
  let temp = b.t0;
  for (let t = 0; t < p.n; t++) {
    const mid = (b.minC[t] + b.maxC[t]) / 2;
    const free = a * temp + (dt * b.heatLossKwPerK * b.outdoorC[t]) / b.capacityKwhPerK;
    const heat = ((mid - free) * b.capacityKwhPerK) / dt;
    out[t] = deviceLimits(heat / hp.cop[t], hp);
    temp = free + (dt * hp.cop[t] * out[t]) / b.capacityKwhPerK;
  }
  return out;
}

function holdBuffer(hp: HeatPump, p: Problem): Float64Array {
  const b = hp.buffer!;
  const out = new Float64Array(p.n);
  let state = b.state0;
  for (let t = 0; t < p.n; t++) {
    const heat = (b.state0 - b.keep * state) / p.dtH + b.demandKw[t];
    out[t] = deviceLimits(heat / hp.cop[t], hp);
    state = Math.max(0, Math.min(b.capacityKwh, b.keep * state + p.dtH * (hp.cop[t] * out[t] - b.demandKw[t])));
  }
  return out;
}

/** Within [0, max]; below the minimum it runs at the minimum when more than half of it is asked, else stays off. */
function deviceLimits(kw: number, hp: HeatPump): number {
  const clipped = Math.max(0, Math.min(hp.maxKw, kw));
  if (hp.minKw > 0 && clipped > 0 && clipped < hp.minKw) return clipped >= hp.minKw / 2 ? hp.minKw : 0;
  return clipped;
}

function earliestRun(l: ShiftableLoad, p: Problem): Float64Array {
  const out = new Float64Array(p.n);
  l.profileKw.forEach((kw, j) => {
    const t = l.earliestSlot + j;
    if (t < p.n) out[t] = kw;
  });
  return out;
}
