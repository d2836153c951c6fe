import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid } from '../core/errors.ts';
import { formatInstant, parseInstant } from '../core/time.ts';
import { convertValues, parseUnit } from '../core/units.ts';
import { normalizeRequest } from '../flex/index.ts';
import { planCharging } from '../schedule/index.ts';
import type { Scope, Sensor, Store } from '../store/types.ts';
import { principalOf, requireWriter } from '../api/auth.ts';
import { mustFind } from '../api/routes/ownership.ts';
import { Id, IdParams, IsoTime, Timezone, Duration } from '../api/schemas.ts';
import type { ApiContext } from '../api/extensions.ts';
import { buildSiteRequest } from './site-request.ts';
import { pricesKnownNow, sitePriceSensor } from './prices.ts';
import { getRun, listSiteRuns, startRun, type ScheduleRun } from './runs.ts';

const Accepted = z.object({ id: z.number(), job: z.string().nullable(), statusUrl: z.string(), resultUrl: z.string(), reused: z.boolean() });

const SiteScheduleIn = z.strictObject({
  start: IsoTime.optional(), end: IsoTime.optional(), slots: z.number().int().positive().optional(), resolution: Duration.optional(),
  context: z.record(z.string(), z.unknown()).optional().describe('overrides of the stored flex context: importPrice, exportPrice, importLimitKw, exportLimitKw, peakPricePerKw'),
  assets: z.record(z.string(), z.record(z.string(), z.unknown())).optional().describe('per asset id, fields completing its stored flex model (e.g. an EV arrival)'),
  request: z.record(z.string(), z.unknown()).optional().describe('a whole self-contained schedule request instead of stored data'),
});

const ChargingIn = z.strictObject({
  priceZone: z.string().min(1).optional(), siteId: Id.optional(),
  powerKw: z.number().positive(), energyKwh: z.number().positive(),
  start: IsoTime, deadline: IsoTime,
  chargeEfficiency: z.number().gt(0).max(1).optional(), timezone: Timezone.optional(),
});

const RunOut = z.object({
  id: z.number(), siteId: z.number().nullable(), status: z.enum(['queued', 'running', 'done', 'failed']),
  job: z.string().nullable(), createdAt: z.string(), finishedAt: z.string().nullable(), error: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
});

function runOut(r: ScheduleRun) {
  return {
    id: r.id, siteId: r.siteId, status: r.status, job: r.jobId, createdAt: formatInstant(r.createdAt),
    finishedAt: r.finishedAt === null ? null : formatInstant(r.finishedAt), error: r.error, result: r.result,
  };
}

function accepted(kind: 'schedules' | 'charging-requests', run: ScheduleRun, reused: boolean) {
  return { id: run.id, job: run.jobId, statusUrl: `/api/v1/jobs/${run.jobId}`, resultUrl: `/api/v1/${kind}/${run.id}`, reused };
}

/** The price sensor of the request (a site's, or a price zone's) and the time zone to answer in. */
async function chargingPriceSensor(store: Store, scope: Scope, body: z.infer<typeof ChargingIn>): Promise<{ sensor: Sensor; timezone: string }> {
  if (body.siteId !== undefined) {
    const { site, sensor } = await sitePriceSensor(store, scope, body.siteId);
    if (!sensor) throw invalid('siteId', `site ${site.id} has no price sensor`);
    return { sensor, timezone: body.timezone ?? site.timezone };
  }
  if (!body.priceZone) throw invalid('priceZone', 'give priceZone or siteId');
  const sensor = (await store.sensors.list(scope, { priceZone: body.priceZone })).find((s) => s.quantity === 'price');
  if (!sensor) throw invalid('priceZone', `no stored prices for the price zone "${body.priceZone}"`);
  return { sensor, timezone: body.timezone ?? 'UTC' };
}

/** Prices known now from the slot holding `start` until the deadline, cut where they stop being known. */
async function knownPrices(store: Store, sensor: Sensor, start: number, deadline: number, now: number) {
  const from = start - (((start % sensor.resolutionMs) + sensor.resolutionMs) % sensor.resolutionMs);
  const s = await pricesKnownNow(store, sensor, from, Math.max(deadline, from + sensor.resolutionMs), now);
  let n = s.values.length;
  while (n > 0 && s.values[n - 1] === null) n--;
  const currency = parseUnit(sensor.unit).currency ?? 'EUR';
  const values = convertValues(s.values.slice(0, n), s.unit, `${currency}/kWh`);
  return { prices: { start: s.start, resolutionMs: s.resolutionMs, values }, currency };
}

