import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { parseEntsoeA44 } from '../../src/ingest/formats/entsoe.ts';
import { tradingPeriodStart, parseNzFinalPrices } from '../../src/ingest/formats/nz.ts';
import { feedsRepo, type Feed } from '../../src/ingest/feeds/repo.ts';
import { runFeed } from '../../src/ingest/feeds/run.ts';
import type { FetchPolicy, HttpDeps } from '../../src/ingest/feeds/http.ts';
import { importParsed } from '../../src/ingest/store-import.ts';
import { describeStores } from '../../src/store/test-helpers.ts';
import type { Store } from '../../src/store/types.ts';
import { recordedServer, type Recorded } from './recorded-server.ts';

const A44 = readFileSync('../shared/data/entsoe-xml/response-PT15M-DE-LU.xml', 'utf8');
const CHARTS = readFileSync('../shared/data/prices-de-api-samples/elecpriceforecast_energycharts.json', 'utf8');
// A generous time limit: the machine running the tests may be busy; only the time-out test uses a short one.
const POLICY: FetchPolicy = { timeoutMs: 10_000, retries: 2, baseDelayMs: 1000, maxWaitMs: 60_000 };

let server: Recorded;
let waits: number[];
const http: HttpDeps = { fetch: (...a) => fetch(...a), sleep: async (ms) => void waits.push(ms) };

beforeAll(async () => {
  server = await recordedServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.answers.clear();
  server.requests.length = 0;
  waits = [];
});

