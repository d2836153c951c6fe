import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDueSlots } from '../../src/market/capability.ts';
import { clearSlotOnce } from '../../src/market/store/clearing.ts';
import { marketsRepo, type Market } from '../../src/market/store/markets.ts';
import { createOrders } from '../../src/market/store/orders.ts';
import { marketHarness, type MarketHarness } from './harness.ts';

let h: MarketHarness;
let token: string;
let market: Market;
let sites: number[];
let base: string;
const T0 = Date.parse('2024-06-01T10:00:00Z');
const slot = (k: number) => Date.parse('2024-06-01T11:00:00Z') + k * 900_000;

async function book(k: number, at = T0): Promise<void> {
  const iso = new Date(slot(k)).toISOString();
  await createOrders(h.store, market, { member: String(sites[0]), side: 'sell', energyKwh: 2, limitPrice: 0.1, slot: iso }, at);
  await createOrders(h.store, market, { member: String(sites[1]), side: 'buy', energyKwh: 1, limitPrice: 0.2, slot: iso }, at);
}

beforeAll(async () => {
  h = await marketHarness({ start: '2024-06-01T10:00:00Z' });
  const login = await h.login('Street');
  token = login.token;
  market = await marketsRepo(h.store).create(login.accountId, { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.05 }, T0);
  sites = [];
  for (const name of ['a', 'b']) {
    const s = await h.store.sites.create({ accountId: login.accountId }, { accountId: login.accountId, name, timezone: 'Europe/Berlin' });
    await marketsRepo(h.store).putMember(market, { siteId: s.id }, T0);
    sites.push(s.id);
  }
  base = await h.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => h.close());

/** Reads `event: cleared` messages from the stream until `count` arrived. */
async function readEvents(res: Response, count: number): Promise<{ slot: string; price: number; volumeKwh: number }[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const events: { slot: string; price: number; volumeKwh: number }[] = [];
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      if (block.startsWith('event: cleared')) events.push(JSON.parse(block.split('\n').find((l) => l.startsWith('data: '))!.slice(6)));
    }
  }
  await reader.cancel();
  return events;
}

describe('GET /api/v1/markets/{id}/events', () => {
  it('streams each slot cleared after the client connects, by this process or another', async () => {
    await book(0);
    await book(1);
    const res = await fetch(`${base}/api/v1/markets/${market.dbId}/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reading = readEvents(res, 2);
    await clearDueSlots(h.store, slot(0) - 5 * 60_000);
    // cleared without an announcement here, as a worker in another process would: found by polling
    await clearSlotOnce(h.store, market.dbId, slot(1), slot(1) - 5 * 60_000);
    const events = await reading;
    expect(events).toEqual([
      expect.objectContaining({ slot: '2024-06-01T11:00:00Z', price: 0.1, volumeKwh: 1 }),
      expect.objectContaining({ slot: '2024-06-01T11:15:00Z', price: 0.1, volumeKwh: 1 }),
    ]);
  }, 20_000);

  it("another account's market is not found", async () => {
    const other = await h.login('Other');
    const res = await fetch(`${base}/api/v1/markets/${market.dbId}/events`, { headers: { authorization: `Bearer ${other.token}` } });
    expect(res.status).toBe(404);
  });
});

describe('an order that reaches the store after its slot cleared', () => {
  it('is refused and nothing is written', async () => {
    await book(4);
    await clearSlotOnce(h.store, market.dbId, slot(4), slot(4) - 5 * 60_000);
    const before = await h.store.query('SELECT count(*) AS n FROM market_orders');
    // checked a moment before the gate, stored after the clearing
    await expect(createOrders(h.store, market, { member: String(sites[1]), side: 'buy', energyKwh: 1, limitPrice: 0.2, slot: new Date(slot(4)).toISOString() }, slot(4) - 5 * 60_000 - 1))
      .rejects.toThrow(/already been cleared/);
    expect(await h.store.query('SELECT count(*) AS n FROM market_orders')).toEqual(before);
  });

  it('among orders arriving together, only the refused one fails; the others are stored and on the ledger', async () => {
    const at = slot(4) - 5 * 60_000 - 1;
    const ok = (k: number) => createOrders(h.store, market, { member: String(sites[k % 2]), side: 'buy', energyKwh: 1 + k, limitPrice: 0.2, slot: new Date(slot(6)).toISOString() }, at);
    const late = createOrders(h.store, market, { member: String(sites[1]), side: 'buy', energyKwh: 1, limitPrice: 0.2, slot: new Date(slot(4)).toISOString() }, at);
    const results = await Promise.allSettled([ok(0), ok(1), late, ok(2), ok(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const stored = await h.store.query<{ energy_kwh: number }>('SELECT energy_kwh FROM market_orders WHERE slot_start = $1 ORDER BY id', [slot(6)]);
    expect(stored.map((r) => Number(r.energy_kwh))).toEqual([1, 2, 3, 4]);
    const { verifyMarketLedger } = await import('../../src/market/store/ledger.ts');
    expect(await verifyMarketLedger(h.store, market.dbId)).toMatchObject({ ok: true });
  });
});
