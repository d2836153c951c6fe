/**
 * An agent and the platform over the real Mosquitto (127.0.0.1:1883, a unique topic prefix per test): telemetry,
 * a dispatch contract, heartbeats lost -> local control, clamped setpoints, a bad payload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Agent } from '../../src/edge/agent.ts';
import { parseAgentConfig } from '../../src/edge/config.ts';
import { EdgeService } from '../../src/edge/service.ts';
import { agentStatus } from '../../src/edge/routes.ts';
import type { Store } from '../../src/store/types.ts';
import { baseConfig } from './fixtures.ts';
import { platformStore, storedSlots, uniquePrefix, waitFor } from './helpers.ts';

const URL = process.env.MQTT_TEST_URL ?? 'mqtt://127.0.0.1:1883';
const SLOT = 300_000;

describe('agent and platform over Mosquitto', () => {
  let store: Store;
  let siteId: number;
  let service: EdgeService;
  let agent: Agent;
  const prefix = uniquePrefix();

  beforeAll(async () => {
    ({ store, siteId } = await platformStore());
    service = new EdgeService({ store, url: URL, topicPrefix: prefix, clientId: `gf-${prefix.slice(0, -1)}`, persistentSession: false, heartbeatEveryMs: 40, log: () => {} });
    await service.start();
    const cfg = parseAgentConfig(baseConfig(mkdtempSync(join(tmpdir(), 'gf-spool-')), siteId, URL, { prefix, speed: 300 }));
    agent = new Agent(cfg);
    agent.start();
  });
  afterAll(async () => {
    await agent?.stop(500);
    await service?.stop();
    await store?.close();
  });

  it('readings of each 5-minute slot become beliefs on sensors named after the channel, once each', async () => {
    await waitFor(async () => (await storedSlots(store, siteId, 'house.temperature')).length >= 40, 15_000, 'four slots of readings');
    const slots = await storedSlots(store, siteId, 'house.temperature');
    const start = Date.parse('2024-10-26T06:00:00+02:00');
    expect(slots[0]).toBe(start);
    slots.forEach((s, i) => expect(s).toBe(start + i * 30_000)); // no gaps, no repeats
    const names = (await store.sensors.list('all', { siteId })).map((s) => s.name).sort();
    expect(names).toEqual(expect.arrayContaining(['battery.power', 'battery.soc', 'heat-pump.power', 'house.temperature', 'meter.power', 'pv.power', 'store.temperature']));
    const status = await agentStatus(store, siteId, Date.now());
    expect(status.status).toBe('online');
    expect(Object.keys(status.live)).toContain('battery.soc');
  });

  it('a contract goes created -> received -> confirmed -> active -> completed and steers the heat pump', async () => {
    const start = Math.ceil((agent.now + SLOT) / SLOT) * SLOT;
    await service.offer(siteId, { id: `c-${prefix.slice(7, 15)}`, device: 'heat-pump', start, durationMs: 2 * SLOT, powerKw: [1.5, 2.5], heartbeatMs: 30_000, graceMs: 300_000 });
    const states = () => agent.events.filter((e) => e.kind === 'contract').map((e) => (e as { state: string }).state);
    await waitFor(() => states().includes('active'), 10_000, 'the contract to start');
    await waitFor(() => agent.site.heatPumpKw === 1.5 || agent.site.heatPumpKw === 2.5, 5_000, 'the heat pump to follow the contract');
    await waitFor(() => states().includes('completed'), 10_000, 'the contract to complete');
    expect(states()).toEqual(['received', 'confirmed', 'active', 'completed']);
    await waitFor(async () => (await agentStatus(store, siteId, Date.now())).contract?.state === 'completed', 5_000, 'the platform to record completion');
    expect(agent.control).toBe('local');
  });

  it('a setpoint beyond the device limit is clamped and the clamp is reported', async () => {
    await service.send(siteId, { kind: 'setpoint', id: 'sp-1', createdAt: new Date().toISOString(), device: 'battery', powerKw: 40 });
    await waitFor(() => agent.events.some((e) => e.kind === 'event' && e.event === 'clamp' && e.device === 'battery'), 5_000, 'the clamp');
    const clamp = agent.events.find((e) => e.kind === 'event' && e.event === 'clamp' && e.device === 'battery') as { appliedKw: number; requestedKw: number };
    expect(clamp.requestedKw).toBe(40);
    expect(clamp.appliedKw).toBeLessThanOrEqual(5);
    expect(agent.site.batteryKw).toBeLessThanOrEqual(5);
    await waitFor(async () => ((await agentStatus(store, siteId, Date.now())).lastEvent as { event?: string } | null)?.event === 'clamp', 5_000, 'the platform to record the clamp');
  });

  it('a bad payload is rejected and logged, and the next good one is stored', async () => {
    const c = await mqtt.connectAsync(URL, { protocolVersion: 4 });
    const topic = `${prefix}sites/${siteId}/up/readings`;
    const before = service.stats.rejected;
    await c.publishAsync(topic, 'not json', { qos: 1 });
    await c.publishAsync(topic, JSON.stringify({ kind: 'readings', id: 'x', siteId, createdAt: 'yesterday' }), { qos: 1 });
    await c.publishAsync(topic, JSON.stringify({ kind: 'readings', id: 'manual-1', siteId, createdAt: '2030-01-01T00:00:00Z', start: '2030-01-01T00:00:00Z', resolution: 'PT30S', channels: [{ channel: 'meter.power', quantity: 'power', unit: 'W', values: [1500, 2500] }] }), { qos: 1 });
    await c.endAsync();
    await waitFor(async () => (await storedSlots(store, siteId, 'meter.power')).includes(Date.parse('2030-01-01T00:00:30Z')), 5_000, 'the good message');
    expect(service.stats.rejected - before).toBe(2);
    const sensor = (await store.sensors.list('all', { siteId })).find((s) => s.name === 'meter.power')!;
    const v = await store.beliefs.latest({ sensorId: sensor.id, start: Date.parse('2030-01-01T00:00:00Z'), end: Date.parse('2030-01-01T00:01:00Z') });
    expect(v.values).toEqual([1.5, 2.5]); // W converted to the sensor's kW
  });
  it('a contract made through the API (a created row) is offered by the service and confirmed by the agent', async () => {
    const start = Math.ceil((agent.now + 300_000) / 300_000) * 300_000;
    const id = `api-${prefix.slice(7, 15)}`;
    await store.query(`INSERT INTO edge_contracts (id, site_id, device, state, start_at, duration_ms, power_kw, heartbeat_ms, grace_ms, updated_at)
      VALUES ($1, $2, 'battery', 'created', $3, 300000, '[1]', 30000, 300000, now())`, [id, siteId, new Date(start).toISOString()]);
    await waitFor(() => agent.contract?.terms.id === id, 5_000, 'the offer to reach the agent');
    await waitFor(async () => ['confirmed', 'active', 'completed'].includes((await agentStatus(store, siteId, Date.now())).contract?.state ?? ''), 5_000, 'the platform to see the confirmation');
  });

  it('when heartbeats stop, local control takes over within the grace period and the house stays in its band', async () => {
    const start = Math.ceil((agent.now + SLOT) / SLOT) * SLOT;
    await service.offer(siteId, { id: `d-${prefix.slice(7, 15)}`, device: 'heat-pump', start, durationMs: 24 * SLOT, powerKw: [1], heartbeatMs: 30_000, graceMs: 90_000 });
    await waitFor(() => agent.control === 'platform', 10_000, 'platform control');
    service.pauseHeartbeats();
    const pausedAt = agent.now;
    await waitFor(() => agent.control === 'local', 5_000, 'local control');
    const local = agent.events.find((e) => e.kind === 'event' && e.event === 'local-control' && Date.parse(e.at) >= pausedAt)!;
    expect(local).toBeDefined();
    // Local control starts in the first 30-second step after the grace period since the last heartbeat.
    const sinceBeat = Date.parse(local.createdAt) - agent.contract!.lastPlatformBeat;
    expect(sinceBeat).toBeGreaterThan(90_000);
    expect(sinceBeat).toBeLessThanOrEqual(90_000 + 30_000);
    await waitFor(async () => (await agentStatus(store, siteId, Date.now())).contract?.state === 'terminated', 5_000, 'the platform to see the termination');
    expect((await agentStatus(store, siteId, Date.now())).contract?.reason).toBe('heartbeat lost');
    // A cold day on its own: the house stays in its band.
    const from = agent.houseTrace.length;
    for (let i = 0; i < 2 * 2880; i++) agent.tick();
    const temps = agent.houseTrace.slice(from).map((h) => h.houseC);
    expect(Math.min(...temps)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...temps)).toBeLessThanOrEqual(22);
    expect(agent.houseTrace.slice(from).every((h) => h.control === 'local')).toBe(true);
  });
});
