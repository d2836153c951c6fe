/**
 * The order book of one delivery slot as clearing sees it: validated orders with integer watt-hours, sorted
 * once into merit order. Shared by both clearing mechanisms.
 */
import { invalid, invalidMany, type ProblemItem } from '../core/errors.ts';
import type { BookOrder } from './types.ts';

/** Energy is cleared in whole watt-hours so that allocations add up exactly. */
export const WH_PER_KWH = 1000;

/** The largest order (1 TWh): far beyond any community, and small enough that Wh sums stay exact. */
export const MAX_ORDER_KWH = 1e9;

/**
 * The book in columns (typed arrays indexed by the order's position in the input): sorting indices over
 * typed arrays is several times faster than sorting order objects.
 */
export interface Book {
  n: number;
  ids: string[];
  members: string[];
  /** Dense member numbers, for array lookups. */
  member: Int32Array;
  memberCount: number;
  /** 0 = buy, 1 = sell. */
  sell: Uint8Array;
  price: Float64Array;
  time: Float64Array;
  /** Energy still to clear, Wh. */
  wh: Float64Array;
  /** Energy netted against the member's own crossing orders, Wh. */
  netted: Float64Array;
  /** Energy matched with other members, Wh. */
  matched: Float64Array;
}

/** Checks every order, naming the bad fields as `orders[i].field`, and lays the book out in columns. */
export function toBook(orders: readonly BookOrder[], field = 'orders'): Book {
  if (!Array.isArray(orders)) throw invalid(field, 'must be an array of orders');
  const n = orders.length;
  const book: Book = {
    n,
    ids: new Array(n),
    members: new Array(n),
    member: new Int32Array(n),
    memberCount: 0,
    sell: new Uint8Array(n),
    price: new Float64Array(n),
    time: new Float64Array(n),
    wh: new Float64Array(n),
    netted: new Float64Array(n),
    matched: new Float64Array(n),
  };
  const problems: ProblemItem[] = [];
  const seen = new Set<string>();
  const memberIds = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const o = orders[i];
    const idsBefore = seen.size;
    if (!looksValid(o) || (seen.add(o.id), seen.size === idsBefore)) {
      const problem = orderProblem(o, seen, idsBefore === seen.size);
      problems.push({ field: problem.field ? `${field}[${i}].${problem.field}` : `${field}[${i}]`, message: problem.message });
      if (problems.length >= 20) break;
      continue;
    }
    let m = memberIds.get(o.member);
    if (m === undefined) memberIds.set(o.member, (m = memberIds.size));
    book.ids[i] = o.id;
    book.members[i] = o.member;
    book.member[i] = m;
    book.sell[i] = o.side === 'sell' ? 1 : 0;
    book.price[i] = o.limitPrice;
    book.time[i] = o.submittedAt ?? 0;
    book.wh[i] = Math.round(o.energyKwh * WH_PER_KWH);
  }
  if (problems.length === 1) throw invalid(problems[0].field!, problems[0].message);
  if (problems.length > 1) throw invalidMany(problems);
  book.memberCount = memberIds.size;
  return book;
}

/** The fast check every good order passes; a failing order gets a precise message from `orderProblem`. */
function looksValid(o: BookOrder): boolean {
  return (
    o !== null &&
    typeof o === 'object' &&
    typeof o.id === 'string' &&
    o.id !== '' &&
    typeof o.member === 'string' &&
    o.member !== '' &&
    (o.side === 'buy' || o.side === 'sell') &&
    typeof o.energyKwh === 'number' &&
    o.energyKwh >= 0.0005 &&
    o.energyKwh <= MAX_ORDER_KWH &&
    typeof o.limitPrice === 'number' &&
    o.limitPrice - o.limitPrice === 0 &&
    (o.submittedAt === undefined || (typeof o.submittedAt === 'number' && o.submittedAt - o.submittedAt === 0))
  );
}

function orderProblem(o: BookOrder, seen: Set<string>, duplicate: boolean): { field?: string; message: string } {
  if (o === null || typeof o !== 'object') return { message: 'must be an object' };
  if (typeof o.id !== 'string' || o.id === '') return { field: 'id', message: 'must be a non-empty string' };
  if (typeof o.member !== 'string' || o.member === '') return { field: 'member', message: 'must be a non-empty string' };
  if (o.side !== 'buy' && o.side !== 'sell') return { field: 'side', message: `must be "buy" or "sell", not ${JSON.stringify(o.side)}` };
  if (typeof o.energyKwh !== 'number' || !Number.isFinite(o.energyKwh)) return { field: 'energyKwh', message: 'must be a finite number' };
  if (o.energyKwh <= 0) return { field: 'energyKwh', message: `must be positive, not ${o.energyKwh}` };
  if (Math.round(o.energyKwh * WH_PER_KWH) < 1) return { field: 'energyKwh', message: 'must be at least 0.001 kWh (1 Wh)' };
  if (o.energyKwh > MAX_ORDER_KWH) return { field: 'energyKwh', message: `must be at most ${MAX_ORDER_KWH} kWh` };
  if (typeof o.limitPrice !== 'number' || !Number.isFinite(o.limitPrice)) return { field: 'limitPrice', message: 'must be a finite number (currency per kWh)' };
  if (o.submittedAt !== undefined && (typeof o.submittedAt !== 'number' || !Number.isFinite(o.submittedAt))) {
    return { field: 'submittedAt', message: 'must be epoch milliseconds' };
  }
  if (duplicate && seen.has(o.id)) return { field: 'id', message: `"${o.id}" appears more than once` };
  return { message: 'is not a valid order' };
}

/**
 * Both sides in merit order, as order indices: buys highest limit first, sells lowest limit first; ties at one
 * price go to the earlier submission, then to the smaller id (plain string order).
 */
