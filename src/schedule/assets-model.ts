/**
 * The part of the optimisation model each asset type adds: its columns, its state recursion, its soft
 * wishes (slack columns priced by the ladder) and how to read its power, state and unmet wishes back.
 */
import { formatInstant } from '../core/time.ts';
import type { Battery, EvCharger, FlexAsset, HeatPump, InflexibleLoad, Problem, Pv, ShiftableLoad } from '../flex/types.ts';
import type { Ladder } from './ladder.ts';
import { LpBuilder, SEMI_CONTINUOUS, type Term } from './lp.ts';
import type { Unmet } from './result.ts';

/** What the site balance needs from an asset, and how to read it back. */
export interface AssetModel {
  /** Per slot: the asset's power (kW, + consumption) = Σ terms + constant. */
  terms: Term[][];
  constant: Float64Array;
  /** Largest |power| the asset can reach in a slot (for big-M bounds). */
  maxAbsKw: number;
  /** Columns of paired charge/discharge flows, to check they never both run in one slot. */
  pairs?: { slot: number; charge: number; discharge: number }[];
  penaltyCols: Term[];
  cycleCols: Term[];
  state?: (x: Float64Array) => { socKwh?: number[]; temperatureC?: number[] };
  unmet: (x: Float64Array) => Unmet[];
}

export interface BuildContext {
  lp: LpBuilder;
  p: Problem;
  ladder: Ladder;
  /** Slots in which this asset's charge/discharge exclusivity needs a binary. */
  binarySlots: Set<number>;
}

const TOL = 1e-4;

function emptyTerms(n: number): Term[][] {
  return Array.from({ length: n }, () => []);
}

export function buildAsset(asset: FlexAsset, ctx: BuildContext): AssetModel {
  switch (asset.type) {
    case 'battery':
      return buildBattery(asset, ctx);
    case 'ev-charger':
      return buildEv(asset, ctx);
    case 'heat-pump':
      return buildHeatPump(asset, ctx);
    case 'shiftable-load':
      return buildShiftable(asset, ctx);
    case 'pv':
      return buildPv(asset, ctx);
    case 'inflexible-load':
      return buildInflexible(asset, ctx);
  }
}

/** charge ≤ max·z, discharge ≤ max·(1 − z): one direction per slot. */
function exclusive(lp: LpBuilder, charge: number, chargeMax: number, discharge: number, dischargeMax: number): void {
  const z = lp.addBinary();
  lp.addRow(-Infinity, 0, [[charge, 1], [z, -chargeMax]]);
  lp.addRow(-Infinity, dischargeMax, [[discharge, 1], [z, dischargeMax]]);
}

