/**
 * Settlement after delivery in the store. For a cleared slot that has ended, each member's metered energy
 * (meter beliefs) is set against its trades; a member without a reading stays awaiting-data. Settling again
 * writes only what changed: a late reading settles the member's slot, a corrected one re-settles it and the
 * difference is kept (`market_settlement_changes`) for the next bill. Settlements, order moves (delivering,
 * settled) and their ledger entries are written in one transaction.
 */
import { conflict } from '../../core/errors.ts';
import { formatInstant } from '../../core/time.ts';
import { canonicalJson, orderItem, settlementItem, type LedgerItem } from '../../ledger/index.ts';
import type { Id, Store } from '../../store/types.ts';
import { applyOrderEvent } from '../orders.ts';
import { settleSlot, settlementDifference, type MemberSlotSettlement, type SettlementDifference } from '../settlement.ts';
import type { Order } from '../types.ts';
import { appendLedger, lockMarket } from './ledger.ts';
import { toMarket, type Market } from './markets.ts';
import { imbalancePrice, meteredKwh } from './meters.ts';
import { saveOrders, toOrder } from './orders.ts';

type Row = Record<string, unknown>;
const DAY_MS = 86_400_000;
/** Settled slots are checked again for corrected readings this long after they end. */
export const RECHECK_MS = 2 * DAY_MS;
/** Slots awaiting data are retried this long. */
export const AWAIT_MS = 35 * DAY_MS;

const toSettlement = (r: Row): MemberSlotSettlement => (typeof r.settlement === 'string' ? JSON.parse(r.settlement) : r.settlement) as MemberSlotSettlement;

export const settlementOut = (s: MemberSlotSettlement) => ({ ...s, siteId: Number(s.member), slot: formatInstant(s.slotStart) });

/**
 * What a slot's settlement is computed from, as one text per slot: the market's prices, each member with its
 * meter sensor and the count, latest belief time and sum of its meter beliefs in the slot, and the same of the
 * imbalance price sensor's beliefs that reach into the slot. Any new, changed or removed belief changes it
 * (trades are fixed at clearing). `$1` is now.
 */
const DUE_SETTLEMENTS = `WITH due AS (
  SELECT c.market_id, c.slot_start, m.slot_ms, m.imbalance_sensor_id,
         concat_ws('|', m.retail_price, m.feed_in_tariff, m.local_grid_fee, m.imbalance_sensor_id) AS market_inputs
  FROM market_clearings c JOIN markets m ON m.id = c.market_id
  WHERE c.slot_start + m.slot_ms <= $1 AND c.slot_start + m.slot_ms > $1 - ${AWAIT_MS}
    AND (c.slot_start + m.slot_ms > $1 - ${RECHECK_MS}
         OR NOT EXISTS (SELECT 1 FROM market_settlements s WHERE s.market_id = c.market_id AND s.slot_start = c.slot_start)
         OR EXISTS (SELECT 1 FROM market_settlements s WHERE s.market_id = c.market_id AND s.slot_start = c.slot_start AND s.status = 'awaiting-data'))
), digest AS (
  SELECT d.market_id, d.slot_start, d.market_inputs
    || ';' || coalesce((
      SELECT string_agg(concat_ws(':', mm.site_id, mm.meter_sensor_id, sn.resolution_ms, sn.quantity, sn.unit, b.n, b.t, b.v), ',' ORDER BY mm.site_id)
      FROM market_members mm LEFT JOIN sensors sn ON sn.id = mm.meter_sensor_id
      LEFT JOIN LATERAL (
        SELECT count(*) AS n, extract(epoch FROM max(bb.belief_time)) AS t, sum(bb.value) AS v
        FROM beliefs bb JOIN sources src ON src.id = bb.source_id
        WHERE src.kind = 'meter' AND bb.sensor_id = mm.meter_sensor_id
          AND bb.slot_start >= to_timestamp(d.slot_start / 1000.0) AND bb.slot_start < to_timestamp((d.slot_start + d.slot_ms) / 1000.0)
      ) b ON true
      WHERE mm.market_id = d.market_id), '')
    || ';' || coalesce((
      SELECT concat_ws(':', count(*), extract(epoch FROM max(bb.belief_time)), sum(bb.value))
      FROM sensors ps JOIN beliefs bb ON bb.sensor_id = ps.id
      WHERE ps.id = d.imbalance_sensor_id
        AND bb.slot_start > to_timestamp((d.slot_start - ps.resolution_ms) / 1000.0) AND bb.slot_start < to_timestamp((d.slot_start + d.slot_ms) / 1000.0)), '') AS inputs
  FROM due d
)
SELECT g.market_id, g.slot_start, g.inputs FROM digest g
LEFT JOIN market_settlement_inputs i ON i.market_id = g.market_id AND i.slot_start = g.slot_start
WHERE i.inputs IS DISTINCT FROM g.inputs
ORDER BY g.slot_start, g.market_id`;

