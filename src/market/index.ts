/** The local market's pure core: what storage, API, jobs and CLI import. */
export * from './types.ts';
export { clearSlot, parseMechanism, fillOf } from './clearing.ts';
export { draftOrders, openOrder, applyOrderEvent, gateClosure, expandSlots, checkEnergy, checkPrice, MAX_SLOTS_PER_ORDER } from './orders.ts';
export type { OrderInput, OrderDraft } from './orders.ts';
export { closeAndClearSlot } from './gate.ts';
export type { GateClosureResult } from './gate.ts';
export { summarizeBook } from './curves.ts';
export type { BookSummary, CurvePoint } from './curves.ts';
export { settleSlot, settleMemberSlot, settlementDifference, backstopPrices, imbalancePrices } from './settlement.ts';
export type { MemberSlotSettlement, SlotSettlementInput, SlotPrices, PriceSource, SettlementDifference } from './settlement.ts';
export { billFor, communityFigures } from './bills.ts';
export type { Bill, CommunityFigures } from './bills.ts';
export { planOrders } from './agent.ts';
export type { AgentSlot, AgentLimits } from './agent.ts';
export { runClearCommand } from './cli-clear.ts';
export type { ClearCommandOutput } from './cli-clear.ts';
export { marketConfigFrom } from './market.ts';
export type { MarketInput } from './market.ts';
