/**
 * Market clearing speed: 100,000 orders in one slot (against sorting the same orders by price, the floor any
 * merit-order clearing stands on), and a day of 96 slots with 2,000 orders each.
 */
import { clearSlot } from '../src/market/clearing.ts';
import type { BookOrder } from '../src/market/types.ts';
import { appendEntries, verifyChain } from '../src/ledger/chain.ts';
import { generateMeterKeys, signReadingBatch, verifyReadingBatch } from '../src/ledger/signing.ts';

function randomBook(n: number, seed: number, prefix: string): BookOrder[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const orders: BookOrder[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const side = rnd() < 0.5 ? 'buy' : 'sell';
    const limitPrice = Math.round((side === 'buy' ? 0.05 + rnd() * 0.3 : 0.02 + rnd() * 0.3) * 1000) / 1000;
    orders[k] = { id: `${prefix}${k}`, member: `site-${Math.floor(rnd() * n / 4)}`, side, energyKwh: Math.round(1 + rnd() * 9999) / 1000, limitPrice, submittedAt: Math.floor(rnd() * 900_000) };
  }
  return orders;
}

/** Best of `runs`: wall time, and the process's CPU time (user + system), which other load on the machine disturbs less. */
function bestOf(runs: number, fn: () => void): { wall: number; cpu: number } {
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < runs; r++) {
    const c = process.cpuUsage();
    const t = performance.now();
    fn();
    wall = Math.min(wall, performance.now() - t);
    const used = process.cpuUsage(c);
    cpu = Math.min(cpu, (used.user + used.system) / 1000);
  }
  return { wall, cpu };
}

function best(runs: number, fn: () => void): number {
  return bestOf(runs, fn).wall;
}

function emitBoth(name: string, runs: number, fn: () => void): void {
  const { wall, cpu } = bestOf(runs, fn);
  emit(name, wall, 'ms');
  emit(`${name} (cpu)`, cpu, 'ms');
}

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
}

const big = randomBook(100_000, 42, 'o');
for (let w = 0; w < 3; w++) clearSlot(big);
emitBoth('market.clear.100k-orders.one-slot', 7, () => clearSlot(big));
emitBoth('market.sort.100k-orders.by-price (reference)', 7, () => [...big].sort((a, b) => a.limitPrice - b.limitPrice));
emit('market.clear.100k-orders.pay-as-bid', best(5, () => clearSlot(big, 'pay-as-bid')), 'ms');

const day = Array.from({ length: 96 }, (_, slot) => randomBook(2000, 1000 + slot, `s${slot}-`));
for (const book of day.slice(0, 10)) clearSlot(book);
emitBoth('market.clear.day-96-slots-x-2000-orders', 5, () => {
  for (const book of day) clearSlot(book);
});

const items = Array.from({ length: 10_000 }, (_, k) => ({ time: '2026-06-01T10:00:00Z', type: 'order', payload: { id: `o${k}`, member: `site-${k % 50}`, side: 'buy', energyKwh: 1.5, limitPrice: 0.21 } }));
let chain = appendEntries('bench', null, items);
emit('ledger.append.10k-entries', best(3, () => { chain = appendEntries('bench', null, items); }), 'ms');
emit('ledger.verify.10k-entries', best(3, () => { if (!verifyChain('bench', chain).ok) throw new Error('chain does not verify'); }), 'ms');

const keys = generateMeterKeys();
const batch = { meterId: 'm1', site: 's1', readings: Array.from({ length: 96 }, (_, k) => ({ slotStart: new Date(Date.UTC(2026, 5, 1) + k * 900_000).toISOString(), energyKwh: 0.25 })) };
const signed = signReadingBatch(batch, keys.privateKeyPem);
const verifyMs = best(3, () => { for (let k = 0; k < 200; k++) verifyReadingBatch(signed, keys.publicKeyPem); });
emit('ledger.verify-signed-batch.96-readings', (200 / verifyMs) * 1000, 'batches/s');

// Accepting orders over HTTP: a loopback server with the market routes, each request one order (its ledger
// entry in the same transaction), on the embedded PGlite and on PostgreSQL. The load generator runs in the
// same process, so the figures are a floor.
await acceptOrdersOverHttp('pglite');
await acceptOrdersOverHttp('postgres');

