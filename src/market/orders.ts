/**
 * Orders of a local market: validation of what a member submits, expansion of a slot range into one order per
 * slot, and the order lifecycle as a pure state machine
 *
 *   open -> closed (gate) -> matched (fully or partly) | unmatched -> delivering -> settled
 *   open -> cancelled (before the gate)
 *
 * Every change returns a new order with one more history entry; nothing is changed in place.
 */
import { conflict, invalid } from '../core/errors.ts';
import { formatInstant, isAligned, parseInstant } from '../core/time.ts';
import { MAX_ORDER_KWH } from './book.ts';
import type { MarketConfig, Order, OrderEvent, OrderStatus, Side } from './types.ts';

/** What a member sends: one slot (`slot`) or a range (`slots`, half-open [start, end)). */
export interface OrderInput {
  member: string;
  side: Side;
  energyKwh: number;
  limitPrice: number;
  slot?: string;
  slots?: { start: string; end: string };
}

/** A validated order for one slot, not yet given an id. */
export interface OrderDraft {
  member: string;
  side: Side;
  energyKwh: number;
  limitPrice: number;
  slotStart: number;
}

/** A range may cover at most this many slots (a week of quarter-hours). */
export const MAX_SLOTS_PER_ORDER = 672;

export function gateClosure(market: MarketConfig, slotStart: number): number {
  return slotStart - market.gateClosureLeadMs;
}

export function checkEnergy(value: unknown, field = 'energyKwh'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number of kWh');
  if (value <= 0) throw invalid(field, `must be positive, not ${value}`);
  if (Math.round(value * 1000) < 1) throw invalid(field, 'must be at least 0.001 kWh (1 Wh)');
  if (value > MAX_ORDER_KWH) throw invalid(field, `must be at most ${MAX_ORDER_KWH} kWh`);
  return value;
}

export function checkPrice(value: unknown, field = 'limitPrice'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'must be a finite number (currency per kWh)');
  return value;
}

function checkSlot(market: MarketConfig, slotStart: number, now: number, field: string): void {
  if (!isAligned(slotStart, market.slotMs, market.timeZone)) {
    throw invalid(field, `${formatInstant(slotStart, market.timeZone)} is not on the market's grid of ${market.slotMs / 60_000}-minute slots`);
  }
  checkGate(market, slotStart, now, field);
}

/** Refuses (400 naming the field) a slot whose gate has closed at `now`. */
export function checkGate(market: MarketConfig, slotStart: number, now: number, field = 'slot'): void {
  const gate = gateClosure(market, slotStart);
  if (now >= gate) throw invalid(field, `the gate for the slot at ${formatInstant(slotStart, market.timeZone)} closed at ${formatInstant(gate, market.timeZone)}`);
}

/** The slot starts of a half-open range on the market's grid. */
export function expandSlots(market: MarketConfig, start: number, end: number, field = 'slots'): number[] {
  if (!(end > start)) throw invalid(`${field}.end`, 'must be after slots.start');
  const count = Math.ceil((end - start) / market.slotMs);
  if (count > MAX_SLOTS_PER_ORDER) throw invalid(`${field}.end`, `a range may cover at most ${MAX_SLOTS_PER_ORDER} slots, not ${count}`);
  if ((end - start) % market.slotMs !== 0) throw invalid(`${field}.end`, 'must be a whole number of slots after slots.start');
  return Array.from({ length: count }, (_, k) => start + k * market.slotMs);
}

/**
 * Checks an order as submitted and returns one draft per slot. Throws a ProblemError naming the field for:
 * a member that is not a site of this market, a side other than buy/sell, non-positive or non-finite energy,
 * a NaN or infinite price, a slot off the market's grid, a slot whose gate has closed. Either every slot of a
 * range is valid or none is returned.
 */
export function draftOrders(input: OrderInput, market: MarketConfig, now: number, members?: ReadonlySet<string>): OrderDraft[] {
  if (input === null || typeof input !== 'object') throw invalid('order', 'must be an object');
  if (typeof input.member !== 'string' || input.member === '') throw invalid('member', 'must name a site');
  if (members && !members.has(input.member)) throw invalid('member', `site ${input.member} is not a member of market ${market.id}`);
  if (input.side !== 'buy' && input.side !== 'sell') throw invalid('side', `must be "buy" or "sell", not ${JSON.stringify(input.side)}`);
  const energyKwh = checkEnergy(input.energyKwh);
  const limitPrice = checkPrice(input.limitPrice);
  const starts = slotStartsOf(input, market);
  starts.forEach((s, k) => checkSlot(market, s, now, input.slots ? (k === 0 ? 'slots.start' : `slots[${k}]`) : 'slot'));
  return starts.map((slotStart) => ({ member: input.member, side: input.side, energyKwh, limitPrice, slotStart }));
}

