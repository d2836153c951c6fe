/**
 * Orders in the store. Every write of an order appends its ledger entry in the same transaction: an order
 * that is stored is on the ledger, and a refused range writes nothing.
 */
import { invalid, notFound } from '../../core/errors.ts';
import { formatInstant } from '../../core/time.ts';
import { orderItem } from '../../ledger/index.ts';
import type { Id, Store } from '../../store/types.ts';
import { applyOrderEvent, draftOrders, gateClosure, openOrder, type OrderDraft, type OrderInput } from '../orders.ts';
import type { Order, OrderEvent, OrderStatus } from '../types.ts';
import { appendLedger, lockMarket } from './ledger.ts';
import type { Market } from './markets.ts';

type Row = Record<string, unknown>;

export function toOrder(r: Row): Order {
  return {
    id: String(r.id), marketId: String(r.market_id), member: String(r.site_id), side: r.side as Order['side'],
    energyKwh: Number(r.energy_kwh), limitPrice: Number(r.limit_price), slotStart: Number(r.slot_start),
    submittedAt: Number(r.submitted_at), status: r.status as OrderStatus, matchedKwh: Number(r.matched_kwh),
    history: typeof r.history === 'string' ? JSON.parse(r.history) : (r.history as Order['history']),
  };
}

export function orderOut(o: Order) {
  return {
    id: Number(o.id), marketId: Number(o.marketId), siteId: Number(o.member), side: o.side, energyKwh: o.energyKwh, limitPrice: o.limitPrice,
    slot: formatInstant(o.slotStart), submittedAt: formatInstant(o.submittedAt), status: o.status, matchedKwh: o.matchedKwh,
    history: o.history.map((h) => ({ ...h, at: formatInstant(h.at) })),
  };
}

/**
 * An order checked just before its gate may reach the store after the slot was cleared (the clearing holds
 * the market lock meanwhile); refuse it then. Only slots whose gate is less than a minute away are looked up.
 */
async function refuseClearedSlots(tx: Store, market: Market, slots: number[], now: number): Promise<void> {
  const near = slots.filter((s) => gateClosure(market, s) - now < 60_000);
  if (near.length === 0) return;
  const rows = await tx.query<Row>('SELECT slot_start FROM market_clearings WHERE market_id = $1 AND slot_start = ANY($2::bigint[])', [market.dbId, near]);
  if (rows.length > 0) throw invalid(slots.length > 1 ? 'slots' : 'slot', `the slot at ${formatInstant(Number(rows[0].slot_start))} has already been cleared`);
}

/** The refusal for an order of a site that is not a member: 404 for a site outside the market's account, else 400. */
async function notAMember(store: Store, market: Market, member: string): Promise<Error> {
  const id = Number(member);
  const own = Number.isInteger(id) && id > 0 ? await store.sites.get({ accountId: market.accountIdNum }, id) : null;
  return own ? invalid('member', `site ${member} is not a member of market ${market.dbId}`) : notFound(`site ${member}`);
}

/**
 * Checks and stores an order (one slot or a range) with its ledger entries; all or nothing. Membership is
 * checked in the writing transaction, under the market lock.
 */
export async function createOrders(store: Store, market: Market, input: OrderInput, now: number): Promise<Order[]> {
  const drafts = draftOrders(input, market, now);
  return enqueue(store, market, drafts, now);
}

/**
 * Stores drafts a bidding agent planned for a member, after checking each as if the member had sent it
 * (member, energy, price, slot grid, gate); all or nothing.
 */
export async function createPlannedOrders(store: Store, market: Market, drafts: readonly OrderDraft[], now: number): Promise<Order[]> {
  if (drafts.length === 0) return [];
  const checked = drafts.flatMap((d) => draftOrders({ member: d.member, side: d.side, energyKwh: d.energyKwh, limitPrice: d.limitPrice, slot: formatInstant(d.slotStart) }, market, now));
  return enqueue(store, market, checked, now);
}

/**
 * Orders arriving together are written together: while one transaction of a market's orders runs, the next
 * requests queue and go in the following one (one lock, one multi-row insert, one ledger append). When a
 * batch fails, its requests are retried one by one, so one refused request never takes others with it.
 */
interface Pending { drafts: OrderDraft[]; now: number; resolve(orders: Order[]): void; reject(e: unknown): void }
interface Queue { items: Pending[]; busy: boolean }
const queues = new WeakMap<Store, Map<Id, Queue>>();
const BATCH_ORDERS = 2000;

function enqueue(store: Store, market: Market, drafts: OrderDraft[], now: number): Promise<Order[]> {
  let byMarket = queues.get(store);
  if (!byMarket) queues.set(store, (byMarket = new Map()));
  let q = byMarket.get(market.dbId);
  if (!q) byMarket.set(market.dbId, (q = { items: [], busy: false }));
  const queue = q;
  return new Promise<Order[]>((resolve, reject) => {
    queue.items.push({ drafts, now, resolve, reject });
    if (!queue.busy) void drain(store, market, queue);
  });
}

function takeBatch(items: Pending[]): Pending[] {
  let n = 0;
  let count = 0;
  while (n < items.length && (n === 0 || count + items[n].drafts.length <= BATCH_ORDERS)) count += items[n++].drafts.length;
  return items.splice(0, n);
}

function settle(p: Pending, r: Order[] | Error): void {
  if (r instanceof Error) p.reject(r);
  else p.resolve(r);
}

