/**
 * 1,000 simulated edge agents report to one platform for one simulated hour (at 15x, so four real minutes) over
 * a Mosquitto of its own (persistent, long queues): messages per second sustained, p99 time from a reading's message leaving the agent to its
 * beliefs being committed (readable through the API), and readings lost (must be 0).
 * The agents run in a child process (this file with EDGE_BENCH_ROLE=agents); the platform (EdgeService on
 * PostgreSQL, its own schema) runs here. EDGE_BENCH_AGENTS and EDGE_BENCH_SPEED change the size.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const AGENTS = Number(process.env.EDGE_BENCH_AGENTS ?? 1000);
const SPEED = Number(process.env.EDGE_BENCH_SPEED ?? 15);
const SIM_MS = 3_600_000;
const CONNECTIONS = Number(process.env.EDGE_BENCH_CONNECTIONS ?? 16);
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const START = '2024-10-26T06:00:00+02:00';

function print(name: string, value: number, unit: string): void {
  process.stdout.write(`${JSON.stringify({ name, value: Math.round(value * 100) / 100, unit })}\n`);
}

/** Child: runs the agents for one simulated hour, prints `id publishMs` lines, then `done <published>`. */
async function runAgents(): Promise<void> {
  const URL = process.env.EDGE_BENCH_URL!;
  const { Agent } = await import('../src/edge/agent.ts');
  const { parseAgentConfig } = await import('../src/edge/config.ts');
  const { readOutdoorTemperature, readPvShape } = await import('../src/edge/data.ts');
  const { baseConfig } = await import('../test/edge/fixtures.ts');
  const prefix = process.env.EDGE_BENCH_PREFIX!;
  const firstSite = Number(process.env.EDGE_BENCH_FIRST_SITE);
  const dir = mkdtempSync(join(tmpdir(), 'gf-edge-bench-'));
  const pv = readPvShape('../shared/data/pv-nrel-pvanalytics/serf_east_15min_ac_power.csv');
  const weather = readOutdoorTemperature('../shared/data/weather-de-brightsky/weatherforecast_brightsky_1.json');
  const out: string[] = [];
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const cfg = parseAgentConfig(baseConfig(join(dir, String(i)), firstSite + i, URL, { prefix, speed: SPEED, start: START }));
    const a = new Agent(cfg, { pv, weather, onPublish: (id, ms) => out.push(`${id} ${ms}`) });
    agents.push(a);
  }
  for (const a of agents) a.start();
  const end = Date.parse(START) + SIM_MS;
  while (agents.some((a) => a.now <= end)) await new Promise((r) => setTimeout(r, 100));
  const simEnd = Date.now();
  await Promise.all(agents.map((a) => a.stop(240_000)));
  process.stdout.write(`drain ${Date.now() - simEnd}\n`);
  const left = agents.reduce((n, a) => n + a.spool.size, 0);
  for (const line of out) process.stdout.write(`${line}\n`);
  process.stdout.write(`done ${left}\n`);
  rmSync(dir, { recursive: true, force: true });
}

async function runPlatform(): Promise<void> {
  const { openStore } = await import('../src/store/open.ts');
  const { EdgeService } = await import('../src/edge/service.ts');
  const schema = `edge_bench_${randomBytes(4).toString('hex')}`;
  const { ownMosquitto } = await import('../test/edge/helpers.ts');
  // A Mosquitto of its own with a queue long enough for the burst (the system one keeps 1,000 per client).
  const broker = await ownMosquitto();
  const URL = broker.url;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  const prefix = `gfbench-${randomBytes(4).toString('hex')}/`;
  try {
    const account = await store.accounts.create('bench');
    let firstSite = 0;
    for (let i = 0; i < AGENTS; i++) {
      const s = await store.sites.create('all', { accountId: account.id, name: `house ${i}`, timezone: 'Europe/Berlin' });
      if (i === 0) firstSite = s.id;
    }
    const committed = new Map<string, number>();
    let firstCommit = 0;
    let lastCommit = 0;
    const service = new EdgeService({
      store, url: URL, topicPrefix: prefix, clientId: `bench-${prefix.slice(8, 16)}`, connections: CONNECTIONS, log: (l) => process.stderr.write(`edge: ${l.slice(0, 300)}\n`),
      onStored: (ids, at) => {
        firstCommit ||= at;
        lastCommit = at;
        for (const id of ids) if (id.includes('-r-')) committed.set(id, at);
      },
    });
    await service.start();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: { ...process.env, EDGE_BENCH_ROLE: 'agents', EDGE_BENCH_URL: URL, EDGE_BENCH_PREFIX: prefix, EDGE_BENCH_FIRST_SITE: String(firstSite) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const published = new Map<string, number>();
    let left = -1;
    let drainMs = NaN;
    for await (const line of createInterface({ input: child.stdout! })) {
      if (line.startsWith('done ')) left = Number(line.slice(5));
      else if (line.startsWith('drain ')) drainMs = Number(line.slice(6));
      else {
        const [id, ms] = line.split(' ');
        if (!published.has(id)) published.set(id, Number(ms));
      }
    }
    const expected = AGENTS * (SIM_MS / 300_000);
    const until = Date.now() + 300_000; // the broker keeps the platform's queue (persistent sessions): wait for it
    while (committed.size < published.size && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await service.stop();
    const latencies = [...published].filter(([id]) => committed.has(id)).map(([id, ms]) => committed.get(id)! - ms).sort((a, b) => a - b);
    const [{ n }] = await store.query<{ n: number }>(`SELECT count(DISTINCT message_id)::int AS n FROM edge_messages_seen WHERE message_id LIKE '%-r-%'`);
    const [{ rows }] = await store.query<{ rows: number }>('SELECT count(*)::int AS rows FROM beliefs');
    const seconds = (lastCommit - firstCommit) / 1000;
    print('edge agents', AGENTS, 'agents');
    print('edge simulated hour in real time', (SIM_MS / SPEED) / 1000, 's');
    print('edge messages per second sustained', service.stats.received / seconds, 'msg/s');
    print('edge messages received', service.stats.received, 'messages');
    print('edge readings p50 publish to committed', latencies[Math.floor(latencies.length * 0.5)] ?? NaN, 'ms');
    print('edge readings p99 publish to committed', latencies[Math.floor(latencies.length * 0.99)] ?? NaN, 'ms');
    print('edge belief rows stored', rows, 'rows');
    print('edge readings messages expected', expected, 'messages');
    print('edge backlog drained after the simulated hour in', drainMs / 1000, 's');
    print('edge readings stored', n, 'messages');
    print('edge readings lost', Math.max(0, expected - n) + Math.max(0, left), 'messages');
  } finally {
    await store.close();
    await broker.stop();
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

if (process.env.EDGE_BENCH_ROLE === 'agents') await runAgents();
else await runPlatform();
