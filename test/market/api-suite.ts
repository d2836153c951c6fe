import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMeterKeys, signReadingBatch } from '../../src/ledger/index.ts';
import { clearDueSlots, settleDueSlots } from '../../src/market/capability.ts';
import { dueSettlements } from '../../src/market/store/settlement.ts';
import { marketHarness, type MarketHarness } from './harness.ts';

/** The whole API flow, run on PGlite (`api.test.ts`) and on PostgreSQL (`api.postgres.test.ts`). */
export function marketApiSuite(opts: { databaseUrl?: string; schema?: string } = {}): void {
  /**
   * One market through its life over the API: members, orders and bad ones, clearing at the gate, readings
   * (signed, late, corrected), settlement, bills, community figures and the ledger.
   */
  let h: MarketHarness;
  let token: string;
  let stranger: string;
  let viewer: string;
  let marketId: number;
  const sites: Record<string, number> = {};
  const meters: Record<string, number> = {};
  const keys = generateMeterKeys();
  const SLOT = '2024-06-01T11:00:00Z';

  async function ledgerLength(): Promise<number> {
    const rows = await h.store.query<{ n: string }>('SELECT count(*) AS n FROM market_ledger WHERE market_id = $1', [marketId]);
    return Number(rows[0].n);
  }
  async function orderCount(): Promise<number> {
    const rows = await h.store.query<{ n: string }>('SELECT count(*) AS n FROM market_orders WHERE market_id = $1', [marketId]);
    return Number(rows[0].n);
  }
  const order = (site: string, side: string, energyKwh: unknown, limitPrice: unknown, extra: Record<string, unknown> = { slot: SLOT }) =>
    h.call(token, 'POST', `/api/v1/markets/${marketId}/orders`, { siteId: sites[site], side, energyKwh, limitPrice, ...extra });
  const readings = (site: string, energyKwh: number, signed = false) => {
    const batch = { meterId: `meter-${site}`, site: String(sites[site]), readings: [{ slotStart: SLOT, energyKwh }] };
    return h.call(token, 'POST', `/api/v1/markets/${marketId}/readings`, signed ? signReadingBatch(batch, keys.privateKeyPem) : { batch });
  };

  beforeAll(async () => {
    h = await marketHarness({ start: '2024-06-01T10:00:00Z', ...opts });
    const a = await h.login('Neighbours');
    token = a.token;
    stranger = (await h.login('Elsewhere')).token;
    viewer = (await h.login('Neighbours', 'viewer')).token;
    for (const name of ['pv', 'home', 'flat']) {
      const site = await h.store.sites.create({ accountId: a.accountId }, { accountId: a.accountId, name, timezone: 'Europe/Berlin' });
      sites[name] = site.id;
      meters[name] = (await h.store.sensors.create({ accountId: a.accountId }, { name: `${name} meter`, quantity: 'energy', unit: 'kWh', resolutionMs: 900_000, siteId: site.id })).id;
    }
    sites.shed = (await h.store.sites.create({ accountId: a.accountId }, { accountId: a.accountId, name: 'shed', timezone: 'Europe/Berlin' })).id;
    const other = await h.store.accounts.getByName('Elsewhere');
    sites.foreign = (await h.store.sites.create({ accountId: other!.id }, { accountId: other!.id, name: 'theirs', timezone: 'Europe/Berlin' })).id;
  });
  afterAll(async () => h.close());

  describe('markets and members', () => {
    it('creates a market and refuses bad settings naming the field', async () => {
      const bad = await h.call(token, 'POST', '/api/v1/markets', { name: 'x', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.1, feedInTariff: 0.2 });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().detail).toMatch(/feedInTariff/);
      const res = await h.call(token, 'POST', '/api/v1/markets', { name: 'Street', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.08, localGridFee: 0.02 });
      expect(res.statusCode).toBe(201);
      marketId = res.json().id;
      expect(res.json()).toMatchObject({ slot: 'PT15M', gateClosure: 'PT5M', mechanism: 'pay-as-clear', ledgerHead: null });
      expect((await h.call(stranger, 'GET', `/api/v1/markets/${marketId}`)).statusCode).toBe(404);
      expect((await h.call(stranger, 'GET', '/api/v1/markets')).json().items).toEqual([]);
    });

    it("adds the account's sites as members; another account's site is not found", async () => {
      for (const name of ['pv', 'home']) {
        expect((await h.call(token, 'PUT', `/api/v1/markets/${marketId}/members/${sites[name]}`, { meterSensorId: meters[name] })).statusCode).toBe(200);
      }
      const flat = await h.call(token, 'PUT', `/api/v1/markets/${marketId}/members/${sites.flat}`, { meterSensorId: meters.flat, meterPublicKey: keys.publicKeyPem });
      expect(flat.json()).toMatchObject({ siteId: sites.flat, signedReadings: true });
      expect((await h.call(token, 'PUT', `/api/v1/markets/${marketId}/members/${sites.foreign}`, {})).statusCode).toBe(404);
      expect((await h.call(stranger, 'PUT', `/api/v1/markets/${marketId}/members/${sites.foreign}`, {})).statusCode).toBe(404);
      const badKey = await h.call(token, 'PUT', `/api/v1/markets/${marketId}/members/${sites.pv}`, { meterPublicKey: 'not a key' });
      expect(badKey.statusCode).toBe(400);
      expect(badKey.json().detail).toMatch(/meterPublicKey/);
      expect((await h.call(token, 'GET', `/api/v1/markets/${marketId}/members`)).json().items.map((m: { siteId: number }) => m.siteId)).toEqual([sites.pv, sites.home, sites.flat]);
    });
  });

  describe('orders', () => {
    it('accepts orders and records each on the ledger', async () => {
      const res = await order('pv', 'sell', 5, 0.1);
      expect(res.statusCode).toBe(201);
      expect(res.json().items[0]).toMatchObject({ siteId: sites.pv, side: 'sell', energyKwh: 5, slot: '2024-06-01T11:00:00Z', status: 'open' });
      expect((await order('home', 'buy', 3, 0.2)).statusCode).toBe(201);
      expect((await order('flat', 'buy', 4, 0.15)).statusCode).toBe(201);
      expect(await ledgerLength()).toBe(3);
    });

    it('refuses bad orders naming the field, and writes nothing', async () => {
      const before = [await ledgerLength(), await orderCount()];
      const cases: [Promise<Awaited<ReturnType<typeof order>>>, number, RegExp][] = [
        [order('home', 'buy', 0, 0.2), 400, /energyKwh/],
        [order('home', 'buy', -2, 0.2), 400, /energyKwh/],
        [order('home', 'buy', 1, 'NaN'), 400, /limitPrice/],
        [order('home', 'buy', 1, null), 400, /limitPrice/],
        [order('home', 'buy', 1, 0.2, { slot: '2024-06-01T11:07:00Z' }), 400, /slot/],
        [order('home', 'buy', 1, 0.2, { slot: '2024-06-01T10:00:00Z' }), 400, /gate/],
        [order('home', 'hold', 1, 0.2), 400, /side/],
        [order('foreign', 'buy', 1, 0.2), 404, /site/],
        [order('shed', 'buy', 1, 0.2), 400, /^member: site \d+ is not a member/],
        // a range whose first slots are past the gate is refused whole
        [order('home', 'buy', 1, 0.2, { slots: { start: '2024-06-01T09:45:00Z', end: '2024-06-01T12:00:00Z' } }), 400, /gate/],
      ];
      for (const [p, status, field] of cases) {
        const res = await p;
        expect(res.statusCode, res.body).toBe(status);
        expect(res.headers['content-type']).toMatch(/problem\+json/);
        expect(res.json().detail).toMatch(field);
      }
      expect((await h.call(stranger, 'POST', `/api/v1/markets/${marketId}/orders`, { siteId: sites.foreign, side: 'buy', energyKwh: 1, limitPrice: 0.2, slot: SLOT })).statusCode).toBe(404);
      expect((await h.call(viewer, 'POST', `/api/v1/markets/${marketId}/orders`, { siteId: sites.home, side: 'buy', energyKwh: 1, limitPrice: 0.2, slot: SLOT })).statusCode).toBe(403);
      expect([await ledgerLength(), await orderCount()]).toEqual(before);
    });

    it('creates one order per slot of a range, changes and cancels until the gate', async () => {
      const res = await order('pv', 'sell', 1, 0.12, { slots: { start: '2024-06-01T12:00:00Z', end: '2024-06-01T13:00:00Z' } });
      expect(res.json().items.map((o: { slot: string }) => o.slot)).toEqual(['12:00', '12:15', '12:30', '12:45'].map((t) => `2024-06-01T${t}:00Z`));
      const [first, second] = res.json().items as { id: number }[];
      const changed = await h.call(token, 'PATCH', `/api/v1/markets/${marketId}/orders/${first.id}`, { energyKwh: 2 });
      expect(changed.json()).toMatchObject({ energyKwh: 2, status: 'open' });
      expect(changed.json().history.at(-1)).toMatchObject({ event: 'change', detail: { energyKwh: [1, 2] } });
      const cancelled = await h.call(token, 'DELETE', `/api/v1/markets/${marketId}/orders/${second.id}`);
      expect(cancelled.json().status).toBe('cancelled');
      expect((await h.call(token, 'PATCH', `/api/v1/markets/${marketId}/orders/${second.id}`, { limitPrice: 0.2 })).statusCode).toBe(409);
      const listed = await h.call(token, 'GET', `/api/v1/markets/${marketId}/orders?status=cancelled`);
      expect(listed.json().items.map((o: { id: number }) => o.id)).toEqual([second.id]);
    });

    it('summarises the open book of a slot', async () => {
      const res = await h.call(token, 'GET', `/api/v1/markets/${marketId}/slots/${SLOT}`);
      expect(res.json()).toMatchObject({ gateClosure: '2024-06-01T10:55:00Z', clearing: null, book: { buyOrders: 2, sellOrders: 1, demandKwh: 7, supplyKwh: 5, bestBid: 0.2, bestOffer: 0.1 } });
      expect((await h.call(token, 'GET', `/api/v1/markets/${marketId}/slots/2024-06-01T11:05:00Z`)).statusCode).toBe(400);
    });
  });

  describe('clearing at the gate', () => {
    it('clears a slot once at its gate and moves its orders', async () => {
      h.clock.set('2024-06-01T10:54:59Z');
      expect(await clearDueSlots(h.store, h.clock().getTime())).toEqual([]);
      h.clock.set('2024-06-01T10:55:00Z');
      const [a, b] = await Promise.all([clearDueSlots(h.store, h.clock().getTime()), clearDueSlots(h.store, h.clock().getTime())]);
      expect([...a, ...b]).toEqual([{ marketId, slot: '2024-06-01T11:00:00Z', price: 0.15, volumeKwh: 5 }]);
      const slot = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/slots/${SLOT}`)).json();
      expect(slot.clearing).toMatchObject({ price: 0.15, volumeKwh: 5, orders: 3, priceInterval: { low: 0.15, high: 0.15 } });
      const trades = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/trades?from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z`)).json().items;
      expect(trades.map((t: { buyer: number; seller: number; energyKwh: number; price: number }) => [t.buyer, t.seller, t.energyKwh, t.price])).toEqual([
        [sites.home, sites.pv, 3, 0.15],
        [sites.flat, sites.pv, 2, 0.15],
      ]);
      const orders = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/orders?from=${SLOT}&to=2024-06-01T11:15:00Z`)).json().items;
      expect(orders.map((o: { status: string; matchedKwh: number }) => [o.status, o.matchedKwh])).toEqual([['matched', 5], ['matched', 3], ['matched', 2]]);
      expect(orders[2].history.map((x: { event: string }) => x.event)).toEqual(['submit', 'close', 'clear']);
      const late = await order('home', 'buy', 1, 0.3);
      expect(late.statusCode).toBe(400);
    });
  });

  describe('readings and settlement', () => {
    it('refuses a badly signed or unsigned batch for a member with a meter key, writing nothing', async () => {
      const before = await ledgerLength();
      const signed = signReadingBatch({ meterId: 'meter-flat', site: String(sites.flat), readings: [{ slotStart: SLOT, energyKwh: 2.5 }] }, keys.privateKeyPem);
      const tampered = { ...signed, batch: { ...signed.batch, readings: [{ slotStart: SLOT, energyKwh: 0.5 }] } };
      const bad = await h.call(token, 'POST', `/api/v1/markets/${marketId}/readings`, tampered);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().detail).toMatch(/^signature/);
      expect((await readings('flat', 2.5, false)).statusCode).toBe(400);
      expect(await ledgerLength()).toBe(before);
    });

    it('settles members with readings, keeps the others awaiting data, then settles late and corrected readings', async () => {
      expect((await readings('pv', -5)).statusCode).toBe(201);
      expect((await readings('home', 3)).statusCode).toBe(201);
      h.clock.set('2024-06-01T11:15:00Z');
      await settleDueSlots(h.store, h.clock().getTime());
      const q = `from=${SLOT}&to=2024-06-01T11:15:00Z`;
      let s = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/settlements?${q}`)).json().items;
      expect(s.map((x: { siteId: number; status: string }) => [x.siteId, x.status])).toEqual([[sites.pv, 'settled'], [sites.home, 'settled'], [sites.flat, 'awaiting-data']]);
      expect(s[2]).toMatchObject({ awaiting: 'meter', totalCost: null, localBoughtKwh: 2 });

      expect((await readings('flat', 2.5, true)).json()).toMatchObject({ written: 1, signed: true });
      h.clock.set('2024-06-01T11:20:00Z');
      await settleDueSlots(h.store, h.clock().getTime());
      s = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/settlements?${q}`)).json();
      expect(s.items[2]).toMatchObject({ status: 'settled', meteredKwh: 2.5, gridImportKwh: 0.5 });
      expect(s.items[2].totalCost).toBeCloseTo(2 * 0.15 + 2 * 0.02 + 0.5 * 0.3, 10);
      expect(s.changes).toMatchObject([{ siteId: sites.flat, change: 'late' }]);

      // the same readings again change nothing
      const head = (await h.call(token, 'GET', `/api/v1/markets/${marketId}`)).json().ledgerHead;
      h.clock.set('2024-06-01T11:21:00Z');
      expect(await settleDueSlots(h.store, h.clock().getTime())).toEqual([]);
      expect((await h.call(token, 'GET', `/api/v1/markets/${marketId}`)).json().ledgerHead).toEqual(head);
      // and the slot is not even looked at again until one of its readings changes
      expect(await dueSettlements(h.store, h.clock().getTime())).toEqual([]);

      h.clock.set('2024-06-02T00:10:00Z');
      expect(await dueSettlements(h.store, h.clock().getTime())).toEqual([]);
      await readings('home', 3.5);
      expect((await dueSettlements(h.store, h.clock().getTime())).map((d) => d.slotStart)).toEqual([Date.parse(SLOT)]);
      await settleDueSlots(h.store, h.clock().getTime());
      s = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/settlements?${q}`)).json();
      expect(s.changes[1]).toMatchObject({ siteId: sites.home, change: 'correction' });
      expect(s.changes[1].delta.totalCost).toBeCloseTo(0.5 * 0.3, 10);
      const orders = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/orders?from=${SLOT}&to=2024-06-01T11:15:00Z`)).json().items;
      expect(orders.map((o: { status: string }) => o.status)).toEqual(['settled', 'settled', 'settled']);
    });

    it("bills each member and shows the community's figures", async () => {
      const bills = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/bills?from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z`)).json().items;
      const bySite = Object.fromEntries(bills.map((b: { siteId: number }) => [b.siteId, b]));
      expect(bySite[sites.pv].totalCost).toBeCloseTo(-0.75, 10);
      expect(bySite[sites.home]).toMatchObject({ localBoughtKwh: 3, gridImportKwh: 0.5, currency: 'EUR', slotsSettled: 1 });
      expect(bySite[sites.home].totalCost).toBeCloseTo(0.45 + 0.06 + 0.15, 10);
      // the correction was posted on 2 June for a slot of 1 June: it is an adjustment of the next period's bill
      const next = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/bills?from=2024-06-02T00:00:00Z&to=2024-06-03T00:00:00Z&siteId=${sites.home}`)).json().items[0];
      expect(next.adjustments).toBeCloseTo(0.15, 10);
      const c = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/community?from=2024-06-01T00:00:00Z&to=2024-06-02T00:00:00Z`)).json();
      expect(c).toMatchObject({ tradedKwh: 5, averageLocalPrice: 0.15, productionKwh: 5, consumptionKwh: 6 });
      expect(c.selfSufficiency).toBeCloseTo(5 / 6, 10);
    });
  });

  describe('ledger', () => {
    it('verifies, then names a changed entry and entries cut off the end', async () => {
      const ok = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/ledger/verify`)).json();
      expect(ok.ok).toBe(true);
      expect(ok.length).toBe(await ledgerLength());
      const types = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/ledger?limit=10000`)).json().items.map((e: { type: string }) => e.type);
      expect(new Set(types)).toEqual(new Set(['order', 'clearing', 'readings', 'settlement']));
      await h.store.query(`UPDATE market_ledger SET payload = replace(payload, '"energyKwh":4', '"energyKwh":40') WHERE market_id = $1 AND sequence = 2`, [marketId]);
      const changed = (await h.call(token, 'GET', `/api/v1/markets/${marketId}/ledger/verify`)).json();
      expect(changed).toMatchObject({ ok: false, firstBad: { sequence: 2, problem: 'content-changed' } });
      await h.store.query(`UPDATE market_ledger SET payload = replace(payload, '"energyKwh":40', '"energyKwh":4') WHERE market_id = $1 AND sequence = 2`, [marketId]);
      await h.store.query('DELETE FROM market_ledger WHERE market_id = $1 AND sequence = (SELECT max(sequence) FROM market_ledger WHERE market_id = $1)', [marketId]);
      expect((await h.call(token, 'GET', `/api/v1/markets/${marketId}/ledger/verify`)).json()).toMatchObject({ ok: false, firstBad: { problem: 'head-mismatch' } });
      expect((await h.call(stranger, 'GET', `/api/v1/markets/${marketId}/ledger/verify`)).statusCode).toBe(404);
    });
  });

  describe('OpenAPI', () => {
    it('documents the market routes', async () => {
      const res = await h.app.inject({ method: 'GET', url: '/docs/json' });
      expect(res.statusCode).toBe(200);
      const paths = Object.keys(res.json().paths);
      for (const p of ['/api/v1/markets', '/api/v1/markets/{id}/orders', '/api/v1/markets/{id}/slots/{start}', '/api/v1/markets/{id}/ledger/verify', '/api/v1/markets/{id}/readings']) expect(paths).toContain(p);
    });
  });
}
