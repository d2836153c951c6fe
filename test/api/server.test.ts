import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { RETENTION_JOB } from '../../src/jobs/platform.ts';
import { DEMO_LOGIN } from '../../src/ingest/demo.ts';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `srv_${process.pid}_${Date.now() % 100000}`;

async function dropSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS ${schema}_pgboss CASCADE`);
  await client.end();
}

async function json(res: Response): Promise<any> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${body}`);
  return body ? JSON.parse(body) : null;
}

/** The real server on a loopback port: log in, make a site and a sensor, send and read data, run a job. */
async function roundTrip(srv: RunningServer): Promise<void> {
  const { token } = await json(await fetch(`${srv.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_LOGIN) }));
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const sites = await json(await fetch(`${srv.url}/api/v1/sites`, { headers: auth }));
  expect(sites.items.map((s: { name: string }) => s.name)).toContain('Demo house');

  const prices = await json(await fetch(`${srv.url}/api/v1/sensors?siteId=${sites.items[0].id}`, { headers: auth }));
  const price = prices.items.find((s: { quantity: string }) => s.quantity === 'price');
  const day = await json(await fetch(`${srv.url}/api/v1/sensors/${price.id}/data?start=2024-01-01T00:00:00%2B01:00&end=2024-01-02T00:00:00%2B01:00`, { headers: auth }));
  // The first hours of 2024 in the SMARD file: 0,10; 0,01; 0,00; -0,01 EUR/MWh.
  expect(day.values.slice(0, 4)).toEqual([0.1, 0.01, 0, -0.01]);
  expect(day.values).toHaveLength(24);
  // What was known on 2023-12-31 at 11:00 (before the day-ahead auction): nothing for New Year's Day.
  const before = await json(await fetch(`${srv.url}/api/v1/sensors/${price.id}/data?start=2024-01-01T00:00:00%2B01:00&end=2024-01-02T00:00:00%2B01:00&asOf=2023-12-31T11:00:00%2B01:00`, { headers: auth }));
  expect(before.values.every((v: number | null) => v === null)).toBe(true);

  const site = await json(await fetch(`${srv.url}/api/v1/sites`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'Loopback', timezone: 'Europe/Berlin' }) }));
  const sensor = await json(await fetch(`${srv.url}/api/v1/sensors`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'old', quantity: 'power', unit: 'kW', resolution: 'PT15M', siteId: site.id, retention: 'P30D' }) }));
  const written = await json(await fetch(`${srv.url}/api/v1/sensors/${sensor.id}/data`, { method: 'POST', headers: auth, body: JSON.stringify({ start: '2020-01-01T00:00:00Z', resolution: 'PT15M', unit: 'kW', values: [1, 2, 3] }) }));
  expect(written.written).toBe(3);
  const q = `${srv.url}/api/v1/sensors/${sensor.id}/data?start=2020-01-01T00:00:00Z&end=2020-01-01T00:45:00Z`;
  expect((await json(await fetch(q, { headers: auth }))).values).toEqual([1, 2, 3]);

  // The periodic retention job, run now by the in-process worker, purges beliefs past the sensor's retention.
  const id = await srv.jobs.queue.enqueue(RETENTION_JOB, {});
  let job = await srv.jobs.queue.get(id);
  for (let i = 0; i < 120 && job?.state !== 'completed' && job?.state !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 250));
    job = await srv.jobs.queue.get(id);
  }
  expect(job?.state).toBe('completed');
  expect((job?.result as { deleted: number }).deleted).toBeGreaterThanOrEqual(3);
  expect((await json(await fetch(q, { headers: auth }))).values).toEqual([null, null, null]);

  // Job status through the API: a job of the caller's account is visible, a platform job is not.
  const me = await json(await fetch(`${srv.url}/api/v1/me`, { headers: auth }));
  const mine = await srv.jobs.queue.enqueue('nobody-works-on-this', { accountId: me.account.id });
  expect(await json(await fetch(`${srv.url}/api/v1/jobs/${mine}`, { headers: auth }))).toMatchObject({ id: mine, state: 'queued', attempts: 0 });
  expect((await fetch(`${srv.url}/api/v1/jobs/${id}`, { headers: auth })).status).toBe(404);
  expect((await fetch(`${srv.url}/api/v1/jobs/not-a-job`, { headers: auth })).status).toBe(404);
}

describe('the real server on a loopback port', () => {
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    await dropSchemas();
  });

  it('serves the seeded demo and runs jobs on the embedded database', async () => {
    const srv = await startServer({ port: 0, dataDir: 'memory://', seedDemo: true, quiet: true, pollingIntervalSeconds: 0.5 });
    servers.push(srv);
    expect(srv.store.kind).toBe('pglite');
    await roundTrip(srv);
  }, 180_000);

  it('serves the same on PostgreSQL', async () => {
    const srv = await startServer({ port: 0, databaseUrl: DATABASE_URL, schema, seedDemo: true, quiet: true, pollingIntervalSeconds: 0.5 });
    servers.push(srv);
    expect(await json(await fetch(`${srv.url}/readyz`))).toMatchObject({ database: 'postgres' });
    await roundTrip(srv);
  }, 180_000);
});
