import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDueSlots } from '../../src/market/capability.ts';
import { verifyMarketLedger } from '../../src/market/store/ledger.ts';
import { marketsRepo, type Market } from '../../src/market/store/markets.ts';
import { createOrders } from '../../src/market/store/orders.ts';
import { openStore } from '../../src/store/open.ts';
import { DATABASE_URL } from '../../src/store/test-helpers.ts';
import type { Store } from '../../src/store/types.ts';

/** Two processes' worth of connections on one PostgreSQL schema: orders and clearing from both at once. */
const schema = `market_test_${randomBytes(5).toString('hex')}`;
let a: Store;
let b: Store;
let market: Market;
const sites: number[] = [];
const T0 = Date.parse('2024-06-01T10:00:00Z');
const SLOT = Date.parse('2024-06-01T11:00:00Z');

beforeAll(async () => {
  a = await openStore({ databaseUrl: DATABASE_URL, schema, migrate: true });
  b = await openStore({ databaseUrl: DATABASE_URL, schema, migrate: true });
  const account = await a.accounts.create('Street');
  market = await marketsRepo(a).create(account.id, { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.05 }, T0);
  for (let k = 0; k < 6; k++) {
    const site = await a.sites.create({ accountId: account.id }, { accountId: account.id, name: `s${k}`, timezone: 'Europe/Berlin' });
    sites.push(site.id);
    await marketsRepo(a).putMember(market, { siteId: site.id }, T0);
  }
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describe('market on PostgreSQL with two workers', () => {
  it('keeps one unbroken ledger when orders arrive through both at once', async () => {
    const place = (store: Store, k: number) =>
      createOrders(store, market, { member: String(sites[k % 6]), side: k % 2 ? 'sell' : 'buy', energyKwh: 1 + (k % 5), limitPrice: 0.05 + (k % 7) * 0.02, slot: new Date(SLOT).toISOString() }, T0 + k);
    await Promise.all(Array.from({ length: 60 }, (_, k) => place(k % 2 ? a : b, k)));
    const v = await verifyMarketLedger(a, market.dbId);
    expect(v).toMatchObject({ ok: true, length: 60 });
  });

  it('clears a slot once when both run the clearing job at the gate', async () => {
    const gate = SLOT - 5 * 60_000;
    const [x, y] = await Promise.all([clearDueSlots(a, gate), clearDueSlots(b, gate)]);
    expect(x.length + y.length).toBe(1);
    const clearings = await a.query('SELECT * FROM market_clearings WHERE market_id = $1', [market.dbId]);
    expect(clearings).toHaveLength(1);
    const statuses = await a.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM market_orders GROUP BY status ORDER BY status');
    expect(statuses.every((s) => s.status === 'matched' || s.status === 'unmatched')).toBe(true);
    const ledger = await verifyMarketLedger(b, market.dbId);
    expect(ledger).toMatchObject({ ok: true, length: 60 + 60 + 1 });
    expect(await clearDueSlots(b, gate + 60_000)).toEqual([]);
  });

  it('writes orders after another process moved the ledger head, and checks them against a gate lead changed there', async () => {
    const account = await a.accounts.getByName('Street');
    const m2 = await marketsRepo(a).create(account!.id, { name: 'm2', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.05 }, T0);
    for (const site of sites) await marketsRepo(a).putMember(m2, { siteId: site }, T0);
    const place = (store: Store, k: number) => createOrders(store, m2, { member: String(sites[k]), side: 'buy', energyKwh: 1 + k, limitPrice: 0.1, slot: new Date(SLOT).toISOString() }, T0);
    await place(a, 0); // a knows the head now
    await place(b, 1); // b moves it
    await place(a, 2); // a's one-statement write finds another head and writes under the lock
    expect(await verifyMarketLedger(b, m2.dbId)).toMatchObject({ ok: true, length: 3 });
    // b lengthens the gate to 2 h; a still holds the market as read with 5 minutes
    await marketsRepo(b).update('all', m2.dbId, { gateClosure: 'PT2H' });
    await expect(place(a, 3)).rejects.toMatchObject({ status: 400, field: 'slot', message: expect.stringMatching(/gate for the slot .* closed/) });
    await marketsRepo(b).update('all', m2.dbId, { gateClosure: 'PT5M' });
    await place(a, 4);
    const stored = await a.query<{ energy_kwh: number }>('SELECT energy_kwh FROM market_orders WHERE market_id = $1 ORDER BY energy_kwh', [m2.dbId]);
    expect(stored.map((r) => Number(r.energy_kwh))).toEqual([1, 2, 3, 5]);
    expect(await verifyMarketLedger(a, m2.dbId)).toMatchObject({ ok: true, length: 4 });
  });
});
