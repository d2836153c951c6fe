/**
 * The market's HTTP API: markets and members, orders, slot summaries, trades, settlements, bills, community
 * figures, the ledger and its verification, signed meter readings, and server-sent events when a slot clears.
 * Another account's market, site or order is not found (404).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid, notFound } from '../core/errors.ts';
import { formatInstant, isAligned, parseInstant } from '../core/time.ts';
import type { ApiContext } from '../api/extensions.ts';
import { principalOf, requireWriter } from '../api/auth.ts';
import { Duration, Id, Timezone } from '../api/schemas.ts';
import { readingsItem, verifyReadingBatch, type ReadingBatch, type SignedReadingBatch } from '../ledger/index.ts';
import type { Store } from '../store/types.ts';
import { communityFigures } from './bills.ts';
import { billsOf } from './store/bills.ts';
import { summarizeBook } from './curves.ts';
import { gateClosure } from './orders.ts';
import { MECHANISMS } from './types.ts';
import { clearingOut, getClearing, listClearings, listTrades, tradeOut, type StoredClearing } from './store/clearing.ts';
import { onClearing } from './store/events.ts';
import { appendLedger, ledgerEntries, lockMarket, verifyMarketLedger } from './store/ledger.ts';
import { marketOut, marketsRepo, type Market } from './store/markets.ts';
import { writeReadings } from './store/meters.ts';
import { applyToOrder, createOrders, createPlannedOrders, getOrder, listOrders, orderOut } from './store/orders.ts';
import { planOrders, slotsFromForecastAndSchedule } from './agent.ts';
import { readSeries } from '../store/series.ts';
import { listSettlementChanges, listSettlements, settlementOut } from './store/settlement.ts';

const tags = ['markets'];
const MarketParams = z.strictObject({ id: Id });
const MemberParams = z.strictObject({ id: Id, siteId: Id });
const OrderParams = z.strictObject({ id: Id, orderId: Id });
const SlotParams = z.strictObject({ id: Id, start: z.string() });
const Period = z.strictObject({ from: z.string().describe('ISO 8601 with offset'), to: z.string().describe('ISO 8601 with offset, exclusive') });
const PeriodSite = Period.extend({ siteId: Id.optional() });
const Price = z.number().describe('currency per kWh');

const MarketIn = z.strictObject({
  name: z.string().min(1).max(200),
  slot: z.enum(['PT15M', 'PT1H']),
  gateClosure: Duration.describe('lead time before each slot, e.g. PT5M'),
  timeZone: Timezone,
  currency: z.string().regex(/^[A-Z]{3}$/),
  mechanism: z.enum(MECHANISMS).optional(),
  retailPrice: Price,
  feedInTariff: Price,
  localGridFee: Price.optional(),
  imbalanceSensorId: Id.nullable().optional().describe('price sensor of one imbalance price per slot, for both directions'),
});
const MarketPatch = MarketIn.omit({ slot: true, timeZone: true, currency: true }).partial();
const MarketOut = z.object({
  id: z.number(), accountId: z.number(), name: z.string(), slot: z.string(), gateClosure: z.string(), timeZone: z.string(), currency: z.string(),
  mechanism: z.enum(MECHANISMS), retailPrice: z.number(), feedInTariff: z.number(), localGridFee: z.number(), imbalanceSensorId: z.number().nullable(),
  ledgerHead: z.object({ sequence: z.number(), hash: z.string() }).nullable(), createdAt: z.string(),
}).meta({ id: 'Market' });

const MemberIn = z.strictObject({
  meterSensorId: Id.nullable().optional().describe("the site's meter: an energy or power sensor, positive import"),
  meterPublicKey: z.string().max(2000).nullable().optional().describe('Ed25519 public key (PEM); readings of this member must then be signed'),
});
const MemberOut = z.object({ siteId: z.number(), meterSensorId: z.number().nullable(), signedReadings: z.boolean(), joinedAt: z.string() });

const OrderIn = z.strictObject({
  siteId: Id.describe('the member site'),
  side: z.enum(['buy', 'sell']),
  energyKwh: z.number().describe('kWh, above 0'),
  limitPrice: Price,
  slot: z.string().optional().describe('start of the delivery slot, ISO 8601 with offset'),
  slots: z.strictObject({ start: z.string(), end: z.string() }).optional().describe('a range [start, end): one order per slot'),
});
const OrderPatch = z.strictObject({ energyKwh: z.number().optional(), limitPrice: Price.optional() });
const OrderFilter = z.strictObject({
  from: z.string().optional(), to: z.string().optional(), siteId: Id.optional(),
  status: z.enum(['open', 'closed', 'matched', 'unmatched', 'delivering', 'settled', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const ReadingsIn = z.strictObject({
  batch: z.object({
    meterId: z.string().min(1), site: z.string().min(1).describe('the member site id'),
    readings: z.array(z.object({ slotStart: z.string(), energyKwh: z.number() })).min(1).max(10_000),
  }),
  signature: z.string().optional().describe('base64 Ed25519 signature of the canonical JSON of batch'),
});

const instant = (text: string, field: string) => parseInstant(text, field);

function period(q: { from: string; to: string }): { from: number; to: number } {
  const from = instant(q.from, 'from');
  const to = instant(q.to, 'to');
  if (!(to > from)) throw invalid('to', 'must be after from');
  return { from, to };
}

export function marketRoutes(app: FastifyInstance, ctx: ApiContext, opts: { ssePollMs?: number } = {}): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { store } = ctx;
  const repo = marketsRepo(store);
  const now = () => ctx.clock().getTime();
  const find = (req: FastifyRequest, id: number) => repo.mustGet(principalOf(req).scope, id);
  const writable = async (req: FastifyRequest, id: number) => {
    const m = await find(req, id);
    requireWriter(req);
    return m;
  };

  r.get('/api/v1/markets', { schema: { tags, summary: 'List markets', response: { 200: z.object({ items: z.array(MarketOut) }) } } },
    async (req) => ({ items: (await repo.list(principalOf(req).scope)).map(marketOut) }));

  r.post('/api/v1/markets', { schema: { tags, summary: 'Create a local market', body: MarketIn, response: { 201: MarketOut } } }, async (req, reply) => {
    const p = requireWriter(req);
    return reply.code(201).send(marketOut(await repo.create(p.user.accountId, req.body, now())));
  });

  r.get('/api/v1/markets/:id', { schema: { tags, summary: 'A market', params: MarketParams, response: { 200: MarketOut } } },
    async (req) => marketOut(await find(req, req.params.id)));

  r.patch('/api/v1/markets/:id', { schema: { tags, summary: 'Change a market (not its slot grid)', params: MarketParams, body: MarketPatch, response: { 200: MarketOut } } },
    async (req) => {
      await writable(req, req.params.id);
      return marketOut(await repo.update(principalOf(req).scope, req.params.id, req.body));
    });

  r.delete('/api/v1/markets/:id', { schema: { tags, summary: 'Delete a market with its orders, trades and ledger', params: MarketParams, response: { 204: z.null() } } },
    async (req, reply) => {
      await writable(req, req.params.id);
      await repo.delete(principalOf(req).scope, req.params.id);
      return reply.code(204).send(null);
    });

  r.get('/api/v1/markets/:id/members', { schema: { tags, summary: 'Member sites', params: MarketParams, response: { 200: z.object({ items: z.array(MemberOut) }) } } },
    async (req) => {
      const m = await find(req, req.params.id);
      return { items: (await repo.members(m.dbId)).map((x) => ({ siteId: x.siteId, meterSensorId: x.meterSensorId, signedReadings: x.meterPublicKey !== null, joinedAt: formatInstant(x.joinedAt) })) };
    });

  r.put('/api/v1/markets/:id/members/:siteId', { schema: { tags, summary: 'Add a site of the account as member (or change its meter)', params: MemberParams, body: MemberIn, response: { 200: MemberOut } } },
    async (req) => {
      const m = await writable(req, req.params.id);
      const x = await repo.putMember(m, { siteId: req.params.siteId, ...req.body }, now());
      return { siteId: x.siteId, meterSensorId: x.meterSensorId, signedReadings: x.meterPublicKey !== null, joinedAt: formatInstant(x.joinedAt) };
    });

  r.delete('/api/v1/markets/:id/members/:siteId', { schema: { tags, summary: 'Remove a member', params: MemberParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const m = await writable(req, req.params.id);
      if (!(await repo.removeMember(m.dbId, req.params.siteId))) throw notFound(`member ${req.params.siteId} of market ${m.dbId}`);
      return reply.code(204).send(null);
    });

  r.post('/api/v1/markets/:id/orders', { schema: { tags, summary: 'Place an order for one slot or a range of slots (all or nothing)', params: MarketParams, body: OrderIn } },
    async (req, reply) => {
      const m = await repo.mustGetRecent(principalOf(req).scope, req.params.id);
      requireWriter(req);
      const { siteId, ...rest } = req.body;
      const orders = await createOrders(store, m, { ...rest, member: String(siteId) }, now());
      return reply.code(201).send({ items: orders.map(orderOut) });
    });

  r.get('/api/v1/markets/:id/orders', { schema: { tags, summary: 'Orders by slot range, member and status', params: MarketParams, querystring: OrderFilter } },
    async (req) => {
      const m = await find(req, req.params.id);
      const q = req.query;
      const orders = await listOrders(store, m.dbId, {
        from: q.from ? instant(q.from, 'from') : undefined, to: q.to ? instant(q.to, 'to') : undefined, siteId: q.siteId, status: q.status, limit: q.limit,
      });
      return { items: orders.map(orderOut) };
    });

  r.get('/api/v1/markets/:id/orders/:orderId', { schema: { tags, summary: 'An order with its history', params: OrderParams } },
    async (req) => orderOut(await getOrder(store, await find(req, req.params.id), req.params.orderId)));

  r.patch('/api/v1/markets/:id/orders/:orderId', { schema: { tags, summary: 'Change energy or limit price (until the gate)', params: OrderParams, body: OrderPatch } },
    async (req) => {
      const m = await writable(req, req.params.id);
      return orderOut(await applyToOrder(store, m, req.params.orderId, { type: 'change', ...req.body }, now()));
    });

  r.delete('/api/v1/markets/:id/orders/:orderId', { schema: { tags, summary: 'Cancel an order (until the gate); it stays, cancelled', params: OrderParams } },
    async (req) => {
      const m = await writable(req, req.params.id);
      return orderOut(await applyToOrder(store, m, req.params.orderId, { type: 'cancel' }, now()));
    });

  r.get('/api/v1/markets/:id/slots/:start', { schema: { tags, summary: 'A slot: order book summary (curves), gate, clearing price and volume', params: SlotParams } },
    async (req) => {
      const m = await find(req, req.params.id);
      const start = instant(req.params.start, 'start');
      if (!isAligned(start, m.slotMs, m.timeZone)) throw invalid('start', `is not on the market's grid of ${m.slotMs / 60_000}-minute slots`);
      const orders = (await listOrders(store, m.dbId, { from: start, to: start + 1 })).filter((o) => o.status !== 'cancelled');
      const clearing = await getClearing(store, m.dbId, start);
      return { slot: formatInstant(start), gateClosure: formatInstant(gateClosure(m, start)), book: summarizeBook(orders), clearing: clearing ? clearingOut(clearing) : null };
    });

  r.get('/api/v1/markets/:id/clearings', { schema: { tags, summary: 'Clearing price and volume per slot over a period', params: MarketParams, querystring: Period } },
    async (req) => {
      const m = await find(req, req.params.id);
      const p = period(req.query);
      return { items: (await listClearings(store, m.dbId, p.from, p.to)).map(clearingOut) };
    });

  r.get('/api/v1/markets/:id/trades', { schema: { tags, summary: 'Trades over a period (optionally of one member)', params: MarketParams, querystring: PeriodSite } },
    async (req) => {
      const m = await find(req, req.params.id);
      const p = period(req.query);
      return { items: (await listTrades(store, m.dbId, p.from, p.to, req.query.siteId)).map(tradeOut) };
    });

  r.get('/api/v1/markets/:id/settlements', { schema: { tags, summary: 'Member-slot settlements (settled or awaiting-data) and re-settlement differences', params: MarketParams, querystring: PeriodSite } },
    async (req) => {
      const m = await find(req, req.params.id);
      const p = period(req.query);
      const items = (await listSettlements(store, m.dbId, p.from, p.to, req.query.siteId)).map(settlementOut);
      return { items, changes: await listSettlementChanges(store, m.dbId, p.from, p.to) };
    });

  r.get('/api/v1/markets/:id/bills', { schema: { tags, summary: "Each member's bill for a period (or one member's)", params: MarketParams, querystring: PeriodSite } },
    async (req) => {
      const m = await find(req, req.params.id);
      const p = period(req.query);
      const bills = await billsOf(store, m, p.from, p.to, req.query.siteId);
      return { items: bills };
    });

  r.get('/api/v1/markets/:id/community', { schema: { tags, summary: 'Self-sufficiency, self-consumption, saving, traded volume and average local price', params: MarketParams, querystring: Period } },
    async (req) => {
      const m = await find(req, req.params.id);
      const p = period(req.query);
      const f = communityFigures(await listSettlements(store, m.dbId, p.from, p.to), p.from, p.to);
      return { ...f, currency: m.currency, from: formatInstant(p.from), to: formatInstant(p.to) };
    });

  r.get('/api/v1/markets/:id/ledger', { schema: { tags, summary: 'Ledger entries in order', params: MarketParams, querystring: z.strictObject({ after: z.coerce.number().int().min(-1).optional(), limit: z.coerce.number().int().min(1).max(10_000).optional() }) } },
    async (req) => {
      const m = await find(req, req.params.id);
      return { head: m.ledgerHead, items: await ledgerEntries(store, m.dbId, { after: req.query.after, limit: req.query.limit ?? 1000 }) };
    });

  r.get('/api/v1/markets/:id/ledger/verify', { schema: { tags, summary: 'Recompute the hash chain; names the first changed, removed or re-ordered entry', params: MarketParams } },
    async (req) => {
      const m = await find(req, req.params.id);
      return verifyMarketLedger(store, m.dbId);
    });

  r.post('/api/v1/markets/:id/readings', { schema: { tags, summary: "A member's meter readings per slot (signed with the meter's key when the member has one)", params: MarketParams, body: ReadingsIn } },
    async (req, reply) => {
      const m = await writable(req, req.params.id);
      const body = req.body as { batch: ReadingBatch; signature?: string };
      const siteId = Number(body.batch.site);
      const member = Number.isInteger(siteId) ? await repo.member(m.dbId, siteId) : null;
      if (!member) throw notFound(`member ${body.batch.site} of market ${m.dbId}`);
      if (member.meterPublicKey) verifyReadingBatch(body as SignedReadingBatch, member.meterPublicKey);
      else if (body.signature !== undefined) throw invalid('signature', `member ${siteId} has no meter key to check it against; set meterPublicKey first`);
      if (member.meterSensorId === null) throw invalid('batch.site', `member ${siteId} has no meter sensor (meterSensorId)`);
      const t = now();
      const slots = await store.transaction(async (tx) => {
        const head = await lockMarket(tx, m.dbId);
        const sensor = await tx.sensors.get('all', member.meterSensorId!);
        if (!sensor) throw invalid('batch.site', `the meter sensor of member ${siteId} is gone`);
        const written = await writeReadings(tx, sensor, m, body.batch, t);
        await appendLedger(tx, m.dbId, [readingsItem(body as SignedReadingBatch, t)], { head });
        return written;
      });
      return reply.code(201).send({ written: slots.length, slots: slots.map((s) => formatInstant(s)), signed: member.meterPublicKey !== null });
    });

  agentRoute(app, ctx);

  r.get('/api/v1/markets/:id/events', { schema: { tags, summary: 'Server-sent events: `cleared` with price and volume each time a slot clears', params: MarketParams } },
    async (req, reply) => streamClearings(req, reply, store, await find(req, req.params.id), opts.ssePollMs ?? 2000));
}

/** Streams `event: cleared` for each clearing after the client connects (announced here or found by polling). */
async function streamClearings(req: FastifyRequest, reply: FastifyReply, store: Store, m: Market, pollMs: number): Promise<void> {
  const seen = new Set<number>();
  const latest = await store.query<{ s: string | null }>('SELECT max(slot_start) AS s FROM market_clearings WHERE market_id = $1', [m.dbId]);
  let watermark = latest[0]?.s === null || latest[0]?.s === undefined ? -Infinity : Number(latest[0].s);
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.write(': connected\n\n');
  const send = (c: StoredClearing) => {
    if (seen.has(c.slotStart)) return;
    seen.add(c.slotStart);
    watermark = Math.max(watermark, c.slotStart);
    res.write(`event: cleared\nid: ${c.slotStart}\ndata: ${JSON.stringify(clearingOut(c))}\n\n`);
  };
  const off = onClearing(m.dbId, send);
  const poll = setInterval(async () => {
    try {
      const found = await listClearings(store, m.dbId, Number.isFinite(watermark) ? watermark + 1 : -8.64e15, 8.64e15);
      found.forEach(send);
      res.write(': ping\n\n');
    } catch {
      /* the store may be closing; the client reconnects */
    }
  }, pollMs);
  req.raw.on('close', () => {
    clearInterval(poll);
    off();
  });
}