/**
 * Cleared slots that have ended and are unsettled, awaiting data (for 35 days) or recent (2 days, for
 * corrections), and whose inputs changed since they were last settled: a slot never settled, or one with a new
 * or corrected reading or price. Each comes with the digest of its inputs, for `settleStoredSlot` to record.
 */
export async function dueSettlements(store: Store, now: number): Promise<{ marketId: Id; slotStart: number; inputs: string }[]> {
  const rows = await store.query<Row>(DUE_SETTLEMENTS, [now]);
  return rows.map((r) => ({ marketId: Number(r.market_id), slotStart: Number(r.slot_start), inputs: String(r.inputs) }));
}

async function readingsOf(tx: Store, market: Market, slotStart: number): Promise<Map<string, number | null>> {
  const members = await tx.query<Row>('SELECT site_id, meter_sensor_id FROM market_members WHERE market_id = $1 ORDER BY site_id', [market.dbId]);
  const readings = new Map<string, number | null>();
  for (const m of members) {
    const sensor = m.meter_sensor_id === null ? null : await tx.sensors.get('all', Number(m.meter_sensor_id));
    readings.set(String(m.site_id), sensor ? await meteredKwh(tx, sensor, slotStart, market.slotMs) : null);
  }
  return readings;
}

async function pricesOf(tx: Store, market: Market, slotStart: number) {
  if (market.imbalanceSensorId === null) return { importPrice: market.retailPrice, exportPrice: market.feedInTariff };
  const sensor = await tx.sensors.get('all', market.imbalanceSensorId);
  const p = sensor ? await imbalancePrice(tx, sensor, market, slotStart) : null;
  return p === null ? null : { importPrice: p, exportPrice: p };
}

/** Moves the slot's orders on: delivering from the slot start, settled once their member's slot is. */
function advanceOrders(orders: Order[], settled: ReadonlySet<string>, market: Market, now: number): Order[] {
  const moved: Order[] = [];
  for (const o of orders) {
    let next = o;
    if (next.status === 'matched' || next.status === 'unmatched') next = applyOrderEvent(next, { type: 'deliver' }, market, now);
    if (next.status === 'delivering' && settled.has(o.member)) next = applyOrderEvent(next, { type: 'settle' }, market, now);
    if (next !== o) moved.push(next);
  }
  return moved;
}

export interface SlotSettlementOutcome {
  marketId: Id;
  slotStart: number;
  written: number;
  differences: SettlementDifference[];
}

/**
 * Settles (or re-settles) one cleared slot that has ended. `inputs` (from `dueSettlements`, taken before the
 * readings are read here) is recorded with it, so the slot is not settled again until its inputs change.
 */