/**
 * Refuses (400, naming the field) what `planCharging` would refuse. The check plans in UTC, which skips
 * formatting every slot in the local time zone (most of its cost); a refusal is made again in the request's
 * time zone so that its message names local times.
 */
function checkCharging(request: Parameters<typeof planCharging>[0]): void {
  try {
    planCharging({ ...request, timezone: undefined });
  } catch {
    planCharging(request);
  }
}

/** Scheduling on the platform: site schedules from stored data, and the two-call charging request. */
export function schedulingRoutes(app: FastifyInstance, { store, clock, queue }: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/sites/:id/schedules', {
    schema: {
      tags: ['scheduling'], summary: "Ask for a schedule of the site's assets (stored data unless given inline); runs as a job",
      description: 'Answers 202 with the job and where to fetch the result. An identical request while one is pending reuses its run. Bad input answers 400 and creates no job.',
      params: IdParams, body: SiteScheduleIn, response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const site = await mustFind(store.sites.get(p.scope, req.params.id), `site ${req.params.id}`);
    requireWriter(req);
    const { request: inline, ...body } = req.body;
    if (!inline && !body.start) throw invalid('start', 'give start (and end or slots), or a whole request');
    const request = inline ?? (await buildSiteRequest(store, p.scope, site, { ...body, start: body.start! }, clock().getTime()));
    normalizeRequest(request);
    const { run, reused } = await startRun(store, queue, { accountId: site.accountId, siteId: site.id, kind: 'site', request });
    return reply.code(202).send(accepted('schedules', run, reused));
  });

  r.get('/api/v1/schedules/:id', {
    schema: { tags: ['scheduling'], summary: 'A schedule run: status, and the result once done', params: IdParams, response: { 200: RunOut } },
  }, async (req) => runOut(await getRun(store, principalOf(req).scope, req.params.id, 'site')));

  r.get('/api/v1/sites/:id/schedules', {
    schema: { tags: ['scheduling'], summary: "The site's latest schedule runs, newest first", params: IdParams, response: { 200: z.object({ items: z.array(RunOut) }) } },
  }, async (req) => {
    const site = await mustFind(store.sites.get(principalOf(req).scope, req.params.id), `site ${req.params.id}`);
    return { items: (await listSiteRuns(store, site.id)).map(runOut) };
  });

  r.post('/api/v1/charging-requests', {
    schema: {
      tags: ['scheduling'], summary: 'A charging request: "this car, 11 kW, 40 kWh, by 07:00, at this price node"; runs as a job',
      description: 'Answers 202 {id}; fetch GET /api/v1/charging-requests/{id}. Deadline before start, energy out of reach, or prices not known that far ahead answer 400 saying what is possible.',
      body: ChargingIn, response: { 202: Accepted },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const b = req.body;
    const { sensor, timezone } = await chargingPriceSensor(store, p.scope, b);
    requireWriter(req);
    const start = parseInstant(b.start, 'start', b.timezone);
    const deadline = parseInstant(b.deadline, 'deadline', b.timezone);
    if (deadline <= start) throw invalid('deadline', 'must be after start');
    const { prices, currency } = await knownPrices(store, sensor, start, deadline, clock().getTime());
    const request = { prices, powerKw: b.powerKw, energyKwh: b.energyKwh, start, deadline, chargeEfficiency: b.chargeEfficiency, timezone, currency };
    checkCharging(request);
    const { run, reused } = await startRun(store, queue, { accountId: sensor.accountId, siteId: b.siteId ?? null, kind: 'charging', request });
    return reply.code(202).send(accepted('charging-requests', run, reused));
  });

  r.get('/api/v1/charging-requests/:id', {
    schema: {
      tags: ['scheduling'], summary: 'The charging plan: per slot {start, end, chargeKw, price}, total cost, cost of charging at once, saving',
      params: IdParams, response: { 200: RunOut },
    },
  }, async (req) => runOut(await getRun(store, principalOf(req).scope, req.params.id, 'charging')));
}
