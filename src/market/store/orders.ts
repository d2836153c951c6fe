/**
 * Orders in the store. Every write of an order appends its ledger entry in the same transaction: an order
 * that is stored is on the ledger, and a refused range writes nothing.
 */
import { invalid, notFound } from '../../core/errors.ts';
import { formatInstant } from '../../core/time.ts';
import { appendEntries, orderItem, type LedgerEntry } from '../../ledger/index.ts';
import type { Id, Store } from '../../store/types.ts';
import { applyOrderEvent, checkGate, draftOrders, openOrder, type OrderDraft, type OrderInput } from '../orders.ts';
import type { Order, OrderEvent, OrderStatus } from '../types.ts';
import { appendLedger, lockMarket } from './ledger.ts';
import { rememberMarket, toMarket, type Market } from './markets.ts';
import { preparedQuery } from './sql.ts';

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
 * Orders arriving together are written together: while one write of a market's orders runs, the next
 * requests queue and go in the following one. When a batch fails, its requests are retried one by one, so
 * one refused request never takes others with it.
 *
 * A batch is one statement (`WRITE_ORDERS`): it inserts the orders and their ledger entries and moves the
 * ledger head in the market row, but only if the row still has the head this process last wrote (and the
 * gate lead the orders were checked against), every site is a member and no slot has been cleared; otherwise
 * it writes nothing. The entries' hashes are computed here from that head, so this compare-and-set on the
 * head keeps the chain unbroken whoever else appends. When it writes nothing (another writer moved the head,
 * the settings changed, a request is refused) or the head is not known yet, the batch is written under the
 * market row lock instead (`writeLocked`), where each request is checked against the fresh row.
 */
interface Pending { drafts: OrderDraft[]; now: number; gateLeadMs: number; resolve(orders: Order[]): void; reject(e: unknown): void }
interface Queue { items: Pending[]; busy: boolean }
/** What this process knows of a market row since its last write of orders. */
interface Known { head: { sequence: number; hash: string } | null; gateLeadMs: number }
const queues = new WeakMap<Store, Map<Id, Queue>>();
const known = new WeakMap<Store, Map<Id, Known>>();
const BATCH_ORDERS = 2000;

