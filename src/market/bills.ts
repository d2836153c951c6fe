/**
 * Bills per member and period, and the community's figures, from member-slot settlements. Only settled slots
 * count in the sums; slots still awaiting data are listed, never guessed.
 */
import type { MemberSlotSettlement } from './settlement.ts';

export interface Bill {
  member: string;
  periodStart: number;
  periodEnd: number;
  slotsSettled: number;
  /** Slot starts still awaiting meter data or prices. */
  slotsAwaitingData: number[];
  localBoughtKwh: number;
  localBoughtCost: number;
  localSoldKwh: number;
  localSoldRevenue: number;
  feeCost: number;
  gridImportKwh: number;
  gridImportCost: number;
  gridExportKwh: number;
  gridExportRevenue: number;
  /** Net deviation from the local position (metered minus bought plus sold), kWh. */
  deviationKwh: number;
  /** Re-settlement differences posted in this period (from `settlementDifference`). */
  adjustments: number;
  totalCost: number;
  /** The member's slots of the period in time order, settled or awaiting data: the bill's lines. */
  lines: MemberSlotSettlement[];
}

const inPeriod = (s: MemberSlotSettlement, start: number, end: number): boolean => s.slotStart >= start && s.slotStart < end;

/** One member's bill for the half-open period [start, end). `adjustments` are earlier slots' corrections. */
export function billFor(member: string, settlements: readonly MemberSlotSettlement[], start: number, end: number, adjustments = 0): Bill {
  const bill: Bill = {
    member,
    periodStart: start,
    periodEnd: end,
    slotsSettled: 0,
    slotsAwaitingData: [],
    localBoughtKwh: 0,
    localBoughtCost: 0,
    localSoldKwh: 0,
    localSoldRevenue: 0,
    feeCost: 0,
    gridImportKwh: 0,
    gridImportCost: 0,
    gridExportKwh: 0,
    gridExportRevenue: 0,
    deviationKwh: 0,
    adjustments,
    totalCost: adjustments,
    lines: [],
  };
  for (const s of settlements) {
    if (s.member !== member || !inPeriod(s, start, end)) continue;
    bill.lines.push(s);
    if (s.status !== 'settled') {
      bill.slotsAwaitingData.push(s.slotStart);
      continue;
    }
    bill.slotsSettled++;
    bill.localBoughtKwh += s.localBoughtKwh;
    bill.localBoughtCost += s.localBoughtCost;
    bill.localSoldKwh += s.localSoldKwh;
    bill.localSoldRevenue += s.localSoldRevenue;
    bill.feeCost += s.feeCost;
    bill.gridImportKwh += s.gridImportKwh!;
    bill.gridImportCost += s.gridImportCost!;
    bill.gridExportKwh += s.gridExportKwh!;
    bill.gridExportRevenue += s.gridExportRevenue!;
    bill.deviationKwh += s.deviationKwh!;
    bill.totalCost += s.totalCost!;
  }
  bill.slotsAwaitingData.sort((a, b) => a - b);
  bill.lines.sort((a, b) => a.slotStart - b.slotStart);
  return bill;
}

export interface CommunityFigures {
  periodStart: number;
  periodEnd: number;
  slotsSettled: number;
  /** Slots left out because at least one member's slot awaits data. */
  slotsAwaitingData: number[];
  /** Sum of members' metered imports (consumption behind the meters, net of their own PV). */
  consumptionKwh: number;
  /** Sum of members' metered exports. */
  productionKwh: number;
  /** Per slot min(imports, exports): energy produced and used inside the community. */
  sharedKwh: number;
  /** sharedKwh / consumptionKwh (null without consumption). */
  selfSufficiency: number | null;
  /** sharedKwh / productionKwh (null without production). */
  selfConsumption: number | null;
  tradedKwh: number;
  /** Volume-weighted local trade price, without fees (null without trades). */
  averageLocalPrice: number | null;
  /** What members would have paid with the grid alone: imports at the import price minus exports at the export price. */
  gridOnlyCost: number;
  /** What members paid: local trades, fees, grid. */
  actualCost: number;
  /** gridOnlyCost - actualCost. */
  saving: number;
  feesCollected: number;
}

/**
 * The community's figures for [start, end). A slot counts only when every member's slot is settled, so the
 * shares are never computed from part of the community.
 */
export function communityFigures(settlements: readonly MemberSlotSettlement[], start: number, end: number): CommunityFigures {
  const bySlot = new Map<number, MemberSlotSettlement[]>();
  for (const s of settlements) {
    if (!inPeriod(s, start, end)) continue;
    const list = bySlot.get(s.slotStart);
    if (list) list.push(s);
    else bySlot.set(s.slotStart, [s]);
  }
  const f: CommunityFigures = {
    periodStart: start,
    periodEnd: end,
    slotsSettled: 0,
    slotsAwaitingData: [],
    consumptionKwh: 0,
    productionKwh: 0,
    sharedKwh: 0,
    selfSufficiency: null,
    selfConsumption: null,
    tradedKwh: 0,
    averageLocalPrice: null,
    gridOnlyCost: 0,
    actualCost: 0,
    saving: 0,
    feesCollected: 0,
  };
  let tradeMoney = 0;
  for (const [slotStart, list] of [...bySlot].sort((a, b) => a[0] - b[0])) {
    if (list.some((s) => s.status !== 'settled')) {
      f.slotsAwaitingData.push(slotStart);
      continue;
    }
    f.slotsSettled++;
    let imports = 0;
    let exports = 0;
    for (const s of list) {
      const metered = s.meteredKwh!;
      imports += Math.max(0, metered);
      exports += Math.max(0, -metered);
      f.gridOnlyCost += Math.max(0, metered) * s.importPrice! - Math.max(0, -metered) * s.exportPrice!;
      f.actualCost += s.totalCost!;
      f.tradedKwh += s.localBoughtKwh;
      tradeMoney += s.localBoughtCost;
      f.feesCollected += s.feeCost;
    }
    f.consumptionKwh += imports;
    f.productionKwh += exports;
    f.sharedKwh += Math.min(imports, exports);
  }
  f.selfSufficiency = f.consumptionKwh > 0 ? f.sharedKwh / f.consumptionKwh : null;
  f.selfConsumption = f.productionKwh > 0 ? f.sharedKwh / f.productionKwh : null;
  f.averageLocalPrice = f.tradedKwh > 0 ? tradeMoney / f.tradedKwh : null;
  f.saving = f.gridOnlyCost - f.actualCost;
  return f;
}
