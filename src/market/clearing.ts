/**
 * Clearing one delivery slot: a double auction with the largest possible traded volume.
 *
 * Volume: buys in merit order (highest limit first) are walked against sells (lowest limit first); energy
 * trades while the buy's limit is at or above the sell's. This is the largest volume Q at which the Q-th
 * kWh of demand is worth at least what the Q-th kWh of supply asks.
 *
 * Price rule (pay-as-clear): every uniform price p in [low, high] clears Q, where
 *   low  = max(limit of the last matched sell kWh, limit of the first unmatched buy kWh)
 *   high = min(limit of the last matched buy kWh,  limit of the first unmatched sell kWh)
 * (a missing neighbour does not bound). At such a p no matched buyer's limit is below p, no matched seller's
 * limit is above p, and nobody left out would trade at p. gridflex takes the midpoint (low + high) / 2,
 * which splits the surplus at the margin evenly between the two sides.
 *
 * Allocation: orders strictly better than p are filled in full; the orders whose limit equals p share what
 * is left pro rata to their energy, in whole Wh, the leftover Wh going by largest remainder, then by merit
 * order (earlier submission, then id). Both mechanisms allocate the same way, so they trade the same volume;
 * they differ only in the price of each trade (pay-as-bid: the buyer's limit).
 */
import { invalid } from '../core/errors.ts';
import { meritOrder, netSelfCrossing, toBook, WH_PER_KWH, type Book } from './book.ts';
import { MECHANISMS, type BookOrder, type ClearingResult, type Mechanism, type OrderFill, type Trade } from './types.ts';

export interface Margin {
  volumeWh: number;
  low: number;
  high: number;
}

/** Walks both merit orders once and returns the largest tradable volume and its price interval. */
export function findMargin(book: Book, buys: Int32Array, sells: Int32Array): Margin | null {
  const { price, wh } = book;
  let i = 0;
  let j = 0;
  let rb = buys.length ? wh[buys[0]] : 0;
  let rs = sells.length ? wh[sells[0]] : 0;
  let volumeWh = 0;
  let lastBuy = NaN;
  let lastSell = NaN;
  while (i < buys.length && j < sells.length && price[buys[i]] >= price[sells[j]]) {
    const q = Math.min(rb, rs);
    volumeWh += q;
    lastBuy = price[buys[i]];
    lastSell = price[sells[j]];
    rb -= q;
    rs -= q;
    if (rb === 0 && ++i < buys.length) rb = wh[buys[i]];
    if (rs === 0 && ++j < sells.length) rs = wh[sells[j]];
  }
  if (volumeWh === 0) return null;
  const nextBuy = i < buys.length ? price[buys[i]] : -Infinity;
  const nextSell = j < sells.length ? price[sells[j]] : Infinity;
  return { volumeWh, low: Math.max(lastSell, nextBuy), high: Math.min(lastBuy, nextSell) };
}

/**
 * Fills one side (in merit order) at uniform price p: orders strictly better than p in full, those whose
 * limit equals p pro rata.
 */
export function allocateSide(book: Book, sorted: Int32Array, volumeWh: number, p: number): void {
  const { price, wh, matched } = book;
  let left = volumeWh;
  let k = 0;
  while (k < sorted.length && price[sorted[k]] !== p && left > 0) {
    const q = Math.min(wh[sorted[k]], left);
    matched[sorted[k]] = q;
    left -= q;
    k++;
  }
  if (left === 0) return;
  const margin: number[] = [];
  while (k < sorted.length && price[sorted[k]] === p) margin.push(sorted[k++]);
  shareProRata(book, margin, left);
}

/** Shares `total` Wh among `group` (merit order) in proportion to their energy; whole Wh, largest remainder. */
export function shareProRata(book: Book, group: readonly number[], total: number): void {
  const { wh, matched } = book;
  let energy = 0;
  for (const i of group) energy += wh[i];
  if (total > energy) throw new Error(`internal: cannot share ${total} Wh among ${energy} Wh`);
  const rest: { i: number; rem: number; pos: number }[] = [];
  let given = 0;
  group.forEach((i, pos) => {
    const exact = (total * wh[i]) / energy;
    const q = Math.min(wh[i], Math.floor(exact));
    matched[i] = q;
    given += q;
    rest.push({ i, rem: exact - q, pos });
  });
  rest.sort((a, b) => b.rem - a.rem || a.pos - b.pos);
  let left = total - given;
  while (left > 0) {
    for (const r of rest) {
      if (left === 0) break;
      if (matched[r.i] < wh[r.i]) {
        matched[r.i]++;
        left--;
      }
    }
  }
}

