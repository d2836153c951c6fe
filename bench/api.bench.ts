/**
 * API figures, against a real server in its own process on loopback (PostgreSQL, scratch schema):
 * - 1,000,000 beliefs through POST /api/v1/sensors/{id}/data in JSON batches of 10,000 values (rows/s);
 * - GET /api/v1/sensors/{id}/data for one day under load from autocannon (requests/s, p99 ms);
 * - the same read on the embedded default (PGlite in a data directory), after writing one month.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.ts';
import { writeSeries } from '../src/store/series.ts';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_api_${process.pid}`;
const BATCH = 10_000;
const TOTAL = 1_000_000;
const SENSORS = 10;
const MIN15 = 900_000;
const T0 = Date.UTC(2024, 0, 1);

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
}

async function startChild(env: Record<string, string> = { DATABASE_URL, BENCH_SCHEMA: SCHEMA }): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./api-server.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: line.trim() };
}

async function setup(where: { databaseUrl: string; schema: string } | { dataDir: string } = { databaseUrl: DATABASE_URL, schema: SCHEMA }, month = false): Promise<{ token: string; sensorIds: number[] }> {
  const store = await openStore(where);
  const account = await store.accounts.create('bench');
  const user = await store.users.create('all', { accountId: account.id, email: 'bench@example.test', password: 'bench-password', role: 'member' });
  const { token } = await store.tokens.create(user.id, { name: 'bench' }, Date.now());
  const site = await store.sites.create('all', { accountId: account.id, name: 'bench', timezone: 'UTC' });
  const sensorIds: number[] = [];
  for (let i = 0; i < SENSORS; i++) sensorIds.push((await store.sensors.create('all', { name: `s${i}`, quantity: 'power', unit: 'kW', resolutionMs: MIN15, siteId: site.id })).id);
  if (month) {
    const sensor = (await store.sensors.get('all', sensorIds[0]))!;
    const source = await store.sources.ensure({ kind: 'meter', name: 'bench' });
    const values = Array.from({ length: 31 * 96 }, (_, i) => Math.round(Math.sin(i / 50) * 1000) / 100);
    await writeSeries(store, sensor, { start: Date.UTC(2024, 2, 1), resolutionMs: MIN15, unit: 'kW', values, beliefTime: Date.UTC(2024, 1, 1), sourceId: source.id });
  }
  await store.close();
  return { token, sensorIds };
}

async function writeThroughApi(url: string, token: string, sensorIds: number[]): Promise<number> {
  const perSensor = TOTAL / sensorIds.length;
  const bodies: { id: number; body: string }[] = [];
  for (const id of sensorIds) {
    for (let off = 0; off < perSensor; off += BATCH) {
      const values = Array.from({ length: BATCH }, (_, i) => Math.round(Math.sin((off + i) / 50) * 1000) / 100);
      bodies.push({ id, body: JSON.stringify({ start: new Date(T0 + off * MIN15).toISOString(), resolution: 'PT15M', unit: 'kW', values, source: 'meter' }) });
    }
  }
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const { id, body } = bodies[next++];
      const res = await fetch(`${url}/api/v1/sensors/${id}/data`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
      if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
      await res.arrayBuffer();
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return TOTAL / ((performance.now() - t0) / 1000);
}

async function readUnderLoad(url: string, token: string, sensorId: number): Promise<autocannon.Result> {
  const day = `${url}/api/v1/sensors/${sensorId}/data?start=2024-03-01T00:00:00Z&end=2024-03-02T00:00:00Z`;
  const warm = await fetch(day, { headers: { authorization: `Bearer ${token}` } });
  if (!warm.ok) throw new Error(`${warm.status} ${await warm.text()}`);
  await autocannon({ url: day, connections: 16, duration: 3, headers: { authorization: `Bearer ${token}` } });
  return autocannon({ url: day, connections: 32, duration: 10, headers: { authorization: `Bearer ${token}` } });
}

async function main(): Promise<void> {
  const { token, sensorIds } = await setup();
  const { child, url } = await startChild();
  try {
    emit('api.write.1M.batches-of-10k.postgres', await writeThroughApi(url, token, sensorIds), 'rows/s');
    const r = await readUnderLoad(url, token, sensorIds[0]);
    if (r.non2xx > 0 || r.errors > 0) console.error(`read under load: ${r.non2xx} non-2xx, ${r.errors} errors`);
    emit('api.read.one-day.requests-per-second', r.requests.average, 'requests/s');
    emit('api.read.one-day.p99-latency', r.latency.p99, 'ms');
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA}_pgboss CASCADE`);
    await client.end();
  }
}

async function embedded(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gridflex-bench-api-'));
  try {
    const { token, sensorIds } = await setup({ dataDir }, true);
    const { child, url } = await startChild({ BENCH_DATA_DIR: dataDir });
    try {
      const r = await readUnderLoad(url, token, sensorIds[0]);
      if (r.non2xx > 0 || r.errors > 0) console.error(`read under load (PGlite): ${r.non2xx} non-2xx, ${r.errors} errors`);
      emit('api.read.one-day.pglite.requests-per-second', r.requests.average, 'requests/s');
      emit('api.read.one-day.pglite.p99-latency', r.latency.p99, 'ms');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
await embedded();