function buildBattery(b: Battery, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const dt = p.dtH;
  const terms = emptyTerms(p.n);
  const soc: number[] = [];
  const bandCols: { t: number; under: number; over: number }[] = [];
  const penaltyCols: Term[] = [];
  const cycleCols: Term[] = [];
  const pairs: AssetModel['pairs'] = [];
  const hardBand = b.soc0 >= b.socMin && b.soc0 <= b.socMax && b.keep === 1;
  for (let t = 0; t < p.n; t++) {
    const ch = lp.label('col', lp.addCol(ladder.epsilon * dt, 0, b.chargeMaxKw), `${b.id} chargeMaxKw ${b.chargeMaxKw} kW`, t);
    const dis = lp.label('col', lp.addCol((b.cycleCostPerKwh + ladder.epsilon) * dt, 0, b.dischargeMaxKw), `${b.id} dischargeMaxKw ${b.dischargeMaxKw} kW`, t);
    const s = hardBand
      ? lp.label('col', lp.addCol(0, b.socMin, b.socMax), `${b.id} SoC band [${b.socMin}, ${b.socMax}] kWh`, t, true)
      : lp.label('col', lp.addCol(0, 0, b.capacityKwh), `${b.id} capacityKwh ${b.capacityKwh}`, t, true);
    const row: Term[] = [[s, 1], [ch, -b.etaCharge * dt], [dis, dt / b.etaDischarge]];
    if (t > 0) row.push([soc[t - 1], -b.keep]);
    lp.addRow(t === 0 ? b.keep * b.soc0 : 0, t === 0 ? b.keep * b.soc0 : 0, row);
    if (!hardBand) {
      const under = lp.addCol(ladder.band, 0, Infinity);
      const over = lp.addCol(ladder.band, 0, Infinity);
      lp.addRow(b.socMin, Infinity, [[s, 1], [under, 1]]);
      lp.addRow(-Infinity, b.socMax, [[s, 1], [over, -1]]);
      penaltyCols.push([under, ladder.band], [over, ladder.band]);
      bandCols.push({ t, under, over });
    }
    if (ctx.binarySlots.has(t) && b.chargeMaxKw > 0 && b.dischargeMaxKw > 0) exclusive(lp, ch, b.chargeMaxKw, dis, b.dischargeMaxKw);
    terms[t].push([ch, 1], [dis, -1]);
    cycleCols.push([dis, b.cycleCostPerKwh * dt]);
    pairs.push({ slot: t, charge: ch, discharge: dis });
    soc.push(s);
  }
  const targetCols = b.targets.map((target) => {
    const short = target.minKwh !== undefined ? lp.addCol(ladder.socTarget, 0, Infinity) : -1;
    const excess = target.maxKwh !== undefined ? lp.addCol(ladder.socTarget, 0, Infinity) : -1;
    if (short >= 0) {
      lp.addRow(target.minKwh!, Infinity, [[soc[target.slot], 1], [short, 1]]);
      penaltyCols.push([short, ladder.socTarget]);
    }
    if (excess >= 0) {
      lp.addRow(-Infinity, target.maxKwh!, [[soc[target.slot], 1], [excess, -1]]);
      penaltyCols.push([excess, ladder.socTarget]);
    }
    return { target, short, excess };
  });
  return {
    terms,
    constant: new Float64Array(p.n),
    maxAbsKw: Math.max(b.chargeMaxKw, b.dischargeMaxKw),
    pairs,
    penaltyCols,
    cycleCols,
    state: (x) => ({ socKwh: soc.map((c) => x[c]) }),
    unmet: (x) => {
      const out: Unmet[] = [];
      for (const { target, short, excess } of targetCols) {
        const at = formatInstant(target.at, p.timezone);
        if (short >= 0 && x[short] > TOL) out.push({ assetId: b.id, kind: 'soc-target', amount: x[short], unit: 'kWh', message: `SoC at ${at} is ${x[short].toFixed(2)} kWh below the wished ${target.minKwh} kWh` });
        if (excess >= 0 && x[excess] > TOL) out.push({ assetId: b.id, kind: 'soc-target', amount: x[excess], unit: 'kWh', message: `SoC at ${at} is ${x[excess].toFixed(2)} kWh above the wished ${target.maxKwh} kWh` });
      }
      const outside = bandCols.filter((c) => x[c.under] > TOL || x[c.over] > TOL);
      if (outside.length) {
        const worst = Math.max(...outside.map((c) => Math.max(x[c.under], x[c.over])));
        const last = outside[outside.length - 1].t;
        out.push({ assetId: b.id, kind: 'soc-band', amount: worst, unit: 'kWh', message: `SoC outside its band [${b.socMin}, ${b.socMax}] kWh by up to ${worst.toFixed(2)} kWh in ${outside.length} slot(s), back inside from ${formatInstant(p.start + (last + 1) * p.resolutionMs, p.timezone)}` });
      }
      return out;
    },
  };
}

function evChargeCol(ev: EvCharger, lp: LpBuilder, frac: number): number {
  const hi = ev.maxKw * frac;
  if (ev.onOff) return lp.addCol(0, hi, hi, SEMI_CONTINUOUS);
  if (ev.minKw > 0) return lp.addCol(0, Math.min(ev.minKw * frac, hi), hi, SEMI_CONTINUOUS);
  return lp.addCol(0, 0, hi);
}

