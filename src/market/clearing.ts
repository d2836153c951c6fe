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
 * is left pro rata to their energy, in whole Wh, the leftover Wh going by largest remainder, then by earlier
 * submission, then by id. Both mechanisms allocate the same way, so they trade the same volume; they differ
 * only in the price of each trade (pay-as-bid: the buyer's limit).
 */
import { invalid } from '../core/errors.ts';
import { meritOrder, netSelfCrossing, toEntries, WH_PER_KWH, type Entry } from './book.ts';
import { MECHANISMS, type BookOrder, type ClearingResult, type Mechanism, type Trade } from './types.ts';

interface Margin {
  volumeWh: number;
  low: number;
  high: number;
}

/** Walks both merit orders once and returns the largest tradable volume and its price interval. */
export function findMargin(buys: readonly Entry[], sells: readonly Entry[]): Margin | null {
  let i = 0;
  let j = 0;
  let rb = buys.length ? buys[0].wh : 0;
  let rs = sells.length ? sells[0].wh : 0;
  let volumeWh = 0;
  let lastBuy = NaN;
  let lastSell = NaN;
  while (i < buys.length && j < sells.length && buys[i].price >= sells[j].price) {
    const q = Math.min(rb, rs);
    volumeWh += q;
    lastBuy = buys[i].price;
    lastSell = sells[j].price;
    rb -= q;
    rs -= q;
    if (rb === 0 && ++i < buys.length) rb = buys[i].wh;
    if (rs === 0 && ++j < sells.length) rs = sells[j].wh;
  }
  if (volumeWh === 0) return null;
  const nextBuy = i < buys.length ? buys[i].price : -Infinity;
  const nextSell = j < sells.length ? sells[j].price : Infinity;
  return { volumeWh, low: Math.max(lastSell, nextBuy), high: Math.min(lastBuy, nextSell) };
}

/**
 * Fills one side (in merit order) at uniform price p: orders strictly better than p in full, those whose
 * limit equals p pro rata.
 */
export function allocateSide(sorted: readonly Entry[], volumeWh: number, p: number): void {
  let left = volumeWh;
  let k = 0;
  while (k < sorted.length && sorted[k].price !== p && left > 0) {
    const q = Math.min(sorted[k].wh, left);
    sorted[k].matchedWh = q;
    left -= q;
    k++;
  }
  if (left === 0) return;
  const margin: Entry[] = [];
  while (k < sorted.length && sorted[k].price === p) margin.push(sorted[k++]);
  shareProRata(margin, left);
}

/** Shares `wh` among `group` in proportion to their energy; whole Wh, leftovers by largest remainder. */
export function shareProRata(group: readonly Entry[], wh: number): void {
  let total = 0;
  for (const e of group) total += e.wh;
  if (wh > total) throw new Error(`internal: cannot share ${wh} Wh among ${total} Wh`);
  const rema: { e: Entry; rem: number; pos: number }[] = [];
  let given = 0;
  group.forEach((e, pos) => {
    const exact = (wh * e.wh) / total;
    const q = Math.min(e.wh, Math.floor(exact));
    e.matchedWh = q;
    given += q;
    rema.push({ e, rem: exact - q, pos });
  });
  rema.sort((a, b) => b.rem - a.rem || a.pos - b.pos);
  let left = wh - given;
  while (left > 0) {
    for (const r of rema) {
      if (left === 0) break;
      if (r.e.matchedWh < r.e.wh) {
        r.e.matchedWh++;
        left--;
      }
    }
  }
}

/** Pairs matched buys with matched sells in merit order; each pair becomes one trade. */
function pairTrades(buys: readonly Entry[], sells: readonly Entry[], priceOf: (buy: Entry, sell: Entry) => number): Trade[] {
  const trades: Trade[] = [];
  let i = 0;
  let j = 0;
  let rb = 0;
  let rs = 0;
  const nextBuy = (): void => {
    while (i < buys.length && buys[i].matchedWh === 0) i++;
    rb = i < buys.length ? buys[i].matchedWh : 0;
  };
  const nextSell = (): void => {
    while (j < sells.length && sells[j].matchedWh === 0) j++;
    rs = j < sells.length ? sells[j].matchedWh : 0;
  };
  nextBuy();
  nextSell();
  while (rb > 0 && rs > 0) {
    const q = Math.min(rb, rs);
    const b = buys[i];
    const s = sells[j];
    if (b.member === s.member) throw new Error(`internal: self-trade of member ${b.member}`);
    trades.push({ buyOrder: b.id, sellOrder: s.id, buyer: b.member, seller: s.member, energyKwh: q / WH_PER_KWH, price: priceOf(b, s) });
    rb -= q;
    rs -= q;
    if (rb === 0) {
      i++;
      nextBuy();
    }
    if (rs === 0) {
      j++;
      nextSell();
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
  const entries = toEntries(orders);
  netSelfCrossing(entries);
  const { buys, sells } = meritOrder(entries);
  const margin = findMargin(buys, sells);
  let trades: Trade[] = [];
  let price: number | null = null;
  if (margin) {
    const p = (margin.low + margin.high) / 2;
    allocateSide(buys, margin.volumeWh, p);
    allocateSide(sells, margin.volumeWh, p);
    trades = pairTrades(buys, sells, mechanism === 'pay-as-clear' ? () => p : (b) => b.price);
    price = mechanism === 'pay-as-clear' ? p : averagePrice(trades);
  }
  return {
    mechanism,
    price,
    volumeKwh: (margin?.volumeWh ?? 0) / WH_PER_KWH,
    priceInterval: margin ? { low: margin.low, high: margin.high } : null,
    trades,
    ...perOrder(entries, buys, sells),
  };
}

function byId(a: Entry, b: Entry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
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

/** Per-order matched and self-netted energy, keyed in a fixed order (buys, then sells, by merit). */
function perOrder(entries: readonly Entry[], buys: readonly Entry[], sells: readonly Entry[]): Pick<ClearingResult, 'matchedKwh' | 'selfNettedKwh'> {
  const matchedKwh: Record<string, number> = {};
  const selfNettedKwh: Record<string, number> = {};
  for (const e of [...buys, ...sells]) matchedKwh[e.id] = e.matchedWh / WH_PER_KWH;
  const rest = entries.filter((e) => e.wh === 0).sort(byId);
  for (const e of rest) matchedKwh[e.id] = 0;
  for (const e of entries.filter((x) => x.nettedWh > 0).sort(byId)) selfNettedKwh[e.id] = e.nettedWh / WH_PER_KWH;
  return { matchedKwh, selfNettedKwh };
}