function enqueue(store: Store, market: Market, drafts: OrderDraft[], now: number): Promise<Order[]> {
  let byMarket = queues.get(store);
  if (!byMarket) queues.set(store, (byMarket = new Map()));
  let q = byMarket.get(market.dbId);
  if (!q) byMarket.set(market.dbId, (q = { items: [], busy: false }));
  const queue = q;
  return new Promise<Order[]>((resolve, reject) => {
    queue.items.push({ drafts, now, gateLeadMs: market.gateClosureLeadMs, resolve, reject });
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
      // Let requests already received join first: PGlite works on the event loop's own thread, so without
      // this turn every write would take only the request that started it.
      await new Promise((resolve) => setImmediate(resolve));
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

/** Order ids are taken from the table's sequence in blocks, so a batch knows them before it hashes its entries. */
const ID_BLOCK = 500;
const idPools = new WeakMap<Store, number[]>();

async function orderIds(store: Store, n: number): Promise<number[]> {
  let pool = idPools.get(store);
  if (!pool) idPools.set(store, (pool = []));
  if (pool.length < n) {
    const rows = await preparedQuery<Row>(store, "SELECT nextval(pg_get_serial_sequence('market_orders', 'id')) AS id FROM generate_series(1, $1::int)", [Math.max(n - pool.length, ID_BLOCK)]);
    for (const r of rows) pool.push(Number(r.id));
  }
  return pool.splice(0, n);
}

/**
 * Inserts orders ($6, a JSON array) and their ledger entries ($7, a JSON array) and moves the head to ($2, $3),
 * if the market row still has head $4 and gate lead $5, every order's site is a member and no order's slot has
 * a clearing. Returns `written` 1, or 0 when it wrote nothing. (JSON costs the client one native stringify,
 * where array parameters are escaped element by element.)
 */
const WRITE_ORDERS = `WITH x AS (
  SELECT * FROM json_to_recordset($6::json) AS x(id bigint, site int, side text, energy float8, price float8, slot bigint, at bigint, history jsonb)
), head AS (
  UPDATE markets SET ledger_head_sequence = $2, ledger_head_hash = $3
  WHERE id = $1 AND ledger_head_hash IS NOT DISTINCT FROM $4::text AND gate_closure_ms = $5
    AND NOT EXISTS (SELECT 1 FROM x WHERE NOT EXISTS (SELECT 1 FROM market_members mm WHERE mm.market_id = $1 AND mm.site_id = x.site))
    AND NOT EXISTS (SELECT 1 FROM market_clearings c WHERE c.market_id = $1 AND c.slot_start IN (SELECT x.slot FROM x))
  RETURNING id
), orders AS (
  INSERT INTO market_orders (id, market_id, site_id, side, energy_kwh, limit_price, slot_start, submitted_at, status, history)
  SELECT x.id, head.id, x.site, x.side, x.energy, x.price, x.slot, x.at, 'open', x.history FROM head, x
), entries AS (
  INSERT INTO market_ledger (market_id, sequence, time, type, payload, prev_hash, hash)
  SELECT head.id, e.sequence, e.time, e.type, e.payload, e.prev, e.hash
  FROM head, json_to_recordset($7::json) AS e(sequence bigint, time text, type text, payload text, prev text, hash text)
)
SELECT count(*)::int AS written FROM head`;

/** Runs WRITE_ORDERS for orders (with their ids) after `head`; returns the new head, or null when nothing was written. */
async function writeOrders(db: Store, marketId: Id, head: Known['head'], gateLeadMs: number, orders: readonly Order[]): Promise<Known['head']> {
  const key = String(marketId);
  const prev: LedgerEntry | null = head ? { marketId: key, sequence: head.sequence, hash: head.hash, time: '', type: '', payload: null, prevHash: '' } : null;
  const entries = appendEntries(key, prev, orders.map((o) => orderItem(o, o.submittedAt)));
  const last = entries[entries.length - 1];
  const rows = await preparedQuery<Row>(db, WRITE_ORDERS, [
    marketId, last.sequence, last.hash, head?.hash ?? null, gateLeadMs,
    JSON.stringify(orders.map((o) => ({ id: Number(o.id), site: Number(o.member), side: o.side, energy: o.energyKwh, price: o.limitPrice, slot: o.slotStart, at: o.submittedAt, history: o.history }))),
    JSON.stringify(entries.map((e) => ({ sequence: e.sequence, time: e.time, type: e.type, payload: JSON.stringify(e.payload), prev: e.prevHash, hash: e.hash }))),
  ]);
  return Number(rows[0]?.written) === 1 ? { sequence: last.sequence, hash: last.hash } : null;
}

/** Writes a batch: one statement when this process knows the head, else under the market lock; refused requests get their Error. */
async function writeBatch(store: Store, market: Market, batch: Pending[]): Promise<(Order[] | Error)[]> {
  const count = batch.reduce((n, p) => n + p.drafts.length, 0);
  const ids = await orderIds(store, count);
  let at = 0;
  const opened = batch.map((p) => p.drafts.map((d) => openOrder(d, String(ids[at++]), market.id, p.now)));
  let byMarket = known.get(store);
  if (!byMarket) known.set(store, (byMarket = new Map()));
  const k = byMarket.get(market.dbId);
  if (k && batch.every((p) => p.gateLeadMs === k.gateLeadMs && p.drafts.every((d) => isSiteId(Number(d.member))))) {
    byMarket.delete(market.dbId);
    const head = await writeOrders(store, market.dbId, k.head, k.gateLeadMs, opened.flat());
    if (head) {
      byMarket.set(market.dbId, { head, gateLeadMs: k.gateLeadMs });
      return opened;
    }
  }
  return writeLocked(store, market, batch, opened);
}

/**
 * Under the market row lock (one statement reads the row, which of the sites are members and which of the
 * slots are cleared): refuses the requests of sites that are not members, for cleared slots, or whose gate has
 * closed under the market's current gate lead; writes the others.
 */
async function writeLocked(store: Store, market: Market, batch: Pending[], opened: Order[][]): Promise<(Order[] | Error)[]> {
  const sites = [...new Set(batch.flatMap((p) => p.drafts.map((d) => Number(d.member))).filter(isSiteId))];
  const slots = [...new Set(batch.flatMap((p) => p.drafts.map((d) => d.slotStart)))];
  const { results, head, fresh } = await store.transaction(async (tx) => {
    const rows = await preparedQuery<Row>(tx, LOCK_FOR_ORDERS, [market.dbId, sites, slots]);
    if (!rows[0]) throw notFound(`market ${market.dbId}`);
    const fresh = toMarket(rows[0]);
    const members = new Set((rows[0].members as unknown[]).map(String));
    const cleared = new Set((rows[0].cleared as unknown[]).map(Number));
    const results: (Order[] | Error)[] = [];
    for (const [k, p] of batch.entries()) {
      const outsider = p.drafts.find((d) => !members.has(d.member));
      const field = p.drafts.length > 1 ? 'slots' : 'slot';
      const done = p.drafts.find((d) => cleared.has(d.slotStart));
      if (outsider) results.push(await notAMember(tx, market, outsider.member));
      else if (done) results.push(invalid(field, `the slot at ${formatInstant(done.slotStart)} has already been cleared`));
      else results.push(gateStillOpen(fresh, p, field) ?? opened[k]);
    }
    const accepted = results.filter((r): r is Order[] => !(r instanceof Error)).flat();
    if (accepted.length === 0) return { results, head: fresh.ledgerHead, fresh };
    const head = await writeOrders(tx, market.dbId, fresh.ledgerHead, fresh.gateClosureLeadMs, accepted);
    if (!head) throw new Error(`market ${market.dbId}: the orders were not written under the market lock`);
    return { results, head, fresh };
  });
  rememberMarket(store, { ...fresh, ledgerHead: head });
  known.get(store)?.set(market.dbId, { head, gateLeadMs: fresh.gateClosureLeadMs });
  return results;
}

const isSiteId = (n: number) => Number.isInteger(n) && n > 0 && n < 2 ** 31;

const LOCK_FOR_ORDERS = `SELECT m.*,
  ARRAY(SELECT mm.site_id FROM market_members mm WHERE mm.market_id = m.id AND mm.site_id = ANY($2::int[])) AS members,
  ARRAY(SELECT c.slot_start FROM market_clearings c WHERE c.market_id = m.id AND c.slot_start = ANY($3::bigint[])) AS cleared
FROM markets m WHERE m.id = $1 FOR UPDATE OF m`;

/** A request checked against an older gate lead is checked again against the market's current one. */
function gateStillOpen(market: Market, p: Pending, field: string): Error | null {
  if (p.gateLeadMs === market.gateClosureLeadMs) return null;
  try {
    for (const d of p.drafts) checkGate(market, d.slotStart, p.now, field);
    return null;
  } catch (e) {
    return e as Error;
  }
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
    const head = await lockMarket(tx, market.dbId);
    const rows = await tx.query<Row>('SELECT * FROM market_orders WHERE id = $1 AND market_id = $2', [orderId, market.dbId]);
    if (!rows[0]) throw notFound(`order ${orderId} in market ${market.dbId}`);
    const next = applyOrderEvent(toOrder(rows[0]), event, market, now);
    await saveOrders(tx, [next]);
    await appendLedger(tx, market.dbId, [orderItem(next, now)], { head });
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