function buildEv(ev: EvCharger, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const dt = p.dtH;
  const terms = emptyTerms(p.n);
  const pairs: AssetModel['pairs'] = [];
  const charged: Term[] = [];
  const soc: number[] = [];
  const withBattery = ev.capacityKwh !== undefined;
  for (let t = 0; t < p.n; t++) {
    const frac = ev.plugged[t];
    const ch = frac > 0 ? lp.label('col', evChargeCol(ev, lp, frac), `${ev.id} maxKw ${ev.maxKw} kW while plugged in`, t) : -1;
    const dis = frac > 0 && ev.bidirectional ? lp.addCol(ladder.epsilon * dt, 0, ev.dischargeMaxKw * frac) : -1;
    if (ch >= 0) {
      terms[t].push([ch, 1]);
      charged.push([ch, ev.etaCharge * dt]);
    }
    if (dis >= 0) {
      terms[t].push([dis, -1]);
      pairs.push({ slot: t, charge: ch, discharge: dis });
      if (ctx.binarySlots.has(t)) exclusive(lp, ch, ev.maxKw * frac, dis, ev.dischargeMaxKw * frac);
    }
    if (withBattery) {
      const s = lp.label('col', lp.addCol(0, 0, ev.capacityKwh!), `${ev.id} capacityKwh ${ev.capacityKwh}`, t, true);
      const row: Term[] = [[s, 1]];
      if (ch >= 0) row.push([ch, -ev.etaCharge * dt]);
      if (dis >= 0) row.push([dis, dt / ev.etaDischarge]);
      if (t > 0) row.push([soc[t - 1], -1]);
      lp.addRow(t === 0 ? ev.soc0! : 0, t === 0 ? ev.soc0! : 0, row);
      soc.push(s);
    }
  }
  const penaltyCols: Term[] = [];
  let short = -1;
  let goal = 0;
  if (ev.departureSlot >= 0 && ev.energyNeededKwh > 0) {
    goal = withBattery ? Math.min(ev.capacityKwh!, ev.soc0! + ev.energyNeededKwh) : ev.energyNeededKwh;
    short = lp.addCol(ladder.charge, 0, goal);
    penaltyCols.push([short, ladder.charge]);
    if (withBattery) lp.addRow(goal, Infinity, [[soc[ev.departureSlot], 1], [short, 1]]);
    else {
      lp.addRow(goal, Infinity, [...charged, [short, 1]]);
      const slack = ev.onOff || ev.minKw > 0 ? ev.maxKw * dt * ev.etaCharge : 0;
      lp.addRow(-Infinity, goal + slack, charged);
    }
  } else if (!withBattery) lp.addRow(-Infinity, 0, charged);
  return {
    terms,
    constant: new Float64Array(p.n),
    maxAbsKw: Math.max(ev.maxKw, ev.dischargeMaxKw),
    pairs,
    penaltyCols,
    cycleCols: [],
    state: withBattery ? (x) => ({ socKwh: soc.map((c) => x[c]) }) : undefined,
    unmet: (x) =>
      short >= 0 && x[short] > TOL
        ? [{ assetId: ev.id, kind: 'energy', amount: x[short], unit: 'kWh', message: `${x[short].toFixed(2)} kWh of the ${ev.energyNeededKwh} kWh needed cannot be charged by ${formatInstant(Math.min(ev.departure, p.start + p.n * p.resolutionMs), p.timezone)}` }]
        : [],
  };
}

function buildHeatPump(hp: HeatPump, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const dt = p.dtH;
  const terms = emptyTerms(p.n);
  const power: number[] = [];
  for (let t = 0; t < p.n; t++) {
    const e = lp.label('col', hp.minKw > 0 ? lp.addCol(0, hp.minKw, hp.maxKw, SEMI_CONTINUOUS) : lp.addCol(0, 0, hp.maxKw), `${hp.id} maxElectricKw ${hp.maxKw} kW`, t);
    terms[t].push([e, 1]);
    power.push(e);
  }
  const copMin = Math.min(...hp.cop);
  const perKwhHeat = ladder.comfort / copMin;
  const model = hp.building ? buildingModel(hp, ctx, power, perKwhHeat) : bufferModel(hp, ctx, power, perKwhHeat);
  return { terms, constant: new Float64Array(p.n), maxAbsKw: hp.maxKw, cycleCols: [], ...model };
}

