/**
 * Settlement of one delivery slot against what the meters measured.
 *
 * A member's local position in a slot is what it bought locally minus what it sold locally (kWh). Its meter
 * gives its net energy in the slot (positive = import/consumption, negative = export/production). The
 * deviation, metered minus position, is bought from the grid at the slot's import price when positive and
 * sold to the grid at the export price when negative (the backstop retail price and feed-in tariff, or an
 * imbalance price series). The buyer of each local kWh also pays the local grid fee.
 *
 * No numbers are invented: without a reading (or without the slot's prices) the member's slot stays
 * `awaiting-data`, with only its local trades filled in. A late reading settles it then; a corrected reading
 * settles it again, and `settlementDifference` shows what changed.
 */
import { unprocessable } from '../core/errors.ts';
import type { Trade } from './types.ts';

export interface SlotPrices {
  /** Paid per kWh taken from the grid beyond the local position. */
  importPrice: number;
  /** Received per kWh fed to the grid beyond the local position. */
  exportPrice: number;
}

/** Prices of a slot, or null when they are not known (yet). */
export type PriceSource = (slotStart: number) => SlotPrices | null;

/** The grid as backstop at fixed retail price and feed-in tariff. */
export function backstopPrices(retailPrice: number, feedInTariff: number): PriceSource {
  return () => ({ importPrice: retailPrice, exportPrice: feedInTariff });
}

/** One imbalance price per slot (currency per kWh), for both directions; a slot without one is not priced. */
export function imbalancePrices(series: ReadonlyMap<number, number>): PriceSource {
  return (slotStart) => {
    const p = series.get(slotStart);
    return p === undefined ? null : { importPrice: p, exportPrice: p };
  };
}

export type SettlementStatus = 'settled' | 'awaiting-data';

export interface MemberSlotSettlement {
  member: string;
  slotStart: number;
  status: SettlementStatus;
  /** What is missing when awaiting data. */
  awaiting?: 'meter' | 'prices';
  localBoughtKwh: number;
  localBoughtCost: number;
  localSoldKwh: number;
  localSoldRevenue: number;
  feeCost: number;
  /** Bought minus sold locally. */
  positionKwh: number;
  meteredKwh: number | null;
  /** Metered minus position. */
  deviationKwh: number | null;
  gridImportKwh: number | null;
  gridImportCost: number | null;
  gridExportKwh: number | null;
  gridExportRevenue: number | null;
  importPrice: number | null;
  exportPrice: number | null;
  /** What the member pays in total for the slot (negative: receives). */
  totalCost: number | null;
}

export interface SlotSettlementInput {
  slotStart: number;
  members: readonly string[];
  trades: readonly Pick<Trade, 'buyer' | 'seller' | 'energyKwh' | 'price'>[];
  /** Net metered kWh per member; a member without an entry (or with null) has no reading yet. */
  readings: ReadonlyMap<string, number | null>;
  prices: SlotPrices | null;
  localGridFee: number;
}

/** Settles every member of one slot. */
export function settleSlot(input: SlotSettlementInput): MemberSlotSettlement[] {
  const known = new Set(input.members);
  for (const t of input.trades) {
    if (!known.has(t.buyer)) throw unprocessable(`trade buyer ${t.buyer} is not a member of the market`, 'trades');
    if (!known.has(t.seller)) throw unprocessable(`trade seller ${t.seller} is not a member of the market`, 'trades');
  }
  return input.members.map((member) => settleMemberSlot(member, input));
}

/** Settles one member's slot. */
export function settleMemberSlot(member: string, input: SlotSettlementInput): MemberSlotSettlement {
  const local = localSide(member, input.trades);
  const feeCost = local.boughtKwh * input.localGridFee;
  const positionKwh = local.boughtKwh - local.soldKwh;
  const base = {
    member,
    slotStart: input.slotStart,
    localBoughtKwh: local.boughtKwh,
    localBoughtCost: local.boughtCost,
    localSoldKwh: local.soldKwh,
    localSoldRevenue: local.soldRevenue,
    feeCost,
    positionKwh,
  };
  const reading = input.readings.get(member);
  const metered = reading === undefined || reading === null || !Number.isFinite(reading) ? null : reading;
  if (metered === null || input.prices === null) {
    return {
      ...base,
      status: 'awaiting-data',
      awaiting: metered === null ? 'meter' : 'prices',
      meteredKwh: metered,
      deviationKwh: null,
      gridImportKwh: null,
      gridImportCost: null,
      gridExportKwh: null,
      gridExportRevenue: null,
      importPrice: input.prices?.importPrice ?? null,
      exportPrice: input.prices?.exportPrice ?? null,
      totalCost: null,
    };
  }
  const deviationKwh = metered - positionKwh;
  const gridImportKwh = Math.max(0, deviationKwh);
  const gridExportKwh = Math.max(0, -deviationKwh);
  const gridImportCost = gridImportKwh * input.prices.importPrice;
  const gridExportRevenue = gridExportKwh * input.prices.exportPrice;
  return {
    ...base,
    status: 'settled',
    meteredKwh: metered,
    deviationKwh,
    gridImportKwh,
    gridImportCost,
    gridExportKwh,
    gridExportRevenue,
    importPrice: input.prices.importPrice,
    exportPrice: input.prices.exportPrice,
    totalCost: local.boughtCost + feeCost + gridImportCost - local.soldRevenue - gridExportRevenue,
  };
}

function localSide(member: string, trades: SlotSettlementInput['trades']): { boughtKwh: number; boughtCost: number; soldKwh: number; soldRevenue: number } {
  let boughtKwh = 0;
  let boughtCost = 0;
  let soldKwh = 0;
  let soldRevenue = 0;
  for (const t of trades) {
    if (t.buyer === member) {
      boughtKwh += t.energyKwh;
      boughtCost += t.energyKwh * t.price;
    }
    if (t.seller === member) {
      soldKwh += t.energyKwh;
      soldRevenue += t.energyKwh * t.price;
    }
  }
  return { boughtKwh, boughtCost, soldKwh, soldRevenue };
}

const MONEY_AND_ENERGY = ['meteredKwh', 'deviationKwh', 'gridImportKwh', 'gridImportCost', 'gridExportKwh', 'gridExportRevenue', 'totalCost'] as const;

export type SettlementChange = 'late' | 'correction' | 'unchanged' | 'still-awaiting';

export interface SettlementDifference {
  member: string;
  slotStart: number;
  change: SettlementChange;
  /** After minus before, per field (a field missing before counts from zero). */
  delta: Record<(typeof MONEY_AND_ENERGY)[number], number>;
}

/**
 * What a re-settlement changed: `late` when the slot was awaiting data and now settles, `correction` when a
 * settled slot settles to other numbers. Post `delta.totalCost` as an adjustment on the next bill.
 */
export function settlementDifference(before: MemberSlotSettlement, after: MemberSlotSettlement): SettlementDifference {
  if (before.member !== after.member || before.slotStart !== after.slotStart) throw new Error('settlementDifference: not the same member and slot');
  const delta = {} as SettlementDifference['delta'];
  let changed = false;
  for (const f of MONEY_AND_ENERGY) {
    delta[f] = (after[f] ?? 0) - (before[f] ?? 0);
    if (Math.abs(delta[f]) > 1e-12) changed = true;
  }
  const change: SettlementChange =
    after.status === 'awaiting-data' ? 'still-awaiting' : before.status === 'awaiting-data' ? 'late' : changed ? 'correction' : 'unchanged';
  return { member: after.member, slotStart: after.slotStart, change, delta };
}
