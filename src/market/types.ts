/**
 * The words of a local market, as the pure core sees them. Times are epoch milliseconds (UTC); the API and
 * the store convert to and from ISO 8601 at the boundary. Energy is kWh, prices are currency per kWh.
 */

export type Side = 'buy' | 'sell';

export type Mechanism = 'pay-as-clear' | 'pay-as-bid';

export const MECHANISMS: readonly Mechanism[] = ['pay-as-clear', 'pay-as-bid'];

/** A local market of a community: the grid is the backstop for every order not matched locally. */
export interface MarketConfig {
  id: string;
  accountId: string;
  /** Delivery slot length in ms (15 min or 1 h). */
  slotMs: number;
  /** IANA time zone of the slot grid (slots start on whole local quarter-hours or hours). */
  timeZone: string;
  /** Orders for a slot close this long before the slot starts. */
  gateClosureLeadMs: number;
  currency: string;
  mechanism: Mechanism;
  /** What a member pays the grid per kWh bought outside the local market. */
  retailPrice: number;
  /** What the grid pays a member per kWh fed in outside the local market. */
  feedInTariff: number;
  /** Fee per kWh traded locally, paid by the buyer to the grid operator. */
  localGridFee: number;
}

export type OrderStatus = 'open' | 'closed' | 'matched' | 'unmatched' | 'delivering' | 'settled' | 'cancelled';

export interface OrderHistoryEntry {
  at: number;
  event: OrderEvent['type'];
  from: OrderStatus | null;
  to: OrderStatus;
  /** What changed, e.g. `{energyKwh: [5, 3]}` or `{matchedKwh: 2.5}`. */
  detail?: Record<string, unknown>;
}

export interface Order {
  id: string;
  marketId: string;
  /** The member's site. */
  member: string;
  side: Side;
  energyKwh: number;
  limitPrice: number;
  /** Start of the delivery slot, epoch ms. */
  slotStart: number;
  submittedAt: number;
  status: OrderStatus;
  /** Energy matched at clearing (set when the order leaves `closed`). */
  matchedKwh: number;
  history: OrderHistoryEntry[];
}

/** The smallest thing clearing needs of an order. `submittedAt` breaks ties (earlier first), then `id`. */
export interface BookOrder {
  id: string;
  member: string;
  side: Side;
  energyKwh: number;
  limitPrice: number;
  submittedAt?: number;
}

export type OrderEvent =
  | { type: 'submit' }
  | { type: 'change'; energyKwh?: number; limitPrice?: number }
  | { type: 'cancel' }
  | { type: 'close' }
  | { type: 'clear'; matchedKwh: number }
  | { type: 'deliver' }
  | { type: 'settle' };

export interface Trade {
  buyOrder: string;
  sellOrder: string;
  buyer: string;
  seller: string;
  energyKwh: number;
  price: number;
}

export interface ClearingResult {
  mechanism: Mechanism;
  /**
   * Pay-as-clear: the uniform price every trade carries. Pay-as-bid: the volume-weighted average trade price.
   * `null` when nothing trades.
   */
  price: number | null;
  volumeKwh: number;
  /** The interval of uniform prices that clear the same volume; the price rule picks its midpoint. */
  priceInterval: { low: number; high: number } | null;
  trades: Trade[];
  /** Every order, in merit order (buys, then sells), with what became of it. */
  orders: OrderFill[];
}

export interface OrderFill {
  id: string;
  side: Side;
  /** Energy matched with other members. */
  matchedKwh: number;
  /** Energy netted against the same member's own crossing orders (no trade, no money). */
  selfNettedKwh: number;
}