function buildingModel(hp: HeatPump, ctx: BuildContext, power: number[], perKwhHeat: number): Pick<AssetModel, 'penaltyCols' | 'state' | 'unmet'> {
  const { lp, p } = ctx;
  const b = hp.building!;
  const dt = p.dtH;
  const a = 1 - (dt * b.heatLossKwPerK) / b.capacityKwhPerK;
  const perKSlot = perKwhHeat * b.capacityKwhPerK;
  const temp: number[] = [];
  const slack: { under: number; over: number }[] = [];
  const penaltyCols: Term[] = [];
  for (let t = 0; t < p.n; t++) {
    const T = lp.addCol(0, -Infinity, Infinity);
    const rhs = (dt * b.heatLossKwPerK * b.outdoorC[t]) / b.capacityKwhPerK + (t === 0 ? a * b.t0 : 0);
    const row: Term[] = [[T, 1], [power[t], (-dt * hp.cop[t]) / b.capacityKwhPerK]];
    if (t > 0) row.push([temp[t - 1], -a]);
    lp.addRow(rhs, rhs, row);
    const under = lp.addCol(perKSlot, 0, Infinity);
    const over = lp.addCol(perKSlot, 0, Infinity);
    lp.addRow(b.minC[t], Infinity, [[T, 1], [under, 1]]);
    lp.addRow(-Infinity, b.maxC[t], [[T, 1], [over, -1]]);
    penaltyCols.push([under, perKSlot], [over, perKSlot]);
    temp.push(T);
    slack.push({ under, over });
  }
  return {
    penaltyCols,
    state: (x) => ({ temperatureC: temp.map((c) => x[c]) }),
    unmet: (x) => {
      let kh = 0;
      let worst = 0;
      let slots = 0;
      for (const s of slack) {
        const dev = x[s.under] + x[s.over];
        if (dev > TOL) {
          kh += dev * dt;
          worst = Math.max(worst, dev);
          slots++;
        }
      }
      return slots ? [{ assetId: hp.id, kind: 'comfort', amount: kh, unit: 'K·h', message: `indoor temperature outside the comfort band in ${slots} slot(s), by up to ${worst.toFixed(2)} K (${kh.toFixed(2)} K·h)` }] : [];
    },
  };
}

function bufferModel(hp: HeatPump, ctx: BuildContext, power: number[], perKwhHeat: number): Pick<AssetModel, 'penaltyCols' | 'state' | 'unmet'> {
  const { lp, p } = ctx;
  const b = hp.buffer!;
  const dt = p.dtH;
  const state: number[] = [];
  const missed: number[] = [];
  const penaltyCols: Term[] = [];
  for (let t = 0; t < p.n; t++) {
    const s = lp.label('col', lp.addCol(0, 0, b.capacityKwh), `${hp.id} buffer capacityKwh ${b.capacityKwh}`, t, true);
    const miss = lp.addCol(perKwhHeat * dt, 0, b.demandKw[t]);
    const rhs = -dt * b.demandKw[t] + (t === 0 ? b.keep * b.state0 : 0);
    const row: Term[] = [[s, 1], [power[t], -dt * hp.cop[t]], [miss, -dt]];
    if (t > 0) row.push([state[t - 1], -b.keep]);
    lp.addRow(rhs, rhs, row);
    penaltyCols.push([miss, perKwhHeat * dt]);
    state.push(s);
    missed.push(miss);
  }
  return {
    penaltyCols,
    state: (x) => ({ socKwh: state.map((c) => x[c]) }),
    unmet: (x) => {
      const kwh = missed.reduce((sum, c) => sum + x[c] * dt, 0);
      return kwh > TOL ? [{ assetId: hp.id, kind: 'heat', amount: kwh, unit: 'kWh', message: `${kwh.toFixed(2)} kWh of heat demand not met` }] : [];
    },
  };
}