async function drain(store: Store, market: Market, q: Queue): Promise<void> {
  q.busy = true;
  try {
    while (q.items.length > 0) {
      const batch = takeBatch(q.items);
      try {
        const results = await writeBatch(store, market, batch);
        batch.forEach((p, k) => settle(p, results[k]));
      } catch (e) {
        if (batch.length === 1) batch[0].reject(e);
        else for (const p of batch) await writeBatch(store, market, [p]).then(([r]) => settle(p, r), p.reject);
      }
    }
  } finally {
    q.busy = false;
  }
}

/** Writes a batch in one transaction; requests of sites that are not members are refused alone (as Errors). */
async function writeBatch(store: Store, market: Market, batch: Pending[]): Promise<(Order[] | Error)[]> {
  return store.transaction(async (tx) => {
    await lockMarket(tx, market.dbId);
    const sites = [...new Set(batch.flatMap((p) => p.drafts.map((d) => Number(d.member))).filter((n) => Number.isInteger(n) && n > 0))];
    const members = new Set((await tx.query<Row>('SELECT site_id FROM market_members WHERE market_id = $1 AND site_id = ANY($2::int[])', [market.dbId, sites])).map((r) => String(r.site_id)));
    const refused = new Map<Pending, Error>();
    for (const p of batch) {
      const outsider = p.drafts.find((d) => !members.has(d.member));
      if (outsider) refused.set(p, await notAMember(tx, market, outsider.member));
      else await refuseClearedSlots(tx, market, p.drafts.map((d) => d.slotStart), p.now);
    }
    const accepted = batch.filter((p) => !refused.has(p));
    const opened = accepted.flatMap((p) => p.drafts.map((d) => openOrder(d, '', market.id, p.now)));
    const stored = await insertOrders(tx, market, opened);
    await appendLedger(tx, market.dbId, stored.map((o) => orderItem(o, o.submittedAt)));
    let at = 0;
    const byPending = new Map(accepted.map((p) => [p, stored.slice(at, (at += p.drafts.length))]));
    return batch.map((p) => refused.get(p) ?? byPending.get(p)!);
  });
}

async function insertOrders(tx: Store, market: Market, opened: Order[]): Promise<Order[]> {
  const orders: Order[] = [];
  const CHUNK = 500;
  for (let i = 0; i < opened.length; i += CHUNK) {
    const part = opened.slice(i, i + CHUNK);
    const params: unknown[] = [];
    const values = part.map((o) => {
      params.push(market.dbId, Number(o.member), o.side, o.energyKwh, o.limitPrice, o.slotStart, o.submittedAt, o.status, JSON.stringify(o.history));
      const b = params.length - 9;
      return `(${Array.from({ length: 9 }, (_, k) => `$${b + k + 1}`).join(', ')})`;
    });
    const rows = await tx.query<Row>(
      `INSERT INTO market_orders (market_id, site_id, side, energy_kwh, limit_price, slot_start, submitted_at, status, history) VALUES ${values.join(', ')} RETURNING id`,
      params,
    );
    rows.forEach((r, k) => orders.push({ ...part[k], id: String(r.id) }));
  }
  return orders;
}

export async function getOrder(store: Store, market: Market, orderId: Id): Promise<Order> {
  const rows = await store.query<Row>('SELECT * FROM market_orders WHERE id = $1 AND market_id = $2', [orderId, market.dbId]);
  if (!rows[0]) throw notFound(`order ${orderId} in market ${market.dbId}`);
  return toOrder(rows[0]);
}

/** Writes orders after lifecycle events (inside a transaction the caller holds). */
export async function saveOrders(tx: Store, orders: readonly Order[]): Promise<void> {
  for (const o of orders) {
    await tx.query('UPDATE market_orders SET energy_kwh = $2, limit_price = $3, status = $4, matched_kwh = $5, history = $6 WHERE id = $1', [
      Number(o.id), o.energyKwh, o.limitPrice, o.status, o.matchedKwh, JSON.stringify(o.history),
    ]);
  }
}

/** Changes or cancels an order (until its gate), recorded on the ledger. */
export async function applyToOrder(store: Store, market: Market, orderId: Id, event: Extract<OrderEvent, { type: 'change' | 'cancel' }>, now: number): Promise<Order> {
  if (event.type === 'change' && event.energyKwh === undefined && event.limitPrice === undefined) throw invalid('energyKwh', 'give energyKwh or limitPrice to change');
  return store.transaction(async (tx) => {
    await lockMarket(tx, market.dbId);
    const rows = await tx.query<Row>('SELECT * FROM market_orders WHERE id = $1 AND market_id = $2', [orderId, market.dbId]);
    if (!rows[0]) throw notFound(`order ${orderId} in market ${market.dbId}`);
    const next = applyOrderEvent(toOrder(rows[0]), event, market, now);
    await saveOrders(tx, [next]);
    await appendLedger(tx, market.dbId, [orderItem(next, now)]);
    return next;
  });
}

export interface OrderFilter { from?: number; to?: number; status?: OrderStatus; siteId?: Id; limit?: number }

export async function listOrders(store: Store, marketId: Id, f: OrderFilter = {}): Promise<Order[]> {
  const params: unknown[] = [marketId];
  const where = ['market_id = $1'];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (f.from !== undefined) add('slot_start >= ?', f.from);
  if (f.to !== undefined) add('slot_start < ?', f.to);
  if (f.status !== undefined) add('status = ?', f.status);
  if (f.siteId !== undefined) add('site_id = ?', f.siteId);
  params.push(f.limit ?? 10_000);
  const rows = await store.query<Row>(`SELECT * FROM market_orders WHERE ${where.join(' AND ')} ORDER BY slot_start, id LIMIT $${params.length}`, params);
  return rows.map(toOrder);
}
