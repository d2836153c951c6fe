import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { dataCapability, dataJobs, FEED_RUN_JOB, FEEDS_DUE_JOB } from '../../src/ingest/capability.ts';
import { createQueueForStore } from '../../src/jobs/index.ts';
import { waitForState } from '../../src/jobs/testing/contract.ts';
import type { JobQueue } from '../../src/jobs/types.ts';
import { runWorker, type RunningWorker } from '../../src/jobs/worker.ts';
import { openStore } from '../../src/store/open.ts';
import { readSeries } from '../../src/store/series.ts';
import type { Store } from '../../src/store/types.ts';
import { recordedServer, type Recorded } from './recorded-server.ts';

const SMARD = readFileSync('../shared/data/prices-de-smard-2024/Gro_handelspreise_202401010000_202501010000_Stunde.csv', 'utf8');
const A44 = readFileSync('../shared/data/entsoe-xml/response-PT15M-DE-LU.xml', 'utf8');
const CHARTS = readFileSync('../shared/data/prices-de-api-samples/elecpriceforecast_energycharts.json', 'utf8');
const BEMS = readFileSync('../shared/data/ncku/NCKU_BEMS_sample_from_README.csv', 'utf8');
const NOW = '2024-12-10T12:00:00Z';

let store: Store;
let queue: JobQueue;
let app: FastifyInstance;
let worker: RunningWorker;
let server: Recorded;
const tokens: Record<string, string> = {};

async function login(account: string, role: 'member' | 'viewer', email: string): Promise<string> {
  const a = (await store.accounts.getByName(account)) ?? (await store.accounts.create(account));
  await store.users.create('all', { accountId: a.id, email, password: 'correct horse battery', role });
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email, password: 'correct horse battery' } });
  return res.json().token as string;
}

