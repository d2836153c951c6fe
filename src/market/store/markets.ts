/**
 * Markets and their members in the store (tables of `007_market.sql`). A market belongs to one account; its
 * members are sites of that account. Another account's market or site is reported as missing (404).
 */
import { conflict, invalid, notFound } from '../../core/errors.ts';
import { formatDuration, formatInstant } from '../../core/time.ts';
import { publicKeyPemOf } from '../../ledger/signing.ts';
import type { Id, Scope, Store } from '../../store/types.ts';
import { marketConfigFrom, type MarketInput } from '../market.ts';
import type { MarketConfig } from '../types.ts';

export interface Market extends MarketConfig {
  /** The database id (the config's `id` is its string form, used in the ledger). */
  dbId: Id;
  accountIdNum: Id;
  name: string;
  imbalanceSensorId: Id | null;
  ledgerHead: { sequence: number; hash: string } | null;
  createdAt: number;
}

export interface Member {
  marketId: Id;
  siteId: Id;
  meterSensorId: Id | null;
  meterPublicKey: string | null;
  joinedAt: number;
}

export type NewMarket = Omit<MarketInput, 'id' | 'accountId'> & { name: string; imbalanceSensorId?: Id | null };

type Row = Record<string, unknown>;
const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function toMarket(r: Row): Market {
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    dbId: num(r.id),
    accountIdNum: num(r.account_id),
    name: String(r.name),
    slotMs: num(r.slot_ms),
    gateClosureLeadMs: num(r.gate_closure_ms),
    timeZone: String(r.time_zone),
    currency: String(r.currency),
    mechanism: r.mechanism as Market['mechanism'],
    retailPrice: num(r.retail_price),
    feedInTariff: num(r.feed_in_tariff),
    localGridFee: num(r.local_grid_fee),
    imbalanceSensorId: numOrNull(r.imbalance_sensor_id),
    ledgerHead: r.ledger_head_hash ? { sequence: num(r.ledger_head_sequence), hash: String(r.ledger_head_hash) } : null,
    createdAt: num(r.created_at),
  };
}

const toMember = (r: Row): Member => ({
  marketId: num(r.market_id), siteId: num(r.site_id), meterSensorId: numOrNull(r.meter_sensor_id),
  meterPublicKey: (r.meter_public_key as string | null) ?? null, joinedAt: num(r.joined_at),
});

/** The market as the API shows it (ISO 8601 durations and times). */
export function marketOut(m: Market) {
  return {
    id: m.dbId, accountId: m.accountIdNum, name: m.name, slot: formatDuration(m.slotMs), gateClosure: formatDuration(m.gateClosureLeadMs),
    timeZone: m.timeZone, currency: m.currency, mechanism: m.mechanism, retailPrice: m.retailPrice, feedInTariff: m.feedInTariff,
    localGridFee: m.localGridFee, imbalanceSensorId: m.imbalanceSensorId, ledgerHead: m.ledgerHead, createdAt: formatInstant(m.createdAt),
  };
}

function scopeSql(scope: Scope, params: unknown[], column = 'account_id'): string {
  if (scope === 'all') return 'true';
  params.push(scope.accountId);
  return `${column} = $${params.length}`;
}

async function checkImbalanceSensor(store: Store, accountId: Id, sensorId: Id | null | undefined): Promise<void> {
  if (sensorId === null || sensorId === undefined) return;
  const s = await store.sensors.get({ accountId }, sensorId);
  if (!s) throw notFound(`sensor ${sensorId}`);
  if (s.quantity !== 'price') throw invalid('imbalanceSensorId', `sensor ${sensorId} measures ${s.quantity}, not price`);
}

function uniqueName<T>(p: Promise<T>, name: string): Promise<T> {
  return p.catch((e) => {
    if ((e as { code?: string }).code === '23505') throw conflict(`a market named "${name}" already exists in this account`);
    throw e;
  });
}

/**
 * Markets read for order intake, kept per process for a few seconds. Safe to use stale: the order write
 * checks the market row itself (it is gone: 404; another gate lead: each order is checked again), and a
 * market's account, slot grid and time zone never change.
 */
const CACHE_MS = 5_000;
const cache = new WeakMap<Store, Map<Id, { market: Market; until: number }>>();

export function rememberMarket(store: Store, market: Market): void {
  let byId = cache.get(store);
  if (!byId) cache.set(store, (byId = new Map()));
  if (byId.size > 10_000) byId.clear();
  byId.set(market.dbId, { market, until: Date.now() + CACHE_MS });
}

function forgetMarket(store: Store, id: Id): void {
  cache.get(store)?.delete(id);
}