const AgentIn = z.strictObject({
  limits: z.strictObject({
    buyUpTo: Price.describe('highest price for demand that happens anyway'), sellFrom: Price.describe('lowest price for surplus'),
    flexibleBuyUpTo: Price.optional(), minOrderKwh: z.number().optional(),
  }),
  slots: z.array(z.strictObject({ slot: z.string(), netKwh: z.number().describe('positive import, negative surplus'), flexibleKwh: z.number().optional() })).max(672).optional()
    .describe("the member's plan per slot; without it, over [from, to): the forecasts of the member's meter sensor and the schedules of its site's flexible assets"),
  from: z.string().optional(),
  to: z.string().optional(),
});

/**
 * `POST /api/v1/markets/{id}/members/{siteId}/agent`: gridflex places a member's orders from its plan (or the
 * latest forecasts of its meter sensor and schedules of its flexible assets): surplus offered, demand and
 * flexible demand bid for, within its limits.
 */
export function agentRoute(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/v1/markets/:id/members/:siteId/agent', { schema: { tags, summary: "Place a member's orders from its plan or forecasts, within its price limits", params: MemberParams, body: AgentIn } },
    async (req, reply) => {
      const m = await marketsRepo(ctx.store).mustGet(principalOf(req).scope, req.params.id);
      requireWriter(req);
      const member = await marketsRepo(ctx.store).member(m.dbId, req.params.siteId);
      if (!member) throw notFound(`member ${req.params.siteId} of market ${m.dbId}`);
      const now = ctx.clock().getTime();
      const slots = req.body.slots
        ? req.body.slots.map((s, k) => ({ slotStart: instant(s.slot, `slots[${k}].slot`), netKwh: s.netKwh, flexibleKwh: s.flexibleKwh }))
        : await storedPlan(ctx.store, m, member, req.body.from, req.body.to);
      const drafts = planOrders(String(member.siteId), slots, req.body.limits, m, now);
      const orders = await createPlannedOrders(ctx.store, m, drafts, now);
      return reply.code(201).send({ items: orders.map(orderOut) });
    });
}