async function beliefCount(store: Store): Promise<number> {
  return (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n;
}

describeStores('price feeds against a recorded server', (ctx) => {
  let accountId: number;
  let n = 0;
  const repo = () => feedsRepo(ctx.store);
  const addFeed = async (kind: string, config: Record<string, unknown>, secrets: Record<string, unknown> = {}, now = Date.UTC(2025, 9, 31, 18)): Promise<Feed> =>
    repo().create({ accountId, name: `feed ${++n}`, kind, config: { ...config, baseUrl: server.url }, secrets }, now);

  beforeAll(async () => {
    accountId = (await ctx.store.accounts.create('Feeds')).id;
  });

  it('ENTSO-E day-ahead: sends the token and zone, stores every price with the document time as belief time', async () => {
    server.answers.set('/', [{ status: 200, body: A44, headers: { 'content-type': 'application/xml' } }]);
    const now = Date.UTC(2025, 9, 31, 18);
    const feed = await addFeed('entsoe', { zone: 'DE-LU', sequence: 1 }, { token: 's3cret' }, now);
    const r = await runFeed(ctx.store, feed, now, { http, policy: POLICY });
    expect(r.error).toBeNull();
    const q = new URL(server.requests[0].url, server.url).searchParams;
    expect(Object.fromEntries(q)).toMatchObject({ securityToken: 's3cret', documentType: 'A44', in_Domain: '10Y1001A1001A82H', periodStart: '202510310000', periodEnd: '202511020000' });
    const expected = parseEntsoeA44(A44, { sequence: 1 }).series[0];
    const sensor = (await ctx.store.sensors.list('all', { accountId, priceZone: 'DE-LU' }))[0];
    expect(sensor).toMatchObject({ quantity: 'price', unit: 'EUR/MWh', resolutionMs: expected.resolutionMs });
    const stored = await ctx.store.beliefs.latest({ sensorId: sensor.id, start: expected.start, end: expected.start + expected.values.length * expected.resolutionMs });
    expect(stored.values).toEqual(expected.values);
    const history = await ctx.store.beliefs.history({ sensorId: sensor.id, start: expected.start, end: expected.start + expected.resolutionMs });
    expect(history[0].beliefTime).toBe(Date.parse('2025-10-31T17:50:03Z'));
    const status = (await repo().get('all', feed.id))!;
    expect(status).toMatchObject({ lastSuccessAt: now, failures: 0, lastError: null, nextRunAt: now + 3_600_000, lastWritten: r.written });
    expect(JSON.stringify(await repo().list('all'))).not.toContain('s3cret');
  });

  it('401: not retried, nothing stored, the error and the next try show in the status', async () => {
    server.answers.set('/', [{ status: 401, body: '<Acknowledgement>Unauthorized</Acknowledgement>' }]);
    const before = await beliefCount(ctx.store);
    const now = Date.UTC(2025, 9, 31, 19);
    const feed = await addFeed('entsoe', { zone: 'DE-LU' }, { token: 'wrong' }, now);
    const r = await runFeed(ctx.store, feed, now, { http, policy: POLICY });
    expect(r.ok).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(r.error).toMatch(/HTTP 401/);
    expect(r.error).not.toContain('wrong');
    expect(await beliefCount(ctx.store)).toBe(before);
    expect(await repo().get('all', feed.id)).toMatchObject({ failures: 1, lastSuccessAt: null, lastErrorAt: now, nextRunAt: now + 60_000 });
    expect((await repo().get('all', feed.id))!.lastError).toMatch(/401/);
  });

  it('429 with Retry-After: waits as asked, then stores', async () => {
    server.answers.set('/price', [{ status: 429, body: 'slow down', headers: { 'retry-after': '7' } }, { status: 200, body: CHARTS }]);
    const now = Date.UTC(2024, 11, 10, 12);
    const feed = await addFeed('energy-charts', { zone: 'DE-LU' }, {}, now);
    const r = await runFeed(ctx.store, feed, now, { http, policy: POLICY });
    expect(r.error).toBeNull();
    expect(waits).toEqual([7000]);
    expect(r.written).toBe(48 * 4); // 48 hours into the PT15M DE-LU sensor the ENTSO-E feed made
    const q = new URL(server.requests[1].url, server.url).searchParams;
    expect(q.get('bzn')).toBe('DE-LU');
    const sensor = (await ctx.store.sensors.list('all', { accountId, priceZone: 'DE-LU' }))[0];
    const day = await ctx.store.beliefs.latest({ sensorId: sensor.id, start: Date.UTC(2024, 11, 9, 23), end: Date.UTC(2024, 11, 10, 2) });
    // energy-charts is hourly; the DE-LU sensor made by the PT15M ENTSO-E feed takes each hour as four quarter-hours.
    expect(day.values.slice(0, 5)).toEqual([92.85, 92.85, 92.85, 92.85, 89.33]);
  });

  it('500 every time: retries with a doubling delay, then fails and stores nothing', async () => {
    server.answers.set('/price', [{ status: 500, body: 'oops' }]);
    const before = await beliefCount(ctx.store);
    const feed = await addFeed('energy-charts', { zone: 'FR' });
    const r = await runFeed(ctx.store, feed, Date.UTC(2025, 0, 1), { http, policy: POLICY });
    expect(server.requests).toHaveLength(3);
    expect(waits).toEqual([1000, 2000]);
    expect(r.error).toMatch(/HTTP 500: oops/);
    expect(await beliefCount(ctx.store)).toBe(before);
    expect(await ctx.store.sensors.list('all', { accountId, priceZone: 'FR' })).toEqual([]);
  });

  it('a time-out and a body cut short are retried and reported; a truncated document writes nothing', async () => {
    server.answers.set('/', [{ hang: true }]);
    const before = await beliefCount(ctx.store);
    const slow = await addFeed('entsoe', { zone: 'NL' }, { token: 't' });
    const r1 = await runFeed(ctx.store, slow, Date.UTC(2025, 9, 31, 18), { http, policy: { ...POLICY, timeoutMs: 300, retries: 0 } });
    expect(r1.error).toMatch(/no answer within 300 ms/);

    server.answers.set('/', [{ truncate: A44.slice(0, 3000) }]);
    const cut = await addFeed('entsoe', { zone: 'BE' }, { token: 't' });
    const r2 = await runFeed(ctx.store, cut, Date.UTC(2025, 9, 31, 18), { http, policy: POLICY });
    expect(server.requests.length).toBeGreaterThanOrEqual(4);
    expect(r2.error).toMatch(/broke off|terminated|other side closed/);

    server.answers.set('/', [{ status: 200, body: A44.slice(0, 5000) }]);
    const partial = await addFeed('entsoe', { zone: 'AT' }, { token: 't' });
    const r3 = await runFeed(ctx.store, partial, Date.UTC(2025, 9, 31, 18), { http, policy: POLICY });
    expect(r3.error).toMatch(/ends early/);
    expect(await beliefCount(ctx.store)).toBe(before);
    expect((await repo().get('all', partial.id))!.failures).toBe(1);
  });

  it('WITS: client credentials, newest forecast wins per slot, a final price supersedes, as-of gives what was known', async () => {
    const rec = (p: number, price: number, run: string) => {
      const t = tradingPeriodStart('2024-05-01', p);
      return { node: 'OTA2201', tradingDateTime: `${new Date(t + 12 * 3_600_000).toISOString().slice(0, 19)}+12:00`, tradingPeriod: p, price, lastRunTime: run };
    };
    const run1 = [{ schedule: 'PRSS', prices: [rec(20, 100, '2024-05-01T09:00:00+12:00'), rec(21, 110, '2024-05-01T09:00:00+12:00'), rec(22, 120, '2024-05-01T09:00:00+12:00')] }];
    const run2 = [{ schedule: 'PRSS', prices: [rec(21, 150, '2024-05-01T09:30:00+12:00'), rec(22, 160, '2024-05-01T09:30:00+12:00')] }];
    server.answers.set('/login/oauth2/token', [{ status: 200, body: JSON.stringify({ access_token: 'tok-1', expires_in: 3600 }) }]);
    server.answers.set('/api/market-prices', [{ status: 200, body: JSON.stringify(run1) }, { status: 200, body: JSON.stringify(run2) }]);
    const feed = await addFeed('wits', { schedule: 'PRSS', nodes: ['OTA2201'] }, { clientId: 'me', clientSecret: 'pw' });
    expect(feed.intervalMs).toBe(1_800_000);
    expect((await runFeed(ctx.store, feed, Date.parse('2024-04-30T21:05:00Z'), { http, policy: POLICY })).error).toBeNull();
    expect((await runFeed(ctx.store, feed, Date.parse('2024-04-30T21:35:00Z'), { http, policy: POLICY })).error).toBeNull();
    const token = server.requests.find((r) => r.url.startsWith('/login'))!;
    expect(token.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(token.body))).toEqual({ grant_type: 'client_credentials', client_id: 'me', client_secret: 'pw' });
    expect(server.requests.find((r) => r.url.startsWith('/api'))!.headers.authorization).toBe('Bearer tok-1');

    const sensor = (await ctx.store.sensors.list('all', { accountId, priceZone: 'OTA2201' }))[0];
    const t20 = tradingPeriodStart('2024-05-01', 20);
    const q = { sensorId: sensor.id, start: t20, end: t20 + 3 * 1_800_000 };
    expect((await ctx.store.beliefs.latest(q)).values).toEqual([100, 150, 160]);
    expect((await ctx.store.beliefs.latest({ ...q, asOf: Date.parse('2024-05-01T09:10:00+12:00') })).values).toEqual([100, 110, 120]);
    const source = (await ctx.store.sources.list()).find((s) => s.name === 'wits PRSS');
    expect(source?.kind).toBe('forecaster');

    const final = parseNzFinalPrices(['Trading_date,Trading_period,Node,Price', ...Array.from({ length: 48 }, (_, i) => `2024-05-01,${i + 1},OTA2201,${i === 20 ? 99 : 50}`)].join('\n'));
    await importParsed(ctx.store, 'all', final, { accountId }, { beliefTime: Date.parse('2024-05-02T12:00:00+12:00'), sourceName: 'emi' });
    expect((await ctx.store.beliefs.latest(q)).values).toEqual([50, 99, 50]);
    expect((await ctx.store.beliefs.latest({ ...q, asOf: Date.parse('2024-05-01T12:00:00+12:00') })).values).toEqual([100, 150, 160]);
  });
});