export async function settleStoredSlot(store: Store, marketId: Id, slotStart: number, now: number, inputs?: string): Promise<SlotSettlementOutcome> {
  return store.transaction(async (tx) => {
    const mrows = await tx.query<Row>('SELECT * FROM markets WHERE id = $1', [marketId]);
    if (!mrows[0]) return { marketId, slotStart, written: 0, differences: [] };
    const head = await lockMarket(tx, marketId);
    const market = toMarket(mrows[0]);
    if (now < slotStart + market.slotMs) throw conflict(`the slot at ${formatInstant(slotStart)} has not ended; it settles after delivery`);
    const readings = await readingsOf(tx, market, slotStart);
    const trades = await tx.query<Row>('SELECT buyer, seller, energy_kwh, price FROM market_trades WHERE market_id = $1 AND slot_start = $2 ORDER BY seq', [marketId, slotStart]);
    const members = [...readings.keys()];
    const traders = new Set(trades.flatMap((t) => [String(t.buyer), String(t.seller)]));
    for (const t of traders) if (!readings.has(t)) { readings.set(t, null); members.push(t); }
    const after = settleSlot({
      slotStart, members, readings, prices: await pricesOf(tx, market, slotStart), localGridFee: market.localGridFee,
      trades: trades.map((t) => ({ buyer: String(t.buyer), seller: String(t.seller), energyKwh: Number(t.energy_kwh), price: Number(t.price) })),
    });
    const beforeRows = await tx.query<Row>('SELECT settlement FROM market_settlements WHERE market_id = $1 AND slot_start = $2', [marketId, slotStart]);
    const before = new Map(beforeRows.map((r) => { const s = toSettlement(r); return [s.member, s]; }));
    const items: LedgerItem[] = [];
    const differences: SettlementDifference[] = [];
    for (const s of after) {
      const old = before.get(s.member);
      if (old && canonicalJson(old) === canonicalJson(JSON.parse(JSON.stringify(s)))) continue;
      await tx.query(
        `INSERT INTO market_settlements (market_id, slot_start, site_id, status, settlement, settled_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (market_id, slot_start, site_id) DO UPDATE SET status = EXCLUDED.status, settlement = EXCLUDED.settlement, settled_at = EXCLUDED.settled_at`,
        [marketId, slotStart, Number(s.member), s.status, JSON.stringify(s), now],
      );
      items.push(settlementItem(s, now));
      if (old) {
        const d = settlementDifference(old, s);
        differences.push(d);
        if (d.change === 'late' || d.change === 'correction') {
          await tx.query('INSERT INTO market_settlement_changes (market_id, slot_start, site_id, change, delta, at) VALUES ($1, $2, $3, $4, $5, $6)', [
            marketId, slotStart, Number(s.member), d.change, JSON.stringify(d.delta), now,
          ]);
        }
      }
    }
    const settled = new Set(after.filter((s) => s.status === 'settled').map((s) => s.member));
    const orders = (await tx.query<Row>("SELECT * FROM market_orders WHERE market_id = $1 AND slot_start = $2 AND status IN ('matched', 'unmatched', 'delivering')", [marketId, slotStart])).map(toOrder);
    const moved = advanceOrders(orders, settled, market, now);
    await saveOrders(tx, moved);
    items.push(...moved.map((o) => orderItem(o, now)));
    await appendLedger(tx, marketId, items, { head });
    if (inputs !== undefined) {
      await tx.query(
        `INSERT INTO market_settlement_inputs (market_id, slot_start, inputs, settled_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (market_id, slot_start) DO UPDATE SET inputs = EXCLUDED.inputs, settled_at = EXCLUDED.settled_at`,
        [marketId, slotStart, inputs, now],
      );
    }
    return { marketId, slotStart, written: items.length - moved.length, differences };
  });
}

export async function listSettlements(store: Store, marketId: Id, from: number, to: number, siteId?: Id): Promise<MemberSlotSettlement[]> {
  const params: unknown[] = [marketId, from, to];
  let sql = 'SELECT settlement FROM market_settlements WHERE market_id = $1 AND slot_start >= $2 AND slot_start < $3';
  if (siteId !== undefined) {
    params.push(siteId);
    sql += ' AND site_id = $4';
  }
  return (await store.query<Row>(`${sql} ORDER BY slot_start, site_id`, params)).map(toSettlement);
}

/**
 * Corrections of slots before the period, posted during it (the bill's adjustments), per member. Late
 * readings are not adjustments: their slots were never billed as settled.
 */
export async function adjustmentsFor(store: Store, marketId: Id, siteId: Id, from: number, to: number): Promise<number> {
  const rows = await store.query<Row>(
    "SELECT delta FROM market_settlement_changes WHERE market_id = $1 AND site_id = $2 AND change = 'correction' AND at >= $3 AND at < $4 AND slot_start < $3",
    [marketId, siteId, from, to],
  );
  return rows.reduce((sum, r) => sum + Number((typeof r.delta === 'string' ? JSON.parse(r.delta) : r.delta).totalCost ?? 0), 0);
}

export async function listSettlementChanges(store: Store, marketId: Id, from: number, to: number) {
  const rows = await store.query<Row>('SELECT * FROM market_settlement_changes WHERE market_id = $1 AND slot_start >= $2 AND slot_start < $3 ORDER BY at, slot_start, site_id', [marketId, from, to]);
  return rows.map((r) => ({ slot: formatInstant(Number(r.slot_start)), siteId: Number(r.site_id), change: String(r.change), delta: typeof r.delta === 'string' ? JSON.parse(r.delta) : r.delta, at: formatInstant(Number(r.at)) }));
}
