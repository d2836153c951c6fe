/**
 * Clearing at gate closure in the store: the slot's open orders are closed and cleared, the orders, the
 * clearing result, its trades and their ledger entries are written in one transaction. The market row is
 * locked first and a slot that already has a clearing is left alone, so two workers clear a slot once.
 */
import { formatInstant } from '../../core/time.ts';
import { clearingItem, orderItem } from '../../ledger/index.ts';
import type { Id, Store } from '../../store/types.ts';
import { closeAndClearSlot } from '../gate.ts';
import type { Trade } from '../types.ts';
import { appendLedger, lockMarket } from './ledger.ts';
import { toMarket, type Market } from './markets.ts';
import { saveOrders, toOrder } from './orders.ts';

type Row = Record<string, unknown>;

export interface StoredClearing {
  marketId: Id;
  slotStart: number;
  mechanism: string;
  price: number | null;
  volumeKwh: number;
  priceInterval: { low: number; high: number } | null;
  orders: number;
  clearedAt: number;
}

export interface StoredTrade extends Trade { slotStart: number }

const toClearing = (r: Row): StoredClearing => ({
  marketId: Number(r.market_id), slotStart: Number(r.slot_start), mechanism: String(r.mechanism),
  price: r.price === null ? null : Number(r.price), volumeKwh: Number(r.volume_kwh),
  priceInterval: r.price_low === null ? null : { low: Number(r.price_low), high: Number(r.price_high) },
  orders: Number(r.orders), clearedAt: Number(r.cleared_at),
});

export const clearingOut = (c: StoredClearing) => ({
  slot: formatInstant(c.slotStart), mechanism: c.mechanism, price: c.price, volumeKwh: c.volumeKwh, priceInterval: c.priceInterval,
  orders: c.orders, clearedAt: formatInstant(c.clearedAt),
});

const toTrade = (r: Row): StoredTrade => ({
  slotStart: Number(r.slot_start), buyOrder: String(r.buy_order), sellOrder: String(r.sell_order), buyer: String(r.buyer),
  seller: String(r.seller), energyKwh: Number(r.energy_kwh), price: Number(r.price),
});

export const tradeOut = (t: StoredTrade) => ({
  slot: formatInstant(t.slotStart), buyOrder: Number(t.buyOrder), sellOrder: Number(t.sellOrder), buyer: Number(t.buyer), seller: Number(t.seller),
  energyKwh: t.energyKwh, price: t.price,
});

/** Slots whose gate has closed and that still have open orders, oldest first. */
export async function dueClearings(store: Store, now: number): Promise<{ marketId: Id; slotStart: number }[]> {
  const rows = await store.query<Row>(
    `SELECT DISTINCT o.market_id, o.slot_start FROM market_orders o JOIN markets m ON m.id = o.market_id
     WHERE o.status = 'open' AND o.slot_start - m.gate_closure_ms <= $1 ORDER BY o.slot_start, o.market_id`,
    [now],
  );
  return rows.map((r) => ({ marketId: Number(r.market_id), slotStart: Number(r.slot_start) }));
}

async function insertTrades(tx: Store, marketId: Id, slotStart: number, trades: readonly Trade[]): Promise<void> {
  const CHUNK = 500;
  for (let i = 0; i < trades.length; i += CHUNK) {
    const params: unknown[] = [];
    const values = trades.slice(i, i + CHUNK).map((t, k) => {
      params.push(marketId, slotStart, i + k, Number(t.buyOrder), Number(t.sellOrder), Number(t.buyer), Number(t.seller), t.energyKwh, t.price);
      const b = params.length - 9;
      return `(${Array.from({ length: 9 }, (_, j) => `$${b + j + 1}`).join(', ')})`;
    });
    await tx.query(`INSERT INTO market_trades (market_id, slot_start, seq, buy_order, sell_order, buyer, seller, energy_kwh, price) VALUES ${values.join(', ')}`, params);
  }
}

/**
 * Clears one slot of one market, once. Returns the clearing, or null when the slot was already cleared (by
 * this or another worker) or its market is gone.
 */
export async function clearSlotOnce(store: Store, marketId: Id, slotStart: number, now: number): Promise<StoredClearing | null> {
  return store.transaction(async (tx) => {
    const marketRows = await tx.query<Row>('SELECT * FROM markets WHERE id = $1', [marketId]);
    if (!marketRows[0]) return null;
    const head = await lockMarket(tx, marketId);
    const market: Market = toMarket(marketRows[0]);
    const done = await tx.query('SELECT 1 FROM market_clearings WHERE market_id = $1 AND slot_start = $2', [marketId, slotStart]);
    if (done.length > 0) return null;
    const orders = (await tx.query<Row>("SELECT * FROM market_orders WHERE market_id = $1 AND slot_start = $2 AND status = 'open'", [marketId, slotStart])).map(toOrder);
    const step = closeAndClearSlot(market, slotStart, orders, now);
    const r = step.result;
    await saveOrders(tx, step.orders);
    await tx.query(
      'INSERT INTO market_clearings (market_id, slot_start, mechanism, price, volume_kwh, price_low, price_high, orders, cleared_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [marketId, slotStart, r.mechanism, r.price, r.volumeKwh, r.priceInterval?.low ?? null, r.priceInterval?.high ?? null, step.orders.length, now],
    );
    await insertTrades(tx, marketId, slotStart, r.trades);
    await appendLedger(tx, marketId, [...step.orders.map((o) => orderItem(o, now)), clearingItem(slotStart, r, now)], { head });
    return { marketId, slotStart, mechanism: r.mechanism, price: r.price, volumeKwh: r.volumeKwh, priceInterval: r.priceInterval, orders: step.orders.length, clearedAt: now };
  });
}

export async function getClearing(store: Store, marketId: Id, slotStart: number): Promise<StoredClearing | null> {
  const rows = await store.query<Row>('SELECT * FROM market_clearings WHERE market_id = $1 AND slot_start = $2', [marketId, slotStart]);
  return rows[0] ? toClearing(rows[0]) : null;
}

export async function listClearings(store: Store, marketId: Id, from: number, to: number): Promise<StoredClearing[]> {
  const rows = await store.query<Row>('SELECT * FROM market_clearings WHERE market_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY slot_start', [marketId, from, to]);
  return rows.map(toClearing);
}

export async function listTrades(store: Store, marketId: Id, from: number, to: number, siteId?: Id): Promise<StoredTrade[]> {
  const params: unknown[] = [marketId, from, to];
  let sql = 'SELECT * FROM market_trades WHERE market_id = $1 AND slot_start >= $2 AND slot_start < $3';
  if (siteId !== undefined) {
    params.push(siteId);
    sql += ` AND (buyer = $4 OR seller = $4)`;
  }
  return (await store.query<Row>(`${sql} ORDER BY slot_start, seq`, params)).map(toTrade);
}
