/**
 * 10,000 EV charging requests built from the real ACN-Data sessions against the real 2024 DE-LU prices, end to
 * end through the HTTP API and two `gridflex worker` processes on PostgreSQL: seconds from the first request to
 * the last plan fetched, and the fleet's saving against charging at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import pg from 'pg';

const BASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DB = `gridflex_bench_${process.pid}`;
const dbUrl = (name: string) => { const u = new URL(BASE_URL); u.pathname = `/${name}`; return u.toString(); };
const BIN = new URL('../bin/gridflex.js', import.meta.url).pathname;
const DATA = new URL('../../shared/data/ev-acn-jpl/acndata_sessions_jpl_2021-05.json', import.meta.url).pathname;
const N = Number(process.env.BENCH_CHARGING_REQUESTS ?? 10_000);
const DAY = 86_400_000;

function emit(name: string, value: number, unit: string): void {
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: dbUrl('postgres') });
  await c.connect();
  await c.query(sql);
  await c.end();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(args: string[], waitFor: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: dbUrl(DB), GRIDFLEX_RATE_LIMIT_PER_MINUTE: '100000000' }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => waitFor.test(l) && resolve(child));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

interface Session { connectionTime: string; disconnectTime: string; kWhDelivered: number }

function requests(siteId: number) {
  const sessions = (JSON.parse(readFileSync(DATA, 'utf8')) as Session[]).filter((s) => s.kWhDelivered > 0 && Date.parse(s.disconnectTime) > Date.parse(s.connectionTime));
  const yearStart = Date.UTC(2023, 11, 31, 23);
  return Array.from({ length: N }, (_, i) => {
    const s = sessions[i % sessions.length];
    const connect = Date.parse(s.connectionTime);
    const stay = Math.min(Date.parse(s.disconnectTime) - connect, 3 * DAY);
    const timeOfDay = (((connect - 7 * 3_600_000) % DAY) + DAY) % DAY; // Los Angeles local time of day, placed in Berlin
    const startMs = yearStart + (i % 362) * DAY + timeOfDay + (Math.floor(i / 362) % 60) * 1000; // distinct requests
    const hours = stay / 3_600_000;
    return { siteId, energyKwh: s.kWhDelivered, powerKw: Math.max(6.6, (s.kWhDelivered / hours) * 1.0001), start: new Date(startMs).toISOString(), deadline: new Date(startMs + stay).toISOString() };
  });
}

/** CPU seconds (user + system) a child has used so far, where /proc tells (Linux); NaN elsewhere. */
function cpuSeconds(child: ChildProcess): number {
  const stat = `/proc/${child.pid}/stat`;
  if (!existsSync(stat)) return NaN;
  const f = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function pool<T>(items: T[], width: number, f: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => { while (next < items.length) await f(items[next++]); }));
}

async function main(): Promise<void> {
  await admin(`CREATE DATABASE ${DB}`);
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    children.push(await start(['serve', '--port', String(port), '--no-workers'], /running at/));
    children.push(await start(['worker'], /worker running/), await start(['worker'], /worker running/));
    const url = `http://127.0.0.1:${port}`;
    const { token } = await (await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'demo@gridflex.dev', password: 'gridflex-demo' }) })).json() as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const siteId = ((await (await fetch(`${url}/api/v1/sites`, { headers })).json()) as { items: { id: number }[] }).items[0].id;
    const all = requests(siteId);
    const ids: number[] = [];
    let refused = 0;
    const serveCpu0 = cpuSeconds(children[0]);
    const t0 = performance.now();
    await pool(all, 16, async (r) => {
      const res = await fetch(`${url}/api/v1/charging-requests`, { method: 'POST', headers, body: JSON.stringify(r) });
      if (res.status === 202) ids.push(((await res.json()) as { id: number }).id);
      else { refused++; await res.arrayBuffer(); }
    });
    const posted = performance.now();
    const serveCpu = cpuSeconds(children[0]) - serveCpu0;
    let smart = 0;
    let atOnce = 0;
    let failed = 0;
    await pool(ids, 8, async (id) => {
      for (;;) {
        const run = (await (await fetch(`${url}/api/v1/charging-requests/${id}`, { headers })).json()) as { status: string; result: { totalCost: number; costAtOnce: number } | null };
        if (run.status === 'done') { smart += run.result!.totalCost; atOnce += run.result!.costAtOnce; return; }
        if (run.status === 'failed') { failed++; return; }
        await new Promise((res) => setTimeout(res, 200));
      }
    });
    const seconds = (performance.now() - t0) / 1000;
    emit('schedule.ev-10000-requests.api-2-workers.total', seconds, 's');
    emit('schedule.ev-10000-requests.api-2-workers.posting', (posted - t0) / 1000, 's');
    emit('schedule.ev-10000-requests.api-2-workers.refused', refused, 'requests');
    // The API process' own CPU per request while posting: contention on a shared machine inflates it far less than wall time.
    emit('schedule.ev-10000-requests.api-2-workers.api-cpu-per-request', (1000 * serveCpu) / all.length, 'ms');
    emit('schedule.ev-10000-requests.api-2-workers.failed', failed, 'requests');
    emit('schedule.ev-10000-requests.api-2-workers.saving', atOnce - smart, 'EUR');
    emit('schedule.ev-10000-requests.api-2-workers.saving-share', (100 * (atOnce - smart)) / atOnce, '%');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}

await main();
