/**
 * Losing nothing: a broker outage, and an agent killed with SIGKILL mid-send and restarted. Runs a Mosquitto of
 * its own on a free port (persistent sessions) so stopping it disturbs no one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Agent } from '../../src/edge/agent.ts';
import { parseAgentConfig } from '../../src/edge/config.ts';
import { EdgeService } from '../../src/edge/service.ts';
import type { Store } from '../../src/store/types.ts';
import { baseConfig } from './fixtures.ts';
import { ownMosquitto, platformStore, storedSlots, uniquePrefix, waitFor } from './helpers.ts';

const START = Date.parse('2024-10-26T06:00:00+02:00');
const STEP = 30_000;

/** Every 30-second slot from the start to the last one stored is there, once. */
function expectContiguous(slots: number[], atLeast: number): void {
  expect(slots.length).toBeGreaterThanOrEqual(atLeast);
  expect(slots[0]).toBe(START);
  const gaps = slots.filter((s, i) => s !== START + i * STEP);
  expect(gaps).toEqual([]);
}

async function seenReadings(store: Store, siteId: number): Promise<number> {
  const [r] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM edge_messages_seen WHERE site_id = $1 AND message_id LIKE $2`, [siteId, `s${siteId}-r-%`]);
  return r.n;
}

describe('store and forward', () => {
  let broker: Awaited<ReturnType<typeof ownMosquitto>>;
  let store: Store;
  let siteId: number;
  let service: EdgeService;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    broker = await ownMosquitto();
    ({ store, siteId } = await platformStore());
    service = new EdgeService({ store, url: broker.url, topicPrefix: prefix, clientId: 'platform-outage', log: () => {} });
    await service.start();
  });
  afterAll(async () => {
    await service?.stop();
    await broker?.stop();
    await store?.close();
  });

  it('a broker outage loses no reading and stores none twice', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'gf-spool-'));
    const agent = new Agent(parseAgentConfig(baseConfig(spool, siteId, broker.url, { prefix, speed: 900 })));
    agent.start();
    await waitFor(async () => (await seenReadings(store, siteId)) >= 3, 10_000, 'readings before the outage');
    await broker.stop();
    const down = agent.now;
    await waitFor(() => agent.spool.size >= 4, 10_000, 'a backlog on disk during the outage');
    expect(readdirSync(spool).some((f) => f.startsWith('seg-'))).toBe(true);
    await broker.start();
    await waitFor(() => agent.spool.size === 0 && agent.now > down + 20 * 300_000, 20_000, 'the backlog to drain');
    await agent.stop();
    expect(agent.spool.size).toBe(0);
    const lastSlot = Math.floor((agent.now - 1) / 300_000) * 300_000; // slots closed before the stop
    await waitFor(async () => (await seenReadings(store, siteId)) === (lastSlot - START) / 300_000, 10_000, 'every slot at the platform');
    const slots = await storedSlots(store, siteId, 'battery.soc');
    expectContiguous(slots, 20 * 10);
    expect(slots.length).toBe(((lastSlot - START) / 300_000) * 10);
  });

  it('an agent killed with SIGKILL mid-send and restarted loses nothing and repeats nothing', async () => {
    // A second site, so its counts start at zero.
    const other = await store.sites.create('all', { accountId: (await store.sites.get('all', siteId))!.accountId, name: 'second house', timezone: 'Europe/Berlin' });
    const dir = mkdtempSync(join(tmpdir(), 'gf-kill-'));
    const cfgPath = join(dir, 'site.json');
    writeFileSync(cfgPath, JSON.stringify(baseConfig(join(dir, 'spool'), other.id, broker.url, { prefix, speed: 900 })));
    const run = (): ChildProcess => spawn(process.execPath, ['bin/gridflex.js', 'edge', '--config', cfgPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Kill right after the agent publishes its 4th readings message, before it can note the ack.
    const watch = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    await watch.subscribeAsync(`${prefix}sites/${other.id}/up/readings`, { qos: 0 });
    let seen = 0;
    const first = run();
    await new Promise<void>((resolve) => watch.on('message', () => {
      if (++seen === 4) {
        first.kill('SIGKILL');
        resolve();
      }
    }));
    await new Promise((r) => first.once('exit', r));
    watch.removeAllListeners('message');
    await watch.endAsync();
    const before = await storedSlots(store, other.id, 'battery.soc');
    const second = run();
    await waitFor(async () => (await storedSlots(store, other.id, 'battery.soc')).length >= before.length + 60, 30_000, 'the restarted agent to report');
    const exited = new Promise((r) => second.once('exit', r));
    second.kill('SIGTERM');
    await exited;
    // A graceful stop drains the spool; nothing is left behind.
    expect(readdirSync(join(dir, 'spool')).filter((f) => f.startsWith('seg-'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    const slots = await storedSlots(store, other.id, 'battery.soc');
    expect(slots[0]).toBe(START);
    expect(slots.filter((s, i) => s !== START + i * STEP)).toEqual([]);
    const [r] = await store.query<{ n: number }>(`SELECT count(*)::int AS n FROM edge_messages_seen WHERE site_id = $1 AND message_id LIKE 's%-r-%'`, [other.id]);
    expect(slots.length).toBe(r.n * 10);
  });
});
