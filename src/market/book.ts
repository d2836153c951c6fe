/**
 * The order book of one delivery slot as clearing sees it: validated orders with integer watt-hours, sorted
 * once into merit order. Shared by both clearing mechanisms.
 */
import { invalid, invalidMany, type ProblemItem } from '../core/errors.ts';
import type { BookOrder, Side } from './types.ts';

/** Energy is cleared in whole watt-hours so that allocations add up exactly. */
export const WH_PER_KWH = 1000;

export interface Entry {
  id: string;
  member: string;
  side: Side;
  price: number;
  time: number;
  /** Energy still to clear, Wh. */
  wh: number;
  /** Energy netted against the member's own crossing orders, Wh. */
  nettedWh: number;
  /** Energy matched with other members, Wh. */
  matchedWh: number;
}

/** Checks every order, naming the first bad field as `orders[i].field`, and turns them into book entries. */
export function toEntries(orders: readonly BookOrder[], field = 'orders'): Entry[] {
  if (!Array.isArray(orders)) throw invalid(field, 'must be an array of orders');
  const problems: ProblemItem[] = [];
  const seen = new Set<string>();
  const entries: Entry[] = new Array(orders.length);
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i];
    const at = `${field}[${i}]`;
    const problem = orderProblem(o, at, seen);
    if (problem) {
      problems.push(problem);
      if (problems.length >= 20) break;
      continue;
    }
    seen.add(o.id);
    entries[i] = {
      id: o.id,
      member: o.member,
      side: o.side,
      price: o.limitPrice,
      time: o.submittedAt ?? 0,
      wh: Math.round(o.energyKwh * WH_PER_KWH),
      nettedWh: 0,
      matchedWh: 0,
    };
  }
  if (problems.length === 1) throw invalid(problems[0].field!, problems[0].message);
  if (problems.length > 1) throw invalidMany(problems);
  return entries;
}

function orderProblem(o: BookOrder, at: string, seen: Set<string>): ProblemItem | null {
  const bad = (f: string, msg: string): ProblemItem => ({ field: `${at}.${f}`, message: msg });
  if (o === null || typeof o !== 'object') return { field: at, message: 'must be an object' };
  if (typeof o.id !== 'string' || o.id === '') return bad('id', 'must be a non-empty string');
  if (seen.has(o.id)) return bad('id', `"${o.id}" appears more than once`);
  if (typeof o.member !== 'string' || o.member === '') return bad('member', 'must be a non-empty string');
  if (o.side !== 'buy' && o.side !== 'sell') return bad('side', `must be "buy" or "sell", not ${JSON.stringify(o.side)}`);
  if (typeof o.energyKwh !== 'number' || !Number.isFinite(o.energyKwh)) return bad('energyKwh', 'must be a finite number');
  if (o.energyKwh <= 0) return bad('energyKwh', `must be positive, not ${o.energyKwh}`);
  if (Math.round(o.energyKwh * WH_PER_KWH) < 1) return bad('energyKwh', 'must be at least 0.001 kWh (1 Wh)');
  if (typeof o.limitPrice !== 'number' || !Number.isFinite(o.limitPrice)) return bad('limitPrice', 'must be a finite number (currency per kWh)');
  if (o.submittedAt !== undefined && (typeof o.submittedAt !== 'number' || !Number.isFinite(o.submittedAt))) {
    return bad('submittedAt', 'must be epoch milliseconds');
  }
  return null;
}

/** Ties at one price go to the earlier submission, then to the smaller id (plain string order). */
function byTimeThenId(a: Entry, b: Entry): number {
  if (a.time !== b.time) return a.time - b.time;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Buys in merit order: highest limit first. */
export function buyMerit(a: Entry, b: Entry): number {
  return a.price !== b.price ? b.price - a.price : byTimeThenId(a, b);
}

/** Sells in merit order: lowest limit first. */
export function sellMerit(a: Entry, b: Entry): number {
  return a.price !== b.price ? a.price - b.price : byTimeThenId(a, b);
}

/**
 * Nets each member's crossing orders against each other before the market sees them: a member's buy at 10
 * and sell at 3 in the same slot would trade with itself. The netted energy is the member's own supply (no
 * trade, no money). Afterwards every remaining buy of a member is priced strictly below every remaining sell
 * of that member, so at a uniform price a member is matched on one side at most and no self-trade can arise.
 */
export function netSelfCrossing(entries: readonly Entry[]): void {
  const sides = new Map<string, number>();
  for (const e of entries) sides.set(e.member, (sides.get(e.member) ?? 0) | (e.side === 'buy' ? 1 : 2));
  const both = new Map<string, Entry[]>();
  for (const e of entries) {
    if (sides.get(e.member) !== 3) continue;
    let list = both.get(e.member);
    if (!list) both.set(e.member, (list = []));
    list.push(e);
  }
  for (const list of both.values()) netMember(list);
}

function netMember(list: Entry[]): void {
  const buys = list.filter((e) => e.side === 'buy').sort(buyMerit);
  const sells = list.filter((e) => e.side === 'sell').sort(sellMerit);
  let i = 0;
  let j = 0;
  while (i < buys.length && j < sells.length && buys[i].price >= sells[j].price) {
    const q = Math.min(buys[i].wh, sells[j].wh);
    buys[i].wh -= q;
    buys[i].nettedWh += q;
    sells[j].wh -= q;
    sells[j].nettedWh += q;
    if (buys[i].wh === 0) i++;
    if (sells[j].wh === 0) j++;
  }
}

/** Splits the book into buys and sells with energy left to clear, each in merit order. */
export function meritOrder(entries: readonly Entry[]): { buys: Entry[]; sells: Entry[] } {
  const buys: Entry[] = [];
  const sells: Entry[] = [];
  for (const e of entries) if (e.wh > 0) (e.side === 'buy' ? buys : sells).push(e);
  buys.sort(buyMerit);
  sells.sort(sellMerit);
  return { buys, sells };
}
