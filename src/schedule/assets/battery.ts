/** A stationary battery: SoC recursion with losses, a band (hard, or soft when the start lies outside it), soft targets. */
import { formatInstant } from '../../core/time.ts';
import type { Battery, Problem, SocTarget } from '../../flex/types.ts';
import type { Term } from '../lp.ts';
import type { Unmet } from '../result.ts';
import { emptyTerms, exclusive, TOL, type AssetModel, type BuildContext } from './common.ts';

export function buildBattery(b: Battery, ctx: BuildContext): AssetModel {
  const { lp, p, ladder } = ctx;
  const dt = p.dtH;
  const terms = emptyTerms(p.n);
  const soc: number[] = [];
  const bandCols: { t: number; under: number; over: number }[] = [];
  const penaltyCols: Term[] = [];
  const cycleCols: Term[] = [];
  const pairs: AssetModel['pairs'] = [];
  const hardBand = b.soc0 >= b.socMin && b.soc0 <= b.socMax && b.keep === 1;
  const chargeLabel = `${b.id} chargeMaxKw ${b.chargeMaxKw} kW`;
  const dischargeLabel = `${b.id} dischargeMaxKw ${b.dischargeMaxKw} kW`;
  const socLabel = hardBand ? `${b.id} SoC band [${b.socMin}, ${b.socMax}] kWh` : `${b.id} capacityKwh ${b.capacityKwh}`;
  for (let t = 0; t < p.n; t++) {
    const ch = lp.label('col', lp.addCol(ladder.epsilon * dt, 0, b.chargeMaxKw), chargeLabel, t);
    const dis = lp.label('col', lp.addCol((b.cycleCostPerKwh + ladder.epsilon) * dt, 0, b.dischargeMaxKw), dischargeLabel, t);
    const s = hardBand ? lp.label('col', lp.addCol(0, b.socMin, b.socMax), socLabel, t, true) : lp.label('col', lp.addCol(0, 0, b.capacityKwh), socLabel, t, true);
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
    unmet: (x) =>
      batteryUnmet(
        b,
        p,
        targetCols.map(({ target, short, excess }) => ({ target, short: short >= 0 ? x[short] : 0, excess: excess >= 0 ? x[excess] : 0 })),
        bandCols.map((c) => ({ t: c.t, under: x[c.under], over: x[c.over] })),
      ),
  };
}

/** The battery's unmet wishes from its slack values: SoC targets missed, and the slots spent outside a soft band. */
export function batteryUnmet(b: Battery, p: Problem, targets: { target: SocTarget; short: number; excess: number }[], band: { t: number; under: number; over: number }[]): Unmet[] {
  const out: Unmet[] = [];
  for (const { target, short, excess } of targets) {
    const at = formatInstant(target.at, p.timezone);
    if (target.minKwh !== undefined && short > TOL) out.push({ assetId: b.id, kind: 'soc-target', amount: short, unit: 'kWh', message: `SoC at ${at} is ${short.toFixed(2)} kWh below the wished ${target.minKwh} kWh` });
    if (target.maxKwh !== undefined && excess > TOL) out.push({ assetId: b.id, kind: 'soc-target', amount: excess, unit: 'kWh', message: `SoC at ${at} is ${excess.toFixed(2)} kWh above the wished ${target.maxKwh} kWh` });
  }
  const outside = band.filter((c) => c.under > TOL || c.over > TOL);
  if (outside.length) {
    const worst = Math.max(...outside.map((c) => Math.max(c.under, c.over)));
    const last = outside[outside.length - 1].t;
    out.push({ assetId: b.id, kind: 'soc-band', amount: worst, unit: 'kWh', message: `SoC outside its band [${b.socMin}, ${b.socMax}] kWh by up to ${worst.toFixed(2)} kWh in ${outside.length} slot(s), back inside from ${formatInstant(p.start + (last + 1) * p.resolutionMs, p.timezone)}` });
  }
  return out;
}