function slotStartsOf(input: OrderInput, market: MarketConfig): number[] {
  if (input.slot !== undefined && input.slots !== undefined) throw invalid('slots', 'give either slot or slots, not both');
  if (input.slot !== undefined) return [parseInstant(input.slot, 'slot')];
  if (input.slots === undefined || input.slots === null || typeof input.slots !== 'object') throw invalid('slot', 'an order needs a delivery slot (slot) or a range (slots)');
  return expandSlots(market, parseInstant(input.slots.start, 'slots.start'), parseInstant(input.slots.end, 'slots.end'));
}

/** A new open order from a draft. */
export function openOrder(draft: OrderDraft, id: string, marketId: string, now: number): Order {
  return {
    id,
    marketId,
    ...draft,
    submittedAt: now,
    status: 'open',
    matchedKwh: 0,
    history: [{ at: now, event: 'submit', from: null, to: 'open' }],
  };
}

/** Which events each status allows, and where they lead. */
const MOVES: Record<OrderStatus, Partial<Record<OrderEvent['type'], true>>> = {
  open: { change: true, cancel: true, close: true },
  closed: { clear: true },
  matched: { deliver: true },
  unmatched: { deliver: true },
  delivering: { settle: true },
  settled: {},
  cancelled: {},
};

/**
 * Applies one event to an order. Throws a 409 ProblemError for a move the lifecycle does not allow (e.g.
 * changing a closed order, settling an open one) and a 400 for a bad change.
 */
export function applyOrderEvent(order: Order, event: OrderEvent, market: MarketConfig, now: number): Order {
  if (!MOVES[order.status][event.type]) throw conflict(`order ${order.id} is ${order.status}; it cannot be ${pastTense(event.type)}`);
  const gate = gateClosure(market, order.slotStart);
  const next = (to: OrderStatus, patch: Partial<Order> = {}, detail?: Record<string, unknown>): Order => ({
    ...order,
    ...patch,
    status: to,
    history: [...order.history, { at: now, event: event.type, from: order.status, to, ...(detail ? { detail } : {}) }],
  });
  switch (event.type) {
    case 'change': {
      if (now >= gate) throw conflict(`order ${order.id}: the gate closed at ${formatInstant(gate)}; it can no longer be changed`);
      const energyKwh = event.energyKwh === undefined ? order.energyKwh : checkEnergy(event.energyKwh);
      const limitPrice = event.limitPrice === undefined ? order.limitPrice : checkPrice(event.limitPrice);
      const detail: Record<string, unknown> = {};
      if (energyKwh !== order.energyKwh) detail.energyKwh = [order.energyKwh, energyKwh];
      if (limitPrice !== order.limitPrice) detail.limitPrice = [order.limitPrice, limitPrice];
      return next('open', { energyKwh, limitPrice }, detail);
    }
    case 'cancel':
      if (now >= gate) throw conflict(`order ${order.id}: the gate closed at ${formatInstant(gate)}; it can no longer be cancelled`);
      return next('cancelled');
    case 'close':
      if (now < gate) throw conflict(`order ${order.id}: the gate closes at ${formatInstant(gate)}, not before`);
      return next('closed');
    case 'clear': {
      const m = event.matchedKwh;
      if (typeof m !== 'number' || !Number.isFinite(m) || m < 0 || m > order.energyKwh + 1e-9) {
        throw invalid('matchedKwh', `must be between 0 and the order's ${order.energyKwh} kWh, not ${m}`);
      }
      return m > 0 ? next('matched', { matchedKwh: m }, { matchedKwh: m, partly: m < order.energyKwh }) : next('unmatched', { matchedKwh: 0 });
    }
    case 'deliver':
      if (now < order.slotStart) throw conflict(`order ${order.id}: delivery starts at ${formatInstant(order.slotStart)}`);
      return next('delivering');
    case 'settle':
      if (now < order.slotStart + market.slotMs) throw conflict(`order ${order.id}: its slot ends at ${formatInstant(order.slotStart + market.slotMs)}; settle after`);
      return next('settled');
    default:
      throw invalid('event', `unknown event ${(event as { type: string }).type}`);
  }
}

function pastTense(type: OrderEvent['type']): string {
  return { submit: 'submitted', change: 'changed', cancel: 'cancelled', close: 'closed', clear: 'cleared', deliver: 'delivered', settle: 'settled' }[type];
}
