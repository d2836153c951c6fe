/**
 * The edge agent: runs the (simulated) site on a clock that may run faster than real time, reports telemetry
 * over MQTT (snapshots, 5-minute readings through the spool, immediate power changes), follows dispatch
 * contracts while the platform's heartbeats arrive, and controls the site locally otherwise.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { DateTime } from 'luxon';
import type { AgentConfig } from './config.ts';
import { contractPowerAt, contractProblems, dueEvent, isFinal, transition, type ContractState, type ContractTerms } from './contract.ts';
import { clampSetpoint, inPeriods, localSetpoints } from './control.ts';
import { pvFractionAt, readOutdoorTemperature, readPvShape, valueAt, type Recorded } from './data.ts';
import { DEFAULT_KEEP } from './downsample.ts';
import { DownMsg, topics, type ReadingsMsg, type UpMsg } from './messages.ts';
import { SimulatedSite, type ChannelReading } from './site.ts';
import { simClock, type SimClock } from './simclock.ts';
import { Spool } from './spool.ts';

const STEP_MS = 30_000;
const SLOT_MS = 300_000;
const INFLIGHT = 64;

type Device = 'heat-pump' | 'battery' | 'ev-charger';

export interface AgentOptions {
  /** Replaces the simulation clock (tests). */
  clock?: SimClock;
  log?: (line: string) => void;
  /** Recorded series (default: read from the config's files). */
  pv?: Recorded;
  weather?: Recorded;
  /** Called when a readings message goes out (its id, real epoch ms): for measurements. */
  onPublish?: (id: string, realMs: number) => void;
}

export class Agent {
  readonly site: SimulatedSite;
  readonly spool: Spool;
  private client?: MqttClient;
  private timer?: NodeJS.Timeout;
  private readonly clock: SimClock;
  private simNow: number;
  private slotStart: number;
  private samples = new Map<string, { r: ChannelReading; values: (number | null)[] }>();
  private lastSent = new Map<string, number>();
  private lastSnapshot = -Infinity;
  private inflight = new Set<string>();
  private msgSeq = 0;
  private readonly pv: Recorded;
  private readonly weather: Recorded;
  contract?: { terms: ContractTerms; state: ContractState; lastPlatformBeat: number; lastOwnBeat: number };
  control: 'local' | 'platform' = 'local';
  /** House temperature at each step, for checks. */
  readonly houseTrace: { t: number; houseC: number; control: 'local' | 'platform' }[] = [];
  readonly events: UpMsg[] = [];
  private override?: { device: Device; kw: number; until: number };

  constructor(readonly cfg: AgentConfig, private readonly opts: AgentOptions = {}) {
    this.site = new SimulatedSite(cfg);
    this.spool = new Spool(cfg.spool.dir);
    const start = Date.parse(cfg.simulation.start);
    this.pv = opts.pv ?? readPvShape(cfg.simulation.pvFile);
    this.weather = opts.weather ?? readOutdoorTemperature(cfg.simulation.weatherFile);
    // Resume after the last step a previous run reported, so message ids never repeat with other contents.
    const lastSpooled = this.spool.pending().at(-1);
    const resume = Math.max(lastSpooled ? Date.parse(lastSpooled.start) + SLOT_MS : start, this.spool.lastSlotEnd ?? start);
    this.simNow = Math.floor(Math.max(start, resume) / STEP_MS) * STEP_MS;
    this.slotStart = Math.floor(this.simNow / SLOT_MS) * SLOT_MS;
    this.clock = opts.clock ?? simClock(this.simNow, cfg.simulation.speed);
  }

