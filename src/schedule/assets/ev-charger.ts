/** An EV charger: energy by departure (soft), on-off or minimum power, optional vehicle-to-grid with the car's SoC. */
import { formatInstant } from '../../core/time.ts';
import type { EvCharger } from '../../flex/types.ts';
import { LpBuilder, SEMI_CONTINUOUS, type Term } from '../lp.ts';
import { emptyTerms, exclusive, TOL, type AssetModel, type BuildContext } from './common.ts';

function evChargeCol(ev: EvCharger, lp: LpBuilder, frac: number): number {
  const hi = ev.maxKw * frac;
  if (ev.onOff) return lp.addCol(0, hi, hi, SEMI_CONTINUOUS);
  if (ev.minKw > 0) return lp.addCol(0, Math.min(ev.minKw * frac, hi), hi, SEMI_CONTINUOUS);
  return lp.addCol(0, 0, hi);
}

export function buildEv(ev: EvCharger, ctx: BuildContext): AssetModel {
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
    goal = withBattery ? Math.max(0, Math.min(ev.capacityKwh!, ev.soc0! + ev.energyNeededKwh) - ev.reachableAfterKwh) : ev.needInHorizonKwh;
    short = lp.addCol(ladder.charge, 0, goal);
    penaltyCols.push([short, ladder.charge]);
    if (withBattery) lp.addRow(goal, Infinity, [[soc[ev.departureSlot], 1], [short, 1]]);
    else {
      lp.addRow(goal, Infinity, [...charged, [short, 1]]);
      const slack = ev.onOff || ev.minKw > 0 ? ev.maxKw * dt * ev.etaCharge : 0;
      lp.addRow(-Infinity, ev.energyNeededKwh + slack, charged);
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
        ? [{ assetId: ev.id, kind: 'energy', amount: x[short], unit: 'kWh', message: `${x[short].toFixed(2)} kWh of the ${goal.toFixed(2)} kWh needed cannot be charged by ${formatInstant(Math.min(ev.departure, p.start + p.n * p.resolutionMs), p.timezone)}` }]
        : [],
  };
}