function buildShiftable(l: ShiftableLoad, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const terms = emptyTerms(p.n);
  const k = l.profileKw.length;
  const energy = l.profileKw.reduce((s, v) => s + v, 0) * p.dtH;
  const notRunCost = l.optional ? l.maxCost : ladder.charge * Math.max(energy, 1e-3);
  const notRun = lp.addBinary(notRunCost);
  const uniform = l.profileKw.every((v) => v === l.profileKw[0]);
  if (!l.breakable) uninterruptedRun(l, ctx, terms, notRun);
  else if (uniform) spreadUniformSteps(l, ctx, terms, notRun);
  else spreadOrderedSteps(l, ctx, terms, notRun);
  const fits = l.endSlot - l.earliestSlot >= k;
  return {
    terms,
    constant: new Float64Array(p.n),
    maxAbsKw: Math.max(...l.profileKw),
    penaltyCols: l.optional ? [] : [[notRun, notRunCost]],
    cycleCols: [],
    unmet: (x) =>
      !l.optional && x[notRun] > 0.5
        ? [{ assetId: l.id, kind: 'not-run', amount: energy, unit: 'kWh', message: fits ? 'the run did not fit within the limits of its window' : `the window holds ${Math.max(0, l.endSlot - l.earliestSlot)} slot(s) of the horizon but the run needs ${k}` }]
        : [],
  };
}

function uninterruptedRun(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const starts: Term[] = [[notRun, 1]];
  for (let s = l.earliestSlot; s + k <= l.endSlot; s++) {
    const x = lp.addBinary();
    starts.push([x, 1]);
    for (let j = 0; j < k; j++) if (l.profileKw[j] !== 0) terms[s + j].push([x, l.profileKw[j]]);
  }
  lp.addRow(1, 1, starts);
}

/** Equal steps: any k slots of the window, at most one step per slot. */
function spreadUniformSteps(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const row: Term[] = [[notRun, k]];
  for (let t = l.earliestSlot; t < l.endSlot; t++) {
    const z = lp.addBinary();
    row.push([z, 1]);
    terms[t].push([z, l.profileKw[0]]);
  }
  lp.addRow(k, k, row);
}

/** Unequal steps keep their order: step j runs in a later slot than step j − 1, one step per slot. */
function spreadOrderedSteps(l: ShiftableLoad, { lp }: BuildContext, terms: Term[][], notRun: number): void {
  const k = l.profileKw.length;
  const perSlot = new Map<number, Term[]>();
  let prevCum: Map<number, number> | undefined;
  for (let j = 0; j < k; j++) {
    const first = l.earliestSlot + j;
    const last = l.endSlot - k + j;
    const once: Term[] = [[notRun, 1]];
    const cum = new Map<number, number>();
    for (let t = first; t <= last; t++) {
      const y = lp.addBinary();
      once.push([y, 1]);
      terms[t].push([y, l.profileKw[j]]);
      if (!perSlot.has(t)) perSlot.set(t, []);
      perSlot.get(t)!.push([y, 1]);
      const c = lp.addCol(0, 0, 1);
      const row: Term[] = [[c, 1], [y, -1]];
      if (t > first) row.push([cum.get(t - 1)!, -1]);
      lp.addRow(0, 0, row);
      cum.set(t, c);
      if (prevCum) lp.addRow(-Infinity, 0, [[c, 1], [prevCum.get(t - 1)!, -1]]);
    }
    if (first <= last) lp.addRow(1, 1, once);
    prevCum = cum;
  }
  for (const row of perSlot.values()) if (row.length > 1) lp.addRow(-Infinity, 1, row);
  if (l.endSlot - l.earliestSlot < k) lp.addRow(1, 1, [[notRun, 1]]);
}

function buildPv(pv: Pv, { lp, p, ladder }: BuildContext): AssetModel {
  const terms = emptyTerms(p.n);
  const constant = new Float64Array(p.n);
  for (let t = 0; t < p.n; t++) {
    if (pv.curtailable && pv.forecastKw[t] > 0) terms[t].push([lp.addCol(ladder.epsilon * p.dtH, -pv.forecastKw[t], 0), 1]);
    else constant[t] = -pv.forecastKw[t];
  }
  return { terms, constant, maxAbsKw: Math.max(0, ...pv.forecastKw), penaltyCols: [], cycleCols: [], unmet: () => [] };
}

function buildInflexible(l: InflexibleLoad, { p }: BuildContext): AssetModel {
  return { terms: emptyTerms(p.n), constant: Float64Array.from(l.forecastKw), maxAbsKw: Math.max(0, ...l.forecastKw.map(Math.abs)), penaltyCols: [], cycleCols: [], unmet: () => [] };
}
