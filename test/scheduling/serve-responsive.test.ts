import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/server.ts';
import { DEMO_LOGIN } from '../../src/ingest/demo.ts';
import { scheduling } from '../../src/scheduling/capability.ts';
import { solverPool } from '../../src/scheduling/solver-pool.ts';

let srv: RunningServer;
let headers: Record<string, string>;

beforeAll(async () => {
  srv = await startServer({ port: 0, dataDir: 'memory://', seedDemo: true, quiet: true, pollingIntervalSeconds: 0.5, capabilities: [scheduling] });
  const login = await fetch(`${srv.url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_LOGIN) });
  headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}`, 'content-type': 'application/json' };
}, 120_000);
afterAll(() => srv?.close());

async function timed(path: string): Promise<number> {
  const began = performance.now();
  const res = await fetch(`${srv.url}${path}`, { headers });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  return performance.now() - began;
}

it('keeps answering HTTP within 100 ms (median) while a slow schedule is solved in the same serve process', async () => {
  const site = ((await (await fetch(`${srv.url}/api/v1/sites`, { headers })).json()) as { items: { id: number }[] }).items[0].id;
  const asset = await fetch(`${srv.url}/api/v1/assets`, {
    method: 'POST', headers,
    body: JSON.stringify({ siteId: site, name: 'Home battery', type: 'battery', flexModel: { capacityKwh: 10, socKwh: 5, socMinKwh: 1, chargeMaxKw: 5, dischargeMaxKw: 5, roundTripEfficiency: 0.9 } }),
  });
  expect(asset.status).toBe(201);
  // 2024-06-15: prices below zero for nine hours, a MILP that takes seconds (the bound closes slowly).
  const accepted = await fetch(`${srv.url}/api/v1/sites/${site}/schedules`, { method: 'POST', headers, body: JSON.stringify({ start: '2024-06-15T00:00:00+02:00', end: '2024-06-16T00:00:00+02:00' }) });
  expect(accepted.status).toBe(202);
  const { resultUrl } = (await accepted.json()) as { resultUrl: string };

  const until = performance.now() + 30_000;
  while (solverPool().stats().busy === 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(solverPool().stats().busy).toBe(1);

  const health: number[] = [];
  const reads: number[] = [];
  for (let i = 0; i < 20 && solverPool().stats().busy > 0; i++) {
    health.push(await timed('/healthz'));
    reads.push(await timed(`/api/v1/sites/${site}`));
    await new Promise((r) => setTimeout(r, 50));
  }
  // The solve was still running for all of them (it takes seconds), and none waited for it.
  expect(health.length).toBeGreaterThanOrEqual(10);
  // Within 100 ms as a rule; on a busy shared machine a few take longer for want of CPU, but none waits for the
  // solve (which takes seconds: a held event loop would also leave no time to answer while it runs).
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)];
  const seen = JSON.stringify({ health: health.map(Math.round), reads: reads.map(Math.round) });
  expect(median(health), seen).toBeLessThan(100);
  expect(median(reads), seen).toBeLessThan(100);
  expect(Math.max(...health, ...reads), seen).toBeLessThan(1_000);

  let run: { status: string; result: { status: string; solver: { mipGap: number; stoppedAt?: string }; assets: { powerKw: number[] }[] } | null; error: string | null };
  for (;;) {
    run = (await (await fetch(`${srv.url}${resultUrl}`, { headers })).json()) as typeof run;
    if (run.status === 'done' || run.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(run.status, run.error ?? '').toBe('done');
  expect(run.result!.status).toBe('optimal');
  expect(run.result!.assets[0].powerKw).toHaveLength(96);
}, 180_000);
