/**
 * The part of the optimisation model each asset type adds: its columns, its state recursion, its soft
 * wishes (slack columns priced by the ladder) and how to read its power, state and unmet wishes back.
 */
import type { FlexAsset } from '../../flex/types.ts';
import { buildBattery } from './battery.ts';
import type { AssetModel, BuildContext } from './common.ts';
import { buildEv } from './ev-charger.ts';
import { buildInflexible, buildPv } from './fixed.ts';
import { buildHeatPump } from './heat-pump.ts';
import { buildShiftable } from './shiftable-load.ts';

export type { AssetModel, BuildContext } from './common.ts';

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