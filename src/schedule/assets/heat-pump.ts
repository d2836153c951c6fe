/** A heat pump heating a one-node building (comfort band, soft) or a heat buffer (demand, soft). */
import type { HeatPump } from '../../flex/types.ts';
import { SEMI_CONTINUOUS, type Term } from '../lp.ts';
import { emptyTerms, TOL, type AssetModel, type BuildContext } from './common.ts';

export function buildHeatPump(hp: HeatPump, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
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