export function marketsRepo(store: Store) {
  return {
    async create(accountId: Id, input: NewMarket, now: number): Promise<Market> {
      if (typeof input.name !== 'string' || !input.name.trim()) throw invalid('name', 'a market needs a name');
      const c = marketConfigFrom({ ...input, id: 'new', accountId: String(accountId) });
      await checkImbalanceSensor(store, accountId, input.imbalanceSensorId);
      const rows = await uniqueName(store.query<Row>(
        `INSERT INTO markets (account_id, name, slot_ms, gate_closure_ms, time_zone, currency, mechanism, retail_price, feed_in_tariff, local_grid_fee, imbalance_sensor_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [accountId, input.name.trim(), c.slotMs, c.gateClosureLeadMs, c.timeZone, c.currency, c.mechanism, c.retailPrice, c.feedInTariff, c.localGridFee, input.imbalanceSensorId ?? null, now],
      ), input.name.trim());
      return toMarket(rows[0]);
    },

    async get(scope: Scope, id: Id): Promise<Market | null> {
      const params: unknown[] = [id];
      const rows = await store.query<Row>(`SELECT * FROM markets WHERE id = $1 AND ${scopeSql(scope, params)}`, params);
      return rows[0] ? toMarket(rows[0]) : null;
    },

    async mustGet(scope: Scope, id: Id): Promise<Market> {
      const m = await this.get(scope, id);
      if (!m) throw notFound(`market ${id}`);
      return m;
    },

    /** Like mustGet, from the per-process cache when it was read less than a few seconds ago (for order intake). */
    async mustGetRecent(scope: Scope, id: Id): Promise<Market> {
      const hit = cache.get(store)?.get(id);
      if (hit && hit.until > Date.now()) {
        if (scope !== 'all' && hit.market.accountIdNum !== scope.accountId) throw notFound(`market ${id}`);
        return hit.market;
      }
      const m = await this.mustGet(scope, id);
      rememberMarket(store, m);
      return m;
    },

    async list(scope: Scope): Promise<Market[]> {
      const params: unknown[] = [];
      return (await store.query<Row>(`SELECT * FROM markets WHERE ${scopeSql(scope, params)} ORDER BY id`, params)).map(toMarket);
    },

    /** Changes settings; the slot grid and time zone stay (orders and clearings are on them). */
    async update(scope: Scope, id: Id, patch: Partial<Pick<NewMarket, 'name' | 'gateClosure' | 'mechanism' | 'retailPrice' | 'feedInTariff' | 'localGridFee' | 'imbalanceSensorId'>>): Promise<Market> {
      const m = await this.mustGet(scope, id);
      const c = marketConfigFrom({
        id: m.id, accountId: m.accountId, slot: formatDuration(m.slotMs), timeZone: m.timeZone, currency: m.currency,
        gateClosure: patch.gateClosure ?? formatDuration(m.gateClosureLeadMs), mechanism: patch.mechanism ?? m.mechanism,
        retailPrice: patch.retailPrice ?? m.retailPrice, feedInTariff: patch.feedInTariff ?? m.feedInTariff, localGridFee: patch.localGridFee ?? m.localGridFee,
      });
      const imbalance = patch.imbalanceSensorId === undefined ? m.imbalanceSensorId : patch.imbalanceSensorId;
      await checkImbalanceSensor(store, m.accountIdNum, imbalance);
      const name = patch.name?.trim() || m.name;
      forgetMarket(store, id);
      const rows = await uniqueName(store.query<Row>(
        `UPDATE markets SET name = $2, gate_closure_ms = $3, mechanism = $4, retail_price = $5, feed_in_tariff = $6, local_grid_fee = $7, imbalance_sensor_id = $8
         WHERE id = $1 RETURNING *`,
        [id, name, c.gateClosureLeadMs, c.mechanism, c.retailPrice, c.feedInTariff, c.localGridFee, imbalance],
      ), name);
      return toMarket(rows[0]);
    },

    async delete(scope: Scope, id: Id): Promise<boolean> {
      forgetMarket(store, id);
      const params: unknown[] = [id];
      const rows = await store.query(`DELETE FROM markets WHERE id = $1 AND ${scopeSql(scope, params)} RETURNING id`, params);
      return rows.length > 0;
    },

    /** Adds (or updates) a member site of the market's account, with its meter sensor and meter key. */
    async putMember(market: Market, input: { siteId: Id; meterSensorId?: Id | null; meterPublicKey?: string | null }, now: number): Promise<Member> {
      const scope = { accountId: market.accountIdNum };
      if (!(await store.sites.get(scope, input.siteId))) throw notFound(`site ${input.siteId}`);
      if (input.meterSensorId !== undefined && input.meterSensorId !== null) {
        const s = await store.sensors.get(scope, input.meterSensorId);
        if (!s) throw notFound(`sensor ${input.meterSensorId}`);
        if (s.siteId !== input.siteId) throw invalid('meterSensorId', `sensor ${s.id} does not belong to site ${input.siteId}`);
        if (s.quantity !== 'energy' && s.quantity !== 'power') throw invalid('meterSensorId', `sensor ${s.id} measures ${s.quantity}; a meter measures energy or power`);
      }
      const key = input.meterPublicKey ? publicKeyPemOf(input.meterPublicKey) : null;
      const rows = await store.query<Row>(
        `INSERT INTO market_members (market_id, site_id, meter_sensor_id, meter_public_key, joined_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (market_id, site_id) DO UPDATE SET meter_sensor_id = EXCLUDED.meter_sensor_id, meter_public_key = EXCLUDED.meter_public_key
         RETURNING *`,
        [market.dbId, input.siteId, input.meterSensorId ?? null, key, now],
      );
      return toMember(rows[0]);
    },

    async members(marketId: Id): Promise<Member[]> {
      return (await store.query<Row>('SELECT * FROM market_members WHERE market_id = $1 ORDER BY site_id', [marketId])).map(toMember);
    },

    async member(marketId: Id, siteId: Id): Promise<Member | null> {
      const rows = await store.query<Row>('SELECT * FROM market_members WHERE market_id = $1 AND site_id = $2', [marketId, siteId]);
      return rows[0] ? toMember(rows[0]) : null;
    },

    async removeMember(marketId: Id, siteId: Id): Promise<boolean> {
      return (await store.query('DELETE FROM market_members WHERE market_id = $1 AND site_id = $2 RETURNING site_id', [marketId, siteId])).length > 0;
    },
  };
}
