import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.ts';
import { startPlatformJobs, type PlatformJobs } from '../../src/jobs/platform.ts';
import { waitForState } from '../../src/jobs/testing/contract.ts';
import { DATABASE_URL, dropSchemas, sql, uniqueSchema } from '../../src/jobs/testing/postgres.ts';
import { MARKET_CLEAR_JOB, MARKET_SETTLE_JOB, marketCapability } from '../../src/market/capability.ts';
import { verifyMarketLedger } from '../../src/market/store/ledger.ts';
import { marketsRepo, type Market } from '../../src/market/store/markets.ts';
import { createOrders } from '../../src/market/store/orders.ts';
import { listSettlements } from '../../src/market/store/settlement.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

/** The market's minute jobs as the platform runs them: registered with pg-boss, scheduled, worked on by the queue. */
const schema = uniqueSchema('market_jobs');
const T0 = Date.parse('2024-06-01T10:00:00Z');
const SLOT = Date.parse('2024-06-01T11:00:00Z');
const clock = fixedClock(new Date(T0));
let store: Store;
let jobs: PlatformJobs;
let market: Market;
const sites: number[] = [];
const meters: number[] = [];

beforeAll(async () => {
  store = await openStore({ databaseUrl: DATABASE_URL, schema, migrate: true });
  jobs = await startPlatformJobs({ store, clock, capabilities: [marketCapability], pollingIntervalSeconds: 0.5 });
  const account = await store.accounts.create('Street');
  const scope = { accountId: account.id };
  market = await marketsRepo(store).create(account.id, { name: 'm', slot: 'PT15M', gateClosure: 'PT5M', timeZone: 'Europe/Berlin', currency: 'EUR', retailPrice: 0.3, feedInTariff: 0.05 }, T0);
  for (const name of ['pv', 'home']) {
    const site = await store.sites.create(scope, { accountId: account.id, name, timezone: 'Europe/Berlin' });
    const meter = await store.sensors.create(scope, { name: `${name} meter`, quantity: 'energy', unit: 'kWh', resolutionMs: 900_000, siteId: site.id });
    await marketsRepo(store).putMember(market, { siteId: site.id, meterSensorId: meter.id }, T0);
    sites.push(site.id);
    meters.push(meter.id);
  }
  const slot = new Date(SLOT).toISOString();
  await createOrders(store, market, { member: String(sites[0]), side: 'sell', energyKwh: 3, limitPrice: 0.1, slot }, T0);
  await createOrders(store, market, { member: String(sites[1]), side: 'buy', energyKwh: 2, limitPrice: 0.2, slot }, T0);
}, 60_000);

afterAll(async () => {
  await jobs?.stop();
  await store?.close();
  await dropSchemas(`${schema}_pgboss`, schema);
});

async function run(name: string): Promise<unknown> {
  const id = await jobs.queue.enqueue(name, {});
  const job = await waitForState(jobs.queue, id, ['completed', 'failed'], 30_000);
  expect(job.state).toBe('completed');
  return job.result;
}

describe('market jobs through the job queue', () => {
  it('are scheduled every minute', async () => {
    const rows = await sql(`SELECT name, cron FROM ${schema}_pgboss.schedule WHERE name LIKE 'market-%' ORDER BY name`);
    expect(rows.rows).toEqual([{ name: MARKET_CLEAR_JOB, cron: '* * * * *' }, { name: MARKET_SETTLE_JOB, cron: '* * * * *' }]);
  });

  it('clear the slot at its gate once, then settle it when readings arrive, and again only when one is corrected', async () => {
    clock.set(new Date(SLOT - 5 * 60_000));
    expect(await run(MARKET_CLEAR_JOB)).toEqual({ cleared: [{ marketId: market.dbId, slot: '2024-06-01T11:00:00Z', price: 0.1, volumeKwh: 2 }] });
    expect(await run(MARKET_CLEAR_JOB)).toEqual({ cleared: [] });

    clock.set(new Date(SLOT + 15 * 60_000));
    expect(await run(MARKET_SETTLE_JOB)).toMatchObject({ settled: [{ slot: '2024-06-01T11:00:00Z', written: 2 }] });
    expect((await listSettlements(store, market.dbId, SLOT, SLOT + 1)).map((s) => s.status)).toEqual(['awaiting-data', 'awaiting-data']);

    const meter = await store.sources.ensure({ kind: 'meter', name: 'meters' });
    await store.beliefs.write([
      { sensorId: meters[0], sourceId: meter.id, beliefTime: SLOT + 16 * 60_000, start: SLOT, resolutionMs: 900_000, values: [-3] },
      { sensorId: meters[1], sourceId: meter.id, beliefTime: SLOT + 16 * 60_000, start: SLOT, resolutionMs: 900_000, values: [2.5] },
    ]);
    clock.set(new Date(SLOT + 17 * 60_000));
    expect(await run(MARKET_SETTLE_JOB)).toEqual({ settled: [{ marketId: market.dbId, slot: '2024-06-01T11:00:00Z', written: 2, changes: [`${sites[0]}:late`, `${sites[1]}:late`] }] });
    expect(await run(MARKET_SETTLE_JOB)).toEqual({ settled: [] });

    await store.beliefs.write([{ sensorId: meters[1], sourceId: meter.id, beliefTime: SLOT + 60 * 60_000, start: SLOT, resolutionMs: 900_000, values: [2] }]);
    clock.set(new Date(SLOT + 61 * 60_000));
    expect(await run(MARKET_SETTLE_JOB)).toEqual({ settled: [{ marketId: market.dbId, slot: '2024-06-01T11:00:00Z', written: 1, changes: [`${sites[1]}:correction`] }] });
    const [pv, home] = await listSettlements(store, market.dbId, SLOT, SLOT + 1);
    expect(pv).toMatchObject({ status: 'settled', meteredKwh: -3, gridExportKwh: 1 });
    expect(home).toMatchObject({ status: 'settled', meteredKwh: 2, gridImportKwh: 0 });
    expect(await verifyMarketLedger(store, market.dbId)).toMatchObject({ ok: true });
  });
});
