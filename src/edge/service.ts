/**
 * The platform side of the edge: subscribes to every site's telemetry, validates each message, stores readings
 * as beliefs of a `meter` source (sensors created on first sight, named after the channel), idempotent by
 * message id, tracks last seen, live values and contract state, and sends contracts and heartbeats to agents.
 * The broker's ack (PUBACK) for a message is sent only after it is committed, so a crash loses nothing.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Id, Store } from '../store/types.ts';
import { convertValues } from '../core/units.ts';
import { EDGE_RESOLUTION_MS, rowsOfReadings, sensorUnit } from './ingest.ts';
import { issuesOf, topics, UpMsg, type DownMsg } from './messages.ts';
import type { ContractTerms } from './contract.ts';
import { recordContract } from './contracts-table.ts';

export interface EdgeServiceOptions {
  store: Store;
  url: string;
  topicPrefix?: string;
  clientId?: string;
  username?: string;
  password?: string;
  log?: (line: string) => void;
  /** Called after each commit with the ids stored (for measurements). */
  onStored?: (ids: string[], at: number) => void;
  /** Batch at most this long (ms) before a commit. */
  flushMs?: number;
  now?: () => number;
  /** How often heartbeats go to agents with an open contract (ms, default 5000). */
  heartbeatEveryMs?: number;
  /** Keep the broker session (and its queued messages) across restarts of the service (default true). */
  persistentSession?: boolean;
  /**
   * Broker connections that share the subscription (MQTT shared subscription `$share/<group>/...`, Mosquitto
   * and most brokers; not aedes). Each connection handles one message at a time until its ack, so more
   * connections mean more messages in one commit. Several services (processes) may share the same group.
   */
  connections?: number;
  sharedGroup?: string;
}

/** Live values only: acknowledged at once (a loss costs one stale value), stored with the next commit. */
const LIVE_KINDS = new Set(['snapshot', 'change', 'heartbeat']);

interface Pending { siteId: number; msg: UpMsg; done: () => void }

export class EdgeService {
  private clients: MqttClient[] = [];
  private get client(): MqttClient | undefined {
    return this.clients[0];
  }
  private queue: Pending[] = [];
  private flushing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  private sourceId?: Id;
  private sensors = new Map<string, Id>();
  private sites = new Map<number, { accountId: Id } | null>();
  private heartbeats?: NodeJS.Timeout;
  readonly stats = { received: 0, stored: 0, duplicates: 0, rejected: 0 };

  constructor(private readonly o: EdgeServiceOptions) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private log(line: string): void {
    (this.o.log ?? ((l: string) => process.stderr.write(`edge: ${l}\n`)))(line);
  }

  async start(): Promise<void> {
    this.sourceId = (await this.o.store.sources.ensure({ kind: 'meter', name: 'edge agent', version: '1' })).id;
    const prefix = this.o.topicPrefix ?? '';
    const n = Math.max(1, this.o.connections ?? 1);
    const topic = n > 1 ? `$share/${this.o.sharedGroup ?? 'gridflex-platform'}/${topics.allUp(prefix)}` : topics.allUp(prefix);
    const baseId = this.o.clientId ?? 'gridflex-platform';
    await Promise.all(Array.from({ length: n }, (_, i) => this.connect(n > 1 ? `${baseId}-${i}` : baseId, topic)));
    this.heartbeats = setInterval(() => void this.sendHeartbeats().catch((e) => this.log(`heartbeats: ${(e as Error).message}`)), this.o.heartbeatEveryMs ?? 5_000);
  }

