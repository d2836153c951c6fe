/**
 * The platform side on the embedded broker (aedes): per-agent credentials and topic ACL, and the agent status
 * route with its tenancy (another account's site is a 404).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { buildApp } from '../../src/api/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { JobQueue } from '../../src/jobs/types.ts';
import { hashToken, issueAgentToken, startEmbeddedBroker, type EmbeddedBroker } from '../../src/edge/broker.ts';
import { edgeCapability } from '../../src/edge/capability.ts';
import { EdgeService } from '../../src/edge/service.ts';
import type { Store } from '../../src/store/types.ts';
import { platformStore, storedSlots, waitFor } from './helpers.ts';

function readings(siteId: number, id: string, start: string) {
  return JSON.stringify({ kind: 'readings', id, siteId, createdAt: start, start, resolution: 'PT30S', channels: [{ channel: 'battery.soc', quantity: 'soc', unit: 'kWh', values: [4.2] }] });
}

describe('embedded broker: each agent has its own credentials and topics', () => {
  let store: Store;
  let siteId: number;
  let otherSite: number;
  let broker: EmbeddedBroker;
  let service: EdgeService;
  let token: string;
  let url: string;
  const refused: string[] = [];

  beforeAll(async () => {
    ({ store, siteId } = await platformStore());
    const site = (await store.sites.get('all', siteId))!;
    otherSite = (await store.sites.create('all', { accountId: site.accountId, name: 'neighbour', timezone: 'Europe/Berlin' })).id;
    broker = await startEmbeddedBroker({ store, port: 0, log: (l) => refused.push(l) });
    url = `mqtt://127.0.0.1:${broker.port}`;
    service = new EdgeService({ store, url, ...broker.platform, persistentSession: false, log: () => {} });
    await service.start();
    token = await issueAgentToken(store, siteId);
    await issueAgentToken(store, otherSite);
  });
  afterAll(async () => {
    await service?.stop();
    await broker?.close();
    await store?.close();
  });

  it('stores the token only as a hash', async () => {
    const [row] = await store.query<{ token_hash: string }>('SELECT token_hash FROM edge_agents WHERE site_id = $1', [siteId]);
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(token);
  });

  it('refuses a wrong password and a name that is not a site', async () => {
    await expect(mqtt.connectAsync(url, { username: String(siteId), password: 'wrong', reconnectPeriod: 0, protocolVersion: 4 })).rejects.toThrow(/Not authorized|Bad username/i);
    await expect(mqtt.connectAsync(url, { username: String(otherSite), password: token, reconnectPeriod: 0, protocolVersion: 4 })).rejects.toThrow();
    await expect(mqtt.connectAsync(url, { reconnectPeriod: 0, protocolVersion: 4 })).rejects.toThrow();
  });

  it("an agent publishes under its own site only; another site's topic is refused and logged", async () => {
    const c = await mqtt.connectAsync(url, { username: String(siteId), password: token, reconnectPeriod: 0, protocolVersion: 4 });
    await c.publishAsync(`sites/${siteId}/up/readings`, readings(siteId, 'own-1', '2024-01-01T00:00:00Z'), { qos: 1 });
    await waitFor(async () => (await storedSlots(store, siteId, 'battery.soc')).length === 1, 5_000, 'the own reading');
    // Publishing as the neighbour: aedes drops the client.
    c.publish(`sites/${otherSite}/up/readings`, readings(otherSite, 'forged-1', '2024-01-01T00:00:00Z'), { qos: 1 });
    await waitFor(() => refused.some((l) => l.includes(`sites/${otherSite}/up/readings`)), 5_000, 'the refusal to be logged');
    await new Promise((r) => setTimeout(r, 200));
    expect(await storedSlots(store, otherSite, 'battery.soc')).toEqual([]);
    c.end(true);
  });

  it("an agent may not subscribe to another site's commands", async () => {
    const c = await mqtt.connectAsync(url, { username: String(siteId), password: token, reconnectPeriod: 0, protocolVersion: 4 });
    const granted = await c.subscribeAsync(`sites/${otherSite}/down`, { qos: 1 }).catch(() => [{ qos: 128 }]);
    expect(granted[0].qos).toBe(128);
    expect(refused.some((l) => l.includes(`subscription of ${siteId} to sites/${otherSite}/down`))).toBe(true);
    c.end(true);
  });
});

describe('GET /api/v1/sites/{id}/agent', () => {
  it('answers the status, last seen and contract; another account gets 404', async () => {
    const { store, siteId, accountId } = await platformStore();
    const clock = fixedClock('2024-06-01T12:00:00Z');
    const app = await buildApp({ store, clock, webRoot: null, queue: {} as JobQueue, capabilities: [edgeCapability] });
    await app.ready();
    try {
      const login = async (account: number, email: string) => {
        await store.users.create('all', { accountId: account, email, password: 'correct horse battery', role: 'member' });
        const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email, password: 'correct horse battery' } });
        return res.json().token as string;
      };
      const mine = await login(accountId, 'me@edge.test');
      const stranger = await login((await store.accounts.create('other')).id, 'x@other.test');
      const get = (t: string) => app.inject({ method: 'GET', url: `/api/v1/sites/${siteId}/agent`, headers: { authorization: `Bearer ${t}` } });
      expect((await get(mine)).json()).toMatchObject({ siteId, status: 'never-seen', lastSeen: null, contract: null });
      await store.query(`INSERT INTO edge_agents (site_id, last_seen, control, live) VALUES ($1, '2024-06-01T11:59:30Z', 'local', '{"battery.soc": 4.5}')`, [siteId]);
      await store.query(`INSERT INTO edge_contracts (id, site_id, device, state, start_at, duration_ms, power_kw, heartbeat_ms, grace_ms, updated_at) VALUES ('k1', $1, 'heat-pump', 'active', '2024-06-01T12:00:00Z', 600000, '[1,2]', 30000, 90000, '2024-06-01T11:59:00Z')`, [siteId]);
      const body = (await get(mine)).json();
      expect(body).toMatchObject({ status: 'online', lastSeen: '2024-06-01T11:59:30.000Z', control: 'local', live: { 'battery.soc': 4.5 }, contract: { id: 'k1', state: 'active', powerKw: [1, 2] } });
      clock.advance(10 * 60_000);
      expect((await get(mine)).json().status).toBe('offline');
      expect((await get(stranger)).statusCode).toBe(404);
      const post = (t: string, body: unknown) => app.inject({ method: 'POST', url: `/api/v1/sites/${siteId}/agent/contracts`, headers: { authorization: `Bearer ${t}` }, payload: body as object });
      const offer = { device: 'battery', start: '2024-06-01T13:00:00Z', durationMs: 900_000, powerKw: [2, 3, 4] };
      const made = await post(mine, offer);
      expect(made.statusCode).toBe(201);
      expect(made.json()).toMatchObject({ state: 'created', powerKw: [2, 3, 4] });
      const [row] = await store.query<{ state: string }>('SELECT state FROM edge_contracts WHERE id = $1', [made.json().id]);
      expect(row.state).toBe('created');
      const bad = await post(mine, { ...offer, start: '2024-06-01T13:02:00Z' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0]).toMatchObject({ field: 'start' });
      expect((await post(mine, { ...offer, powerKw: [1, 2] })).json().errors[0]).toMatchObject({ field: 'powerKw' });
      expect((await post(stranger, offer)).statusCode).toBe(404);
      const tok = await app.inject({ method: 'POST', url: `/api/v1/sites/${siteId}/agent/token`, headers: { authorization: `Bearer ${mine}` } });
      expect(tok.statusCode).toBe(201);
      expect(tok.json().username).toBe(String(siteId));
      const [h] = await store.query<{ token_hash: string }>('SELECT token_hash FROM edge_agents WHERE site_id = $1', [siteId]);
      expect(h.token_hash).toBe(hashToken(tok.json().password));
      expect((await app.inject({ method: 'POST', url: `/api/v1/sites/${siteId}/agent/token`, headers: { authorization: `Bearer ${stranger}` } })).statusCode).toBe(404);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