/** Asset types whose power a schedule moves: their scheduled energy is the member's flexible demand or supply. */
const FLEXIBLE_ASSETS = new Set(['battery', 'ev-charger', 'heat-pump', 'shiftable-load']);

/**
 * The member's plan over [from, to) from stored data: its expected net energy per slot from the latest
 * `forecaster` beliefs of its meter sensor, and the flexible demand or supply of its site's flexible assets from
 * the latest `scheduler` beliefs on their power sensors (a site schedule), when there are any.
 */
async function storedPlan(store: Store, m: Market, member: { siteId: number; meterSensorId: number | null }, from?: string, to?: string) {
  if (!from || !to) throw invalid('slots', 'give the plan per slot, or from and to to use the stored forecasts and schedules');
  const p = period({ from, to });
  if (!isAligned(p.from, m.slotMs, m.timeZone) || (p.to - p.from) % m.slotMs !== 0) throw invalid('from', `from and to must be on the market's grid of ${m.slotMs / 60_000}-minute slots`);
  const n = (p.to - p.from) / m.slotMs;
  if (n > 672) throw invalid('to', 'the agent plans at most 672 slots at once');
  const hours = m.slotMs / 3_600_000;
  const scope = { accountId: m.accountIdNum };
  let forecast: (number | null)[] = [];
  if (member.meterSensorId !== null) {
    const sensor = await store.sensors.get('all', member.meterSensorId);
    if (sensor) {
      const unit = sensor.quantity === 'energy' ? 'kWh' : 'kW';
      const s = await readSeries(store, sensor, { start: p.from, end: p.to, resolutionMs: m.slotMs, unit, sourceKinds: ['forecaster'] });
      forecast = Array.from(s.values, (v) => (v === null ? null : unit === 'kWh' ? v : v * hours));
    }
  }
  const scheduled: (number | null)[] = new Array(n).fill(null);
  for (const asset of await store.assets.list(scope, { siteId: member.siteId })) {
    if (!FLEXIBLE_ASSETS.has(asset.type)) continue;
    for (const sensor of await store.sensors.list(scope, { assetId: asset.id, quantity: 'power' })) {
      if (m.slotMs % sensor.resolutionMs !== 0) continue;
      const s = await readSeries(store, sensor, { start: p.from, end: p.to, resolutionMs: m.slotMs, unit: 'kW', sourceKinds: ['scheduler'] });
      if (!Array.from(s.values).some((v) => v !== null)) continue;
      Array.from(s.values).forEach((v, k) => { if (v !== null) scheduled[k] = (scheduled[k] ?? 0) + v * hours; });
      break; // one schedule per asset: the first power sensor that has one
    }
  }
  if (member.meterSensorId === null && scheduled.every((v) => v === null)) {
    throw invalid('slots', 'the member has no meter sensor to read forecasts from and no scheduled flexible assets; give the plan per slot');
  }
  return slotsFromForecastAndSchedule(p.from, m.slotMs, forecast, scheduled);
}
