/** What an asset's part of the optimisation model provides to the site balance, and how to read it back. */
import type { Problem } from '../../flex/types.ts';
import type { Ladder } from '../ladder.ts';
import { LpBuilder, type Term } from '../lp.ts';
import type { Unmet } from '../result.ts';

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

/** Below this, a slack is numerical noise, not an unmet wish. */
export const TOL = 1e-4;

export function emptyTerms(n: number): Term[][] {
  return Array.from({ length: n }, () => []);
}

/** charge ≤ max·z, discharge ≤ max·(1 − z): one direction per slot. */
export function exclusive(lp: LpBuilder, charge: number, chargeMax: number, discharge: number, dischargeMax: number): void {
  const z = lp.addBinary();
  lp.addRow(-Infinity, 0, [[charge, 1], [z, -chargeMax]]);
  lp.addRow(-Infinity, dischargeMax, [[discharge, 1], [z, dischargeMax]]);
}