  private async connect(clientId: string, topic: string): Promise<void> {
    const client = mqtt.connect(this.o.url, {
      clientId, clean: this.o.persistentSession === false, protocolVersion: 4,
      username: this.o.username, password: this.o.password, reconnectPeriod: 500,
    });
    this.clients.push(client);
    // The PUBACK goes out when `callback` is called, i.e. after the message is committed.
    client.handleMessage = (packet, callback) => {
      this.accept(packet.topic, packet.payload as Buffer, () => callback());
    };
    client.on('connect', () => client.subscribe(topic, { qos: 1 }));
    client.on('error', (e) => this.log(`mqtt: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  /** Stops sending heartbeats (the platform going quiet), e.g. for maintenance or a test. */
  pauseHeartbeats(): void {
    clearInterval(this.heartbeats);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeats);
    clearTimeout(this.timer);
    await this.flush();
    await Promise.all(this.clients.map((c) => c.endAsync()));
  }

  /** Validates one message; a bad one is logged and acknowledged (never redelivered), the rest are queued. */
  accept(topic: string, payload: Buffer, done: () => void): void {
    this.stats.received++;
    const prefix = this.o.topicPrefix ?? '';
    const siteId = topics.siteOfUp(prefix, topic);
    let reason: string | null = null;
    let msg: UpMsg | undefined;
    if (siteId === null) reason = `topic ${topic} is not a site's telemetry topic`;
    else {
      let json: unknown;
      try {
        json = JSON.parse(payload.toString('utf8'));
      } catch {
        reason = 'not JSON';
      }
      if (reason === null) {
        const r = UpMsg.safeParse(json);
        if (!r.success) reason = issuesOf(r.error);
        else if (r.data.siteId !== siteId) reason = `siteId ${r.data.siteId} does not match the topic's site ${siteId}`;
        else if (!topic.endsWith(`/up/${r.data.kind}`)) reason = `a ${r.data.kind} message on ${topic}`;
        else msg = r.data;
      }
    }
    if (!msg || siteId === null) {
      this.stats.rejected++;
      this.log(`rejected message on ${topic}: ${reason}`);
      if (siteId !== null) void this.o.store.query('UPDATE edge_agents SET rejected = rejected + 1 WHERE site_id = $1', [siteId]).catch(() => {});
      done();
      return;
    }
    if (LIVE_KINDS.has(msg.kind)) {
      done();
      this.queue.push({ siteId, msg, done: () => {} });
    } else this.queue.push({ siteId, msg, done });
    if (this.queue.length >= 500) void this.flush();
    else if (!this.timer) this.timer = setTimeout(() => void this.flush(), this.o.flushMs ?? 10);
  }

  /** Commits the queued messages in one transaction, then acks them. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    this.flushing = this.commit(batch)
      .then(() => {
        for (const p of batch) p.done();
        this.o.onStored?.(batch.map((p) => p.msg.id), Date.now());
      })
      .catch((e) => {
        // Not acked: the broker redelivers them (after a reconnect), so nothing is lost.
        this.log(`could not store ${batch.length} messages: ${(e as Error).message}`);
        for (const c of this.clients) c.end(true, () => c.reconnect());
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private async site(siteId: number): Promise<{ accountId: Id } | null> {
    if (!this.sites.has(siteId)) {
      const s = await this.o.store.sites.get('all', siteId);
      this.sites.set(siteId, s ? { accountId: s.accountId } : null);
    }
    return this.sites.get(siteId)!;
  }

  private async sensorFor(store: Store, siteId: number, accountId: Id, channel: string, quantity: string): Promise<Id> {
    const key = `${siteId}/${channel}`;
    const hit = this.sensors.get(key);
    if (hit !== undefined) return hit;
    // First sight of this channel in this process: learn all of the site's sensors at once.
    for (const s of await store.sensors.list('all', { siteId })) if (!this.sensors.has(`${siteId}/${s.name}`)) this.sensors.set(`${siteId}/${s.name}`, s.id);
    const existing = this.sensors.get(key);
    if (existing !== undefined) return existing;
    const u = sensorUnit(quantity);
    const id = (await store.sensors.create('all', { accountId, siteId, name: channel, quantity: u.quantity, unit: u.unit, resolutionMs: EDGE_RESOLUTION_MS })).id;
    this.sensors.set(key, id);
    return id;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const now = this.now();
    const known: Pending[] = [];
    for (const p of batch) {
      if (await this.site(p.siteId)) known.push(p);
      else {
        this.stats.rejected++;
        this.log(`rejected message ${p.msg.id}: site ${p.siteId} not found`);
      }
    }
    if (!known.length) return;
    const newSensors: string[] = [];
    await this.o.store.transaction(async (tx) => {
      const seen = await tx.query<{ site_id: number; message_id: string }>(
        `INSERT INTO edge_messages_seen (site_id, message_id, received_at)
         SELECT * FROM unnest($1::int[], $2::text[], $3::timestamptz[]) ON CONFLICT DO NOTHING RETURNING site_id, message_id`,
        [known.map((p) => p.siteId), known.map((p) => p.msg.id), known.map(() => new Date(now).toISOString())],
      );
      const fresh = new Set(seen.map((r) => `${r.site_id}/${r.message_id}`));
      const firstTime = known.filter((p) => fresh.delete(`${p.siteId}/${p.msg.id}`));
      this.stats.duplicates += known.length - firstTime.length;
      const rows = [];
      for (const p of firstTime) {
        if (p.msg.kind !== 'readings') continue;
        const site = (await this.site(p.siteId))!;
        const quantities = new Map(p.msg.channels.map((c) => [c.channel, { quantity: c.quantity, unit: c.unit }]));
        for (const r of rowsOfReadings(p.msg)) {
          const q = quantities.get(r.channel)!;
          const known = this.sensors.has(`${p.siteId}/${r.channel}`);
          const sensorId = await this.sensorFor(tx, p.siteId, site.accountId, r.channel, q.quantity);
          if (!known) newSensors.push(`${p.siteId}/${r.channel}`);
          const value = q.unit === sensorUnit(q.quantity).unit ? r.value : (convertValues([r.value], q.unit, sensorUnit(q.quantity).unit)[0] as number);
          rows.push({ sensorId, slotStart: r.slotStart, beliefTime: r.beliefTime, sourceId: this.sourceId!, value });
        }
      }
      if (rows.length) await tx.beliefs.writeRows(rows);
      await this.updateAgents(tx, firstTime, now);
      this.stats.stored += firstTime.length;
    }).catch((e) => {
      for (const k of newSensors) this.sensors.delete(k); // rolled back with the transaction
      throw e;
    });
  }

  /** Last seen, heartbeat, control, live values and counts of every site in the batch: one statement. */
  private async updateAgents(tx: Store, msgs: Pending[], now: number): Promise<void> {
    const bySite = new Map<number, { live: Record<string, number>; beat: boolean; control: string | null; event: unknown; n: number }>();
    for (const { siteId, msg } of msgs) {
      const a = bySite.get(siteId) ?? { live: {}, beat: false, control: null, event: null, n: 0 };
      bySite.set(siteId, a);
      a.n++;
      if (msg.kind === 'snapshot') Object.assign(a.live, msg.values);
      else if (msg.kind === 'change') a.live[msg.channel] = msg.value;
      else if (msg.kind === 'heartbeat') { a.beat = true; a.control = msg.control; }
      else if (msg.kind === 'event') a.event = msg;
      else if (msg.kind === 'contract') {
        await tx.query('UPDATE edge_contracts SET state = $1, reason = COALESCE($2, reason), updated_at = $3 WHERE id = $4 AND site_id = $5',
          [msg.state, msg.reason ?? null, new Date(now).toISOString(), msg.contractId, siteId]);
      }
    }
    if (!bySite.size) return;
    const sites = [...bySite.keys()];
    const rows = sites.map((s) => bySite.get(s)!);
    await tx.query(
      `INSERT INTO edge_agents (site_id, last_seen, last_heartbeat, control, live, messages, last_event)
       SELECT u.site_id, $2::timestamptz, CASE WHEN u.beat THEN $2::timestamptz END, u.control, u.live::jsonb, u.n, u.event::jsonb
       FROM unnest($1::int[], $3::boolean[], $4::text[], $5::text[], $6::int[], $7::text[]) AS u(site_id, beat, control, live, n, event)
       ON CONFLICT (site_id) DO UPDATE SET last_seen = EXCLUDED.last_seen,
         last_heartbeat = COALESCE(EXCLUDED.last_heartbeat, edge_agents.last_heartbeat),
         control = COALESCE(EXCLUDED.control, edge_agents.control),
         live = edge_agents.live || EXCLUDED.live, messages = edge_agents.messages + EXCLUDED.messages,
         last_event = COALESCE(EXCLUDED.last_event, edge_agents.last_event)`,
      [sites, new Date(now).toISOString(), rows.map((r) => r.beat), rows.map((r) => r.control), rows.map((r) => JSON.stringify(r.live)), rows.map((r) => r.n), rows.map((r) => (r.event === null ? null : JSON.stringify(r.event)))],
    );
  }

  /** Publishes a message to one agent (QoS 1). */
  async send(siteId: number, msg: DownMsg): Promise<void> {
    if (!this.client) throw new Error('the edge service is not started');
    await this.client.publishAsync(topics.down(this.o.topicPrefix ?? '', siteId), JSON.stringify(msg), { qos: 1 });
  }

  /** Records a contract as created and offers it to the site's agent. */
  async offer(siteId: number, t: ContractTerms): Promise<void> {
    const now = this.now();
    await recordContract(this.o.store, siteId, t, now);
    await this.send(siteId, { kind: 'offer', id: `offer-${t.id}`, createdAt: new Date(now).toISOString(), contractId: t.id, device: t.device, start: new Date(t.start).toISOString(), durationMs: t.durationMs, powerKw: t.powerKw, heartbeatMs: t.heartbeatMs, graceMs: t.graceMs });
  }

  /** Heartbeats for every contract that is not finished; contracts still `created` (e.g. made through the API) are offered (again). */
  async sendHeartbeats(): Promise<void> {
    const open = await this.o.store.query<Record<string, unknown>>(`SELECT * FROM edge_contracts WHERE state IN ('created', 'received', 'confirmed', 'active')`);
    const now = this.now();
    const at = new Date(now).toISOString();
    for (const c of open) {
      const id = c.id as string;
      const siteId = Number(c.site_id);
      if (c.state === 'created') {
        const power = typeof c.power_kw === 'string' ? JSON.parse(c.power_kw) : c.power_kw;
        await this.send(siteId, { kind: 'offer', id: `offer-${id}`, createdAt: at, contractId: id, device: c.device as string, start: new Date(c.start_at as string).toISOString(), durationMs: Number(c.duration_ms), powerKw: power as number[], heartbeatMs: Number(c.heartbeat_ms), graceMs: Number(c.grace_ms) });
      } else await this.send(siteId, { kind: 'heartbeat', id: `hb-${id}-${now}`, createdAt: at, contractId: id });
    }
  }

}