  /** The simulated time the next step starts at. */
  get now(): number {
    return this.simNow;
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private prefix(): string {
    return this.cfg.broker.topicPrefix;
  }

  private nextId(kind: string): string {
    return `s${this.cfg.siteId}-${kind}-${this.simNow}-${this.msgSeq++}`;
  }

  /** Connects to the broker and starts the simulation loop. */
  start(): void {
    const b = this.cfg.broker;
    this.client = mqtt.connect(b.url, {
      clientId: `gridflex-agent-${this.cfg.siteId}-${process.pid}`, protocolVersion: 4, clean: true,
      username: b.username, password: b.password, ca: b.caFile ? readFileSync(b.caFile) : undefined,
      reconnectPeriod: 500, connectTimeout: 5_000, queueQoSZero: false,
    });
    this.client.on('connect', () => {
      this.log('connected');
      this.inflight.clear();
      this.client!.subscribe(topics.down(this.prefix(), this.cfg.siteId), { qos: 1 });
      this.flush();
    });
    this.client.on('close', () => this.inflight.clear());
    this.client.on('error', (e) => this.log(`mqtt: ${e.message}`));
    this.client.on('message', (_topic, payload) => this.onDown(payload));
    this.scheduleTick();
  }

  private scheduleTick(): void {
    const due = this.simNow + STEP_MS;
    const wait = Math.max(0, this.clock.realMs(due - this.clock.now()));
    this.timer = setTimeout(() => {
      this.tick();
      this.scheduleTick();
    }, wait);
  }

  /** Stops the simulation; waits up to `drainMs` for the spooled readings to be acknowledged. */
  async stop(drainMs = 3_000): Promise<void> {
    clearTimeout(this.timer);
    const until = Date.now() + drainMs;
    this.flush();
    while (this.spool.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await this.client?.endAsync();
  }

  /** One 30-second step: environment, contract, control, physics, telemetry. */
  tick(): void {
    const t = this.simNow;
    const local = DateTime.fromMillis(t, { zone: this.cfg.timezone });
    const offset = local.offset * 60_000;
    this.site.observe({
      outdoorC: valueAt(this.weather, t) + this.cfg.simulation.outdoorOffsetC,
      pvFraction: pvFractionAt(this.pv, t, offset),
      minuteOfDay: local.hour * 60 + local.minute,
    });
    this.advanceContract(t);
    this.applyControl(t, inPeriods(this.cfg.peaks, local.hour * 60 + local.minute));
    this.site.step(STEP_MS / 3_600_000);
    this.houseTrace.push({ t, houseC: this.site.houseC, control: this.control });
    this.simNow = t + STEP_MS;
    this.record(t);
  }

  private applyControl(t: number, peak: boolean): void {
    const s = this.site.state();
    const limits = this.site.limits;
    const hours = STEP_MS / 3_600_000;
    const sp = localSetpoints(this.cfg.comfort, limits, s, peak, hours);
    const want: Record<Device, number> = { 'heat-pump': sp.heatPumpKw, battery: sp.batteryKw, 'ev-charger': sp.evKw };
    const platform: { device: Device; kw: number }[] = [];
    if (this.control === 'platform' && this.contract?.state === 'active') {
      const kw = contractPowerAt(this.contract.terms, t);
      if (kw !== null) platform.push({ device: this.contract.terms.device as Device, kw });
    }
    if (this.override && t < this.override.until) platform.push(this.override);
    for (const p of platform) {
      const c = clampSetpoint(p.device, p.kw, this.cfg.comfort, limits, s, hours);
      want[p.device] = c.appliedKw;
      if (c.clamped) this.publishEvent({ event: 'clamp', device: p.device, requestedKw: p.kw, appliedKw: c.appliedKw, reason: c.reason });
    }
    const drivers = new Map(this.site.drivers().map((d) => [d.name, d]));
    drivers.get('heat-pump')!.write(want['heat-pump']);
    drivers.get('ev-charger')!.write(want['ev-charger']);
    // The battery follows the rest of the site for self-consumption unless the platform steers it.
    drivers.get('battery')!.write(want.battery);
    this.site.circulation = sp.circulation;
  }

  private record(t: number): void {
    const readings = this.site.drivers().flatMap((d) => d.read());
    const idx = Math.round((t - this.slotStart) / STEP_MS);
    for (const r of readings) {
      const s = this.samples.get(r.channel) ?? { r, values: new Array(SLOT_MS / STEP_MS).fill(null) };
      s.values[idx] = round(r.value);
      this.samples.set(r.channel, s);
      if (r.ratingKw !== undefined) {
        const prev = this.lastSent.get(r.channel) ?? 0;
        if (Math.abs(r.value - prev) > this.cfg.telemetry.changeFraction * r.ratingKw) {
          this.lastSent.set(r.channel, r.value);
          this.publishLive({ kind: 'change', id: this.nextId('c'), siteId: this.cfg.siteId, createdAt: iso(this.simNow), at: iso(t), channel: r.channel, value: round(r.value), previous: round(prev), ratingKw: r.ratingKw });
        }
      }
    }
    if (this.simNow - this.lastSnapshot >= this.cfg.telemetry.snapshotS * 1000) {
      this.lastSnapshot = this.simNow;
      this.publishLive({ kind: 'snapshot', id: this.nextId('n'), siteId: this.cfg.siteId, createdAt: iso(this.simNow), at: iso(t), values: Object.fromEntries(readings.map((r) => [r.channel, round(r.value)])) });
    }
    if (this.simNow >= this.slotStart + SLOT_MS) this.closeSlot();
  }

  /** The slot's readings go to the spool (on disk) first, then out. */
  private closeSlot(): void {
    const msg: ReadingsMsg = {
      kind: 'readings', id: `s${this.cfg.siteId}-r-${this.slotStart}`, siteId: this.cfg.siteId, createdAt: iso(this.simNow),
      start: iso(this.slotStart), resolution: 'PT30S',
      channels: [...this.samples.values()].map(({ r, values }) => ({ channel: r.channel, quantity: r.quantity, unit: r.unit, values })),
    };
    this.samples.clear();
    this.slotStart += SLOT_MS;
    this.spool.append(msg);
    this.spool.lastSlotEnd = this.slotStart;
    if (!this.client?.connected && this.spool.size % 288 === 0) this.spool.compact(this.simNow, { ...DEFAULT_KEEP, maxBytes: this.cfg.spool.maxBytes });
    this.flush();
  }

  /** Sends pending spool messages in order, a window at a time; each is removed when the broker acks it. */
  flush(): void {
    const c = this.client;
    if (!c?.connected) return;
    for (const m of this.spool.iterPending()) {
      if (this.inflight.size >= INFLIGHT) return;
      if (this.inflight.has(m.id)) continue;
      this.inflight.add(m.id);
      this.opts.onPublish?.(m.id, Date.now());
      c.publish(topics.up(this.prefix(), this.cfg.siteId, 'readings'), JSON.stringify(m), { qos: 1 }, (err) => {
        this.inflight.delete(m.id);
        if (!err) this.spool.ack(m.id);
        if (!err) this.flush();
      });
    }
  }

  /** Snapshots, changes, events, heartbeats: sent while connected (QoS 1), not kept through an outage. */
  private publishLive(msg: UpMsg): void {
    if (msg.kind === 'event' || msg.kind === 'contract') this.events.push(msg);
    if (this.client?.connected) this.client.publish(topics.up(this.prefix(), this.cfg.siteId, msg.kind), JSON.stringify(msg), { qos: 1 });
  }

  private publishEvent(e: { event: 'clamp' | 'local-control' | 'platform-control'; device?: string; requestedKw?: number; appliedKw?: number; reason?: string }): void {
    this.publishLive({ kind: 'event', id: this.nextId('e'), siteId: this.cfg.siteId, createdAt: iso(this.simNow), at: iso(this.simNow), ...e });
  }

  private setContractState(state: ContractState, reason?: string): void {
    const c = this.contract!;
    c.state = state;
    this.log(`contract ${c.terms.id} ${state}${reason ? ` (${reason})` : ''}`);
    this.publishLive({ kind: 'contract', id: this.nextId('k'), siteId: this.cfg.siteId, createdAt: iso(this.simNow), contractId: c.terms.id, state: state as 'received', reason });
    const control = state === 'active' ? 'platform' : 'local';
    if (control !== this.control) {
      this.control = control;
      this.publishEvent({ event: control === 'local' ? 'local-control' : 'platform-control', reason });
    }
  }

  private advanceContract(t: number): void {
    const c = this.contract;
    if (!c || isFinal(c.state)) return;
    const ev = dueEvent(c.state, c.terms, t, c.lastPlatformBeat);
    if (ev) this.setContractState(transition(c.state, ev), ev.type === 'terminate' ? ev.reason : undefined);
    if (!isFinal(c.state) && t - c.lastOwnBeat >= c.terms.heartbeatMs) {
      c.lastOwnBeat = t;
      this.publishLive({ kind: 'heartbeat', id: this.nextId('h'), siteId: this.cfg.siteId, createdAt: iso(t), contractId: c.terms.id, control: this.control });
    }
  }

  /** Offers, heartbeats, terminations and setpoints from the platform. */
  onDown(payload: Buffer): void {
    let msg: DownMsg;
    try {
      msg = DownMsg.parse(JSON.parse(payload.toString()));
    } catch (e) {
      this.log(`rejected a platform message: ${(e as Error).message.slice(0, 200)}`);
      return;
    }
    const now = this.simNow;
    if (msg.kind === 'offer') {
      if (this.contract && !isFinal(this.contract.state) && this.contract.terms.id !== msg.contractId) this.setContractState('terminated', `replaced by ${msg.contractId}`);
      if (this.contract?.terms.id === msg.contractId) return;
      const terms: ContractTerms = { id: msg.contractId, device: msg.device, start: Date.parse(msg.start), durationMs: msg.durationMs, powerKw: msg.powerKw, heartbeatMs: msg.heartbeatMs, graceMs: msg.graceMs };
      this.contract = { terms, state: 'created', lastPlatformBeat: now, lastOwnBeat: now };
      this.setContractState('received');
      const problems = contractProblems(terms);
      if (!['heat-pump', 'battery', 'ev-charger'].includes(msg.device)) problems.push(`device: no steerable device "${msg.device}"`);
      if (problems.length) this.setContractState('terminated', problems.join('; '));
      else this.setContractState('confirmed');
    } else if (msg.kind === 'heartbeat') {
      if (this.contract?.terms.id === msg.contractId) this.contract.lastPlatformBeat = now;
    } else if (msg.kind === 'terminate') {
      if (this.contract?.terms.id === msg.contractId && !isFinal(this.contract.state)) this.setContractState('terminated', msg.reason);
    } else if (msg.kind === 'setpoint') {
      if (['heat-pump', 'battery', 'ev-charger'].includes(msg.device)) this.override = { device: msg.device as Device, kw: msg.powerKw, until: now + SLOT_MS };
      else this.log(`setpoint for unknown device ${msg.device}`);
    }
  }
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