export function meritOrder(book: Book): { buys: Int32Array; sells: Int32Array } {
  let nb = 0;
  for (let i = 0; i < book.n; i++) if (book.sell[i] === 0) nb++;
  const buys = new Int32Array(nb);
  const sells = new Int32Array(book.n - nb);
  let b = 0;
  let s = 0;
  for (let i = 0; i < book.n; i++) {
    if (book.sell[i] === 0) buys[b++] = i;
    else sells[s++] = i;
  }
  return { buys: sortByPrice(book, buys, true), sells: sortByPrice(book, sells, false) };
}

/**
 * Sorts order indices by limit price with a counting sort over the distinct prices (a native numeric sort of
 * the prices, then one pass), and only the runs of equal price by submission time and id.
 */
function sortByPrice(book: Book, idx: Int32Array, descending: boolean): Int32Array {
  const { price, time, ids } = book;
  const n = idx.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = price[idx[k]];
  const distinct = uniqueSorted(keys.slice().sort());
  const u = distinct.length;
  const rank = new Int32Array(n);
  const start = new Int32Array(u + 1);
  for (let k = 0; k < n; k++) {
    const r = rankOf(distinct, keys[k]);
    rank[k] = descending ? u - 1 - r : r;
    start[rank[k] + 1]++;
  }
  for (let r = 0; r < u; r++) start[r + 1] += start[r];
  const out = new Int32Array(n);
  const fill = start.slice(0, u);
  for (let k = 0; k < n; k++) out[fill[rank[k]]++] = idx[k];
  const tie = (x: number, y: number): number => time[x] - time[y] || (ids[x] < ids[y] ? -1 : ids[x] > ids[y] ? 1 : 0);
  for (let r = 0; r < u; r++) if (start[r + 1] - start[r] > 1) out.subarray(start[r], start[r + 1]).sort(tie);
  return out;
}

function uniqueSorted(sorted: Float64Array): Float64Array {
  let u = 0;
  for (let k = 0; k < sorted.length; k++) if (k === 0 || sorted[k] !== sorted[u - 1]) sorted[u++] = sorted[k];
  return sorted.subarray(0, u);
}

function rankOf(distinct: Float64Array, v: number): number {
  let lo = 0;
  let hi = distinct.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (distinct[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Nets each member's crossing orders against each other before the market sees them: a member's buy at 10
 * and sell at 3 in the same slot would trade with itself. The netted energy is the member's own supply (no
 * trade, no money). Afterwards every remaining buy of a member is priced strictly below every remaining sell
 * of that member, so at a uniform price a member is matched on one side at most and no self-trade can arise.
 * Takes both sides in merit order; returns them in merit order without the fully netted orders.
 */
export function netSelfCrossing(book: Book, buys: Int32Array, sells: Int32Array): { buys: Int32Array; sells: Int32Array } {
  const { member, price } = book;
  const members = book.memberCount;
  const bestBuy = new Float64Array(members).fill(-Infinity);
  const bestSell = new Float64Array(members).fill(Infinity);
  for (let k = buys.length - 1; k >= 0; k--) bestBuy[member[buys[k]]] = price[buys[k]];
  for (let k = sells.length - 1; k >= 0; k--) bestSell[member[sells[k]]] = price[sells[k]];
  const crossing = new Uint8Array(members);
  let any = false;
  for (let m = 0; m < members; m++) if (bestBuy[m] >= bestSell[m]) {
      crossing[m] = 1;
      any = true;
    }
  if (!any) return { buys, sells };
  const ownBuys = groupByMember(book, buys, crossing);
  const ownSells = groupByMember(book, sells, crossing);
  for (let m = 0; m < members; m++) if (crossing[m]) netMember(book, ownBuys, ownSells, m);
  return { buys: withEnergyLeft(book, buys), sells: withEnergyLeft(book, sells) };
}

function withEnergyLeft(book: Book, sorted: Int32Array): Int32Array {
  const out = new Int32Array(sorted.length);
  let k = 0;
  for (let j = 0; j < sorted.length; j++) if (book.wh[sorted[j]] > 0) out[k++] = sorted[j];
  return out.subarray(0, k);
}

interface Groups {
  start: Int32Array;
  items: Int32Array;
}

/** The orders of the kept members, grouped by member, each group still in merit order (a counting sort). */
function groupByMember(book: Book, sorted: Int32Array, keep: Uint8Array): Groups {
  const { member } = book;
  const start = new Int32Array(book.memberCount + 1);
  let n = 0;
  for (const i of sorted) if (keep[member[i]]) (start[member[i] + 1]++, n++);
  for (let m = 0; m < book.memberCount; m++) start[m + 1] += start[m];
  const fill = start.slice(0, book.memberCount);
  const items = new Int32Array(n);
  for (const i of sorted) if (keep[member[i]]) items[fill[member[i]]++] = i;
  return { start, items };
}

/** Nets one member's buys (merit order) against its sells (merit order) while they cross. */
function netMember(book: Book, buys: Groups, sells: Groups, m: number): void {
  const { wh, netted, price } = book;
  let i = buys.start[m];
  let j = sells.start[m];
  const iEnd = buys.start[m + 1];
  const jEnd = sells.start[m + 1];
  while (i < iEnd && j < jEnd && price[buys.items[i]] >= price[sells.items[j]]) {
    const b = buys.items[i];
    const s = sells.items[j];
    const q = Math.min(wh[b], wh[s]);
    wh[b] -= q;
    netted[b] += q;
    wh[s] -= q;
    netted[s] += q;
    if (wh[b] === 0) i++;
    if (wh[s] === 0) j++;
  }
}