/** Pairs matched buys with matched sells in merit order; each pair becomes one trade. */
function pairTrades(book: Book, buys: Int32Array, sells: Int32Array, priceOf: (buy: number, sell: number) => number): Trade[] {
  const { matched, ids, members } = book;
  const trades: Trade[] = [];
  let i = 0;
  let j = 0;
  while (i < buys.length && matched[buys[i]] === 0) i++;
  while (j < sells.length && matched[sells[j]] === 0) j++;
  let rb = i < buys.length ? matched[buys[i]] : 0;
  let rs = j < sells.length ? matched[sells[j]] : 0;
  while (rb > 0 && rs > 0) {
    const q = Math.min(rb, rs);
    const b = buys[i];
    const s = sells[j];
    if (members[b] === members[s]) throw new Error(`internal: self-trade of member ${members[b]}`);
    trades.push({ buyOrder: ids[b], sellOrder: ids[s], buyer: members[b], seller: members[s], energyKwh: q / WH_PER_KWH, price: priceOf(b, s) });
    rb -= q;
    rs -= q;
    if (rb === 0) {
      do i++;
      while (i < buys.length && matched[buys[i]] === 0);
      rb = i < buys.length ? matched[buys[i]] : 0;
    }
    if (rs === 0) {
      do j++;
      while (j < sells.length && matched[sells[j]] === 0);
      rs = j < sells.length ? matched[sells[j]] : 0;
    }
  }
  return trades;
}

export function parseMechanism(value: unknown, field = 'mechanism'): Mechanism {
  if (typeof value === 'string' && (MECHANISMS as readonly string[]).includes(value)) return value as Mechanism;
  throw invalid(field, `must be one of ${MECHANISMS.join(', ')}, not ${JSON.stringify(value)}`);
}

/** Clears the orders of one delivery slot with the given mechanism. Pure; throws a ProblemError on bad orders. */
export function clearSlot(orders: readonly BookOrder[], mechanism: Mechanism = 'pay-as-clear'): ClearingResult {
  parseMechanism(mechanism);
  const book = toBook(orders);
  const sorted = meritOrder(book);
  const { buys, sells } = netSelfCrossing(book, sorted.buys, sorted.sells);
  const margin = findMargin(book, buys, sells);
  let trades: Trade[] = [];
  let price: number | null = null;
  if (margin) {
    const p = (margin.low + margin.high) / 2;
    allocateSide(book, buys, margin.volumeWh, p);
    allocateSide(book, sells, margin.volumeWh, p);
    trades = pairTrades(book, buys, sells, mechanism === 'pay-as-clear' ? () => p : (b) => book.price[b]);
    price = mechanism === 'pay-as-clear' ? p : averagePrice(trades);
  }
  const result = {
    mechanism,
    price,
    volumeKwh: (margin?.volumeWh ?? 0) / WH_PER_KWH,
    priceInterval: margin ? { low: margin.low, high: margin.high } : null,
    trades,
  } as ClearingResult;
  return withLazyFills(result, () => fills(book, sorted.buys, sorted.sells));
}

/**
 * `orders` (one object per order) is built on first read and then kept: a caller clearing 100,000 orders for
 * the trades alone does not pay for 100,000 objects. It is an ordinary enumerable property to every reader,
 * JSON.stringify included.
 */
function withLazyFills(result: ClearingResult, build: () => OrderFill[]): ClearingResult {
  let cached: OrderFill[] | undefined;
  return Object.defineProperty(result, 'orders', {
    enumerable: true,
    configurable: true,
    get: () => (cached ??= build()),
  });
}

function averagePrice(trades: readonly Trade[]): number {
  let money = 0;
  let energy = 0;
  for (const t of trades) {
    money += t.energyKwh * t.price;
    energy += t.energyKwh;
  }
  return money / energy;
}

/** Per order, in merit order (buys, then sells): energy matched with others and netted with itself. */
function fills(book: Book, buys: Int32Array, sells: Int32Array): OrderFill[] {
  const out: OrderFill[] = new Array(buys.length + sells.length);
  const { ids, matched, netted } = book;
  let k = 0;
  for (let b = 0; b < buys.length; b++) {
    const i = buys[b];
    out[k++] = { id: ids[i], side: 'buy', matchedKwh: matched[i] / WH_PER_KWH, selfNettedKwh: netted[i] / WH_PER_KWH };
  }
  for (let s = 0; s < sells.length; s++) {
    const i = sells[s];
    out[k++] = { id: ids[i], side: 'sell', matchedKwh: matched[i] / WH_PER_KWH, selfNettedKwh: netted[i] / WH_PER_KWH };
  }
  return out;
}

/** What became of one order in a clearing result (zeros when the order did not take part). */
export function fillOf(result: ClearingResult, orderId: string): OrderFill | undefined {
  return result.orders.find((o) => o.id === orderId);
}