function call(who: string, method: 'GET' | 'POST', url: string, body?: string | object, type?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${tokens[who]}` };
  if (type) headers['content-type'] = type;
  return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as string }) });
}

beforeAll(async () => {
  server = await recordedServer();
  store = await openStore({ dataDir: 'memory://', migrate: true });
  queue = createQueueForStore(store, { pollingIntervalSeconds: 0.5 });
  const clock = fixedClock(NOW);
  app = await buildApp({ store, clock, webRoot: null, queue, capabilities: [dataCapability] });
  await app.ready();
  const http = { fetch: (...a: Parameters<typeof fetch>) => fetch(...a), sleep: async () => {} };
  worker = await runWorker({ queue, handlers: dataJobs({ store, clock, queue }, { http }), signals: [] });
  tokens.a = await login('Alpha', 'member', 'a@alpha.test');
  tokens.viewer = await login('Alpha', 'viewer', 'v@alpha.test');
  tokens.b = await login('Beta', 'member', 'b@beta.test');
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await app?.close();
  await store?.close();
  await server?.close();
});

describe('POST /api/v1/imports', () => {
  it('imports the whole SMARD 2024 file into one price-zone sensor per zone; again, into the same sensors', async () => {
    const res = await call('a', 'POST', '/api/v1/imports', SMARD, 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.format).toBe('smard');
    expect(body.series).toHaveLength(17);
    expect(body.written).toBe(body.series.reduce((n: number, s: { written: number }) => n + s.written, 0));
    const de = body.series.find((s: { key: string }) => s.key === 'DE-LU');
    expect(de).toMatchObject({ created: true, start: '2023-12-31T23:00:00Z', end: '2024-12-31T23:00:00Z', source: 'feed:smard' });
    const sensor = (await store.sensors.get('all', de.sensorId))!;
    expect(sensor).toMatchObject({ priceZone: 'DE-LU', quantity: 'price', siteId: null });
    const again = (await call('a', 'POST', '/api/v1/imports?name=prices.csv', SMARD, 'text/csv')).json();
    expect(again.series.find((s: { key: string }) => s.key === 'DE-LU')).toMatchObject({ sensorId: de.sensorId, created: false });
    // First hour of 2024 in Berlin: 0.10 EUR/MWh in the SMARD file.
    const first = await store.beliefs.latest({ sensorId: de.sensorId, start: Date.parse('2023-12-31T23:00:00Z'), end: Date.parse('2024-01-01T00:00:00Z') });
    expect(first.values).toEqual([0.1]);
  }, 60_000);

  it('dry run answers zones, units and values and writes nothing; viewers may not import', async () => {
    const before = (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n;
    const res = await call('a', 'POST', '/api/v1/imports?dryRun=true', A44, 'application/xml');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.series.map((s: { zone: string }) => s.zone).sort()).toEqual(['DE-LU:1', 'DE-LU:2']);
    expect(body.series[0]).toMatchObject({ unit: 'EUR/MWh', resolution: 'PT15M' });
    const one = (await call('a', 'POST', '/api/v1/imports?dryRun=true&sequence=2', A44, 'application/xml')).json();
    expect(one.series.map((s: { zone: string }) => s.zone)).toEqual(['DE-LU']);
    expect((await store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n).toBe(before);
    expect((await call('viewer', 'POST', '/api/v1/imports', A44, 'application/xml')).statusCode).toBe(403);
  });

  it('BEMS fields become site sensors; without a site the answer names it; another account\'s site is not found', async () => {
    const site = await store.sites.create({ accountId: (await store.accounts.getByName('Alpha'))!.id }, { accountId: (await store.accounts.getByName('Alpha'))!.id, name: 'NCKU', timezone: 'Asia/Taipei' });
    const noSite = await call('a', 'POST', '/api/v1/imports', BEMS, 'text/csv');
    expect(noSite.statusCode).toBe(400);
    expect(noSite.json().detail).toMatch(/site/);
    const res = await call('a', 'POST', `/api/v1/imports?siteId=${site.id}`, BEMS, 'text/csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().series[0]).toMatchObject({ key: 'NCKU', created: true });
    const sensor = (await store.sensors.list('all', { siteId: site.id }))[0];
    expect(sensor).toMatchObject({ name: 'NCKU', quantity: 'power', unit: 'kW' });
    expect((await call('b', 'POST', `/api/v1/imports?siteId=${site.id}`, BEMS, 'text/csv')).statusCode).toBe(404);
  });

  it('a truncated document is refused with its line and writes nothing', async () => {
    const before = (await store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n;
    const res = await call('a', 'POST', '/api/v1/imports', A44.slice(0, 4000), 'application/xml');
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toMatch(/line \d+/);
    expect((await store.query<{ n: number }>('SELECT count(*)::int AS n FROM beliefs'))[0].n).toBe(before);
  });
});

describe('feeds and forecasts as jobs', () => {
  it('adds a feed, runs it as a job, and shows its status; others do not see it', async () => {
    server.answers.set('/price', [{ status: 200, body: CHARTS }]);
    const created = await call('a', 'POST', '/api/v1/feeds', { name: 'DE prices', kind: 'energy-charts', config: { zone: 'DE-LU', baseUrl: server.url } });
    expect(created.statusCode, created.body).toBe(201);
    const feed = created.json();
    expect(feed).toMatchObject({ interval: 'PT1H', status: { lastSuccessAt: null, failures: 0 } });
    const bad = await call('a', 'POST', '/api/v1/feeds', { name: 'x', kind: 'wits', config: { schedule: 'PRSX' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toMatch(/schedule/);
    const run = await call('a', 'POST', `/api/v1/feeds/${feed.id}/run`);
    expect(run.statusCode).toBe(202);
    const job = await waitForState(queue, run.json().job, ['completed', 'failed']);
    expect(job.state, job.error ?? '').toBe('completed');
    expect((await call('a', 'GET', run.json().statusUrl)).json().state).toBe('completed');
    const after = (await call('a', 'GET', `/api/v1/feeds/${feed.id}`)).json();
    expect(after.status).toMatchObject({ lastSuccessAt: NOW, failures: 0, lastWritten: 48, nextRunAt: '2024-12-10T13:00:00Z' });
    expect((await call('b', 'GET', '/api/v1/feeds')).json().items).toEqual([]);
    expect((await call('b', 'POST', `/api/v1/feeds/${feed.id}/run`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${feed.id}`, headers: { authorization: `Bearer ${tokens.b}` } })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/feeds/${feed.id}`, headers: { authorization: `Bearer ${tokens.a}` } })).statusCode).toBe(204);
    expect((await call('a', 'GET', '/api/v1/feeds')).json().items).toEqual([]);
  }, 30_000);

  it('the periodic feeds-due job runs every due feed as a job; a failed run fails its job and shows in the status', async () => {
    server.answers.set('/api', [{ status: 401, body: 'Unauthorized' }]);
    const feed = (await call('a', 'POST', '/api/v1/feeds', { name: 'NL day-ahead', kind: 'entsoe', config: { zone: 'NL', baseUrl: `${server.url}/api` }, secrets: { token: 'bad' } })).json();
    const due = await queue.enqueue(FEEDS_DUE_JOB, {});
    const done = await waitForState(queue, due, ['completed', 'failed']);
    expect(done.result).toEqual({ enqueued: [feed.id] });
    const runs = await queue.list({ name: FEED_RUN_JOB });
    const run = runs.find((j) => (j.data as { feedId: number }).feedId === feed.id)!;
    const failed = await waitForState(queue, run.id, ['completed', 'failed']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/NL day-ahead.*HTTP 401/);
    const status = (await call('a', 'GET', `/api/v1/feeds/${feed.id}`)).json().status;
    expect(status).toMatchObject({ failures: 1, lastSuccessAt: null, lastErrorAt: NOW, nextRunAt: '2024-12-10T12:01:00Z' });
    expect(status.lastError).toMatch(/401/);
    // Not due again until its retry time: the next tick enqueues nothing.
    const again = await waitForState(queue, await queue.enqueue(FEEDS_DUE_JOB, {}), ['completed', 'failed']);
    expect(again.result).toEqual({ enqueued: [] });
  }, 30_000);

  it('a forecast job stores seasonal-naive values as forecaster beliefs made now', async () => {
    const sensor = (await store.sensors.list('all', { priceZone: 'DE-LU' }))[0];
    const res = await call('a', 'POST', `/api/v1/sensors/${sensor.id}/forecasts`, { method: 'seasonal-naive-day', horizon: 'PT24H' });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitForState(queue, res.json().job, ['completed', 'failed']);
    expect(job.state, job.error ?? '').toBe('completed');
    expect(job.result).toMatchObject({ method: 'seasonal-naive-day', start: NOW, beliefTime: NOW, slots: 24 });
    const now = Date.parse(NOW);
    const source = (await store.sources.list()).find((s) => s.kind === 'forecaster' && s.name === 'seasonal-naive-day')!;
    const forecast = await readSeries(store, sensor, { start: now, end: now + 86_400_000, sourceIds: [source.id] });
    const yesterday = await readSeries(store, sensor, { start: now - 86_400_000, end: now, sourceKinds: ['feed'] });
    // Each of the next 24 hours repeats the same hour of the last day known: the 24 hours before now.
    expect(forecast.values).toEqual(yesterday.values);
    expect(forecast.values.every((v) => typeof v === 'number')).toBe(true);
    expect((await call('b', 'POST', `/api/v1/sensors/${sensor.id}/forecasts`, { method: 'regression' })).statusCode).toBe(404);
    expect((await call('a', 'POST', `/api/v1/sensors/${sensor.id}/forecasts`, { method: 'magic' })).statusCode).toBe(400);
  }, 30_000);
});