async function acceptOrdersOverHttp(backend: 'pglite' | 'postgres'): Promise<void> {
  const { default: autocannon } = await import('autocannon');
  const { buildApp } = await import('../src/api/app.ts');
  const { openStore } = await import('../src/store/open.ts');
  const { marketCapability } = await import('../src/market/capability.ts');
  const { marketsRepo } = await import('../src/market/store/markets.ts');
  const { verifyMarketLedger } = await import('../src/market/store/ledger.ts');
  const url = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `bench_market_${process.pid}`;
  const store = backend === 'pglite' ? await openStore({ dataDir: 'memory://', migrate: true }) : await openStore({ databaseUrl: url, schema, migrate: true });
  const app = await buildApp({ store, webRoot: null, queue: {} as never, capabilities: [marketCapability], rateLimitPerMinute: 100_000_000 });
  try {
    const account = await store.accounts.create('bench');
    const user = await store.users.create('all', { accountId: account.id, email: 'b@bench.test', password: 'bench password', role: 'member' });
    const { token } = await store.tokens.create(user.id, { name: 'bench' }, Date.now());
    const market = await marketsRepo(store).create(account.id, { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'UTC', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.05 }, Date.now());
    const sites: number[] = [];
    for (let k = 0; k < 20; k++) {
      const s = await store.sites.create({ accountId: account.id }, { accountId: account.id, name: `s${k}`, timezone: 'UTC' });
      await marketsRepo(store).putMember(market, { siteId: s.id }, Date.now());
      sites.push(s.id);
    }
    const slot = new Date(Math.ceil(Date.now() / 900_000) * 900_000 + 86_400_000).toISOString();
    // the storage path alone (checks, batched insert, ledger), 2,000 orders arriving at once
    const { createOrders } = await import('../src/market/store/orders.ts');
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 2000 }, (_, k) => createOrders(store, market, { member: String(sites[k % sites.length]), side: k % 2 ? 'buy' : 'sell', energyKwh: 1, limitPrice: 0.1, slot }, Date.now())));
    emit(`market.store.accept-orders.${backend}`, 2000 / ((performance.now() - t0) / 1000), 'orders/s');
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    let n = 0;
    const run = (duration: number, connections = 16) => autocannon({
      url: `${base}/api/v1/markets/${market.dbId}/orders`, method: 'POST', connections, duration,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      setupClient: (client: { setBody(b: string): void; on(e: string, f: () => void): void }) => {
        const next = () => { n++; client.setBody(JSON.stringify({ siteId: sites[n % sites.length], side: n % 2 ? 'buy' : 'sell', energyKwh: 1 + (n % 7), limitPrice: 0.05 + (n % 13) * 0.01, slot })); };
        next();
        client.on('response', next);
      },
    });
    await run(2);
    const cpu = process.cpuUsage();
    const r = await run(10);
    const used = process.cpuUsage(cpu);
    if (r.non2xx > 0 || r.errors > 0) console.error(`orders over HTTP (${backend}): ${r.non2xx} non-2xx, ${r.errors} errors`);
    emit(`market.http.accept-orders.${backend}`, r.requests.average, 'orders/s');
    emit(`market.http.accept-orders.${backend}.p99-latency`, r.latency.p99, 'ms');
    // CPU of this process (server, load generator and, on PGlite, the database) per order: less disturbed by other load than the rate
    emit(`market.http.accept-orders.${backend}.cpu-per-order`, (used.user + used.system) / r.requests.total, 'µs');
    // 64 clients: larger batches per statement (with 16, each client waits for the commit of its batch)
    const wide = await run(10, 64);
    if (wide.non2xx > 0 || wide.errors > 0) console.error(`orders over HTTP, 64 connections (${backend}): ${wide.non2xx} non-2xx, ${wide.errors} errors`);
    emit(`market.http.accept-orders.${backend}.64-connections`, wide.requests.average, 'orders/s');
    emit(`market.http.accept-orders.${backend}.64-connections.p99-latency`, wide.latency.p99, 'ms');
    const v = await verifyMarketLedger(store, market.dbId);
    if (!v.ok) throw new Error(`ledger does not verify after the load: ${JSON.stringify(v)}`);
  } finally {
    await app.close();
    if (backend === 'postgres') await store.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await store.close();
  }
}
