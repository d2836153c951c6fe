/**
 * Real data on the platform: file uploads (`POST /api/v1/imports`), price feeds (`/api/v1/feeds`, run as
 * periodic jobs) and forecasts as jobs (`POST /api/v1/sensors/{id}/forecasts`).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid, notFound } from '../core/errors.ts';
import { formatDuration, formatInstant, parseDuration, parseInstant } from '../core/time.ts';
import type { Capability, JobsContext } from '../api/extensions.ts';
import { principalOf, requireWriter } from '../api/auth.ts';
import { Duration, Id, IdParams, Timezone } from '../api/schemas.ts';
import { mustFind } from '../api/routes/ownership.ts';
import type { JobDefinition } from '../jobs/registry.ts';
import type { Store } from '../store/types.ts';
import { FEED_KINDS } from './feeds/connectors.ts';
import { feedsRepo, type Feed } from './feeds/repo.ts';
import { runFeed, type FeedRunDeps } from './feeds/run.ts';
import { FORMATS, parseFile, type FormatName } from './formats/index.ts';
import { detectFormat } from './formats/detect.ts';
import { checkMethod, forecastSensor } from './forecasting.ts';
import { dryRunSummary } from './import-summary.ts';
import { importParsed } from './store-import.ts';

export const FEED_RUN_JOB = 'feed-run';
export const FEEDS_DUE_JOB = 'feeds-due';
export const FORECAST_JOB = 'sensor-forecast';
const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

const ImportQuery = z.strictObject({
  format: z.enum(FORMATS).optional().describe('detected from the body when left out'),
  name: z.string().max(200).optional().describe('the file name (helps detection)'),
  siteId: Id.optional().describe('site whose sensors take building fields or CSV columns'),
  sensorId: Id.optional().describe('one sensor for a file with one series'),
  unit: z.string().optional().describe('generic CSV: unit of the values'),
  timezone: Timezone.optional().describe('generic CSV: zone of timestamps without offset'),
  decimal: z.enum(['.', ',']).optional(),
  delimiter: z.enum([',', ';', '\t']).optional(),
  dateFormat: z.string().max(50).optional(),
  sequence: z.coerce.number().int().positive().optional().describe('ENTSO-E: keep one auction; default every auction as ZONE:n'),
  beliefTime: z.string().optional().describe('when the values were known; default now (forecasts: their run time)'),
  dryRun: z.enum(['true', 'false']).optional().describe('parse and answer what would be written'),
});

const FeedIn = z.strictObject({
  name: z.string().min(1).max(200),
  kind: z.enum(FEED_KINDS),
  config: z.record(z.string(), z.unknown()).describe('entsoe: {zone, sequence?}; wits: {schedule: PRSS|PRSL, nodes?}; energy-charts: {zone}'),
  secrets: z.record(z.string(), z.unknown()).optional().describe('entsoe: {token}; wits: {clientId, clientSecret}; never shown again'),
  interval: Duration.optional().describe('default: entsoe PT1H, wits PRSS PT30M, PRSL PT2H, energy-charts PT1H'),
  enabled: z.boolean().optional(),
});

const FeedOut = z.object({
  id: z.number(), accountId: z.number(), name: z.string(), kind: z.enum(FEED_KINDS), config: z.record(z.string(), z.unknown()),
  interval: z.string(), enabled: z.boolean(),
  status: z.object({
    lastRunAt: z.string().nullable(), lastSuccessAt: z.string().nullable(), lastError: z.string().nullable(), lastErrorAt: z.string().nullable(),
    failures: z.number(), lastWritten: z.number().nullable(), nextRunAt: z.string(),
  }),
}).meta({ id: 'Feed' });

const Accepted = z.object({ job: z.string(), statusUrl: z.string() });
const iso = (ms: number | null) => (ms === null ? null : formatInstant(ms));

export function feedOut(f: Feed) {
  return {
    id: f.id, accountId: f.accountId, name: f.name, kind: f.kind, config: f.config, interval: formatDuration(f.intervalMs), enabled: f.enabled,
    status: {
      lastRunAt: iso(f.lastRunAt), lastSuccessAt: iso(f.lastSuccessAt), lastError: f.lastError, lastErrorAt: iso(f.lastErrorAt),
      failures: f.failures, lastWritten: f.lastWritten, nextRunAt: formatInstant(f.nextRunAt),
    },
  };
}

function importRoutes(app: FastifyInstance, store: Store, now: () => number): void {
  // Uploads are read as text whatever their type: XML, JSON and CSV files go to the parsers as they are.
  app.register(async (sub) => {
    sub.removeContentTypeParser('application/json');
    sub.addContentTypeParser(['application/json', 'application/xml', 'text/xml', 'application/octet-stream'], { parseAs: 'string', bodyLimit: UPLOAD_LIMIT_BYTES }, (_req, body, done) => done(null, body));
    const r = sub.withTypeProvider<ZodTypeProvider>();
    r.post('/api/v1/imports', {
      bodyLimit: UPLOAD_LIMIT_BYTES,
      schema: {
        tags: ['data'], summary: 'Import a file (ENTSO-E A44, SMARD, EMI, WITS, BEMS, ACN, CSV) as the body; all or nothing',
        description: 'Prices go to the account\'s price-zone sensors (created per zone or node), building fields and CSV columns to the site\'s sensors. Answers the series written and the rows rejected with their line and reason.',
        querystring: ImportQuery,
      },
    }, async (req) => {
      const p = requireWriter(req);
      const q = req.query;
      if (typeof req.body !== 'string' || !req.body.trim()) throw invalid('body', 'send the file as the request body');
      const text = req.body;
      const format: FormatName = q.format ?? detectFormat(q.name ?? 'upload', text.slice(0, 4096));
      const csv = q.unit ? { unit: q.unit, timeZone: q.timezone, decimalSeparator: q.decimal, delimiter: q.delimiter, dateFormat: q.dateFormat } : undefined;
      const parsed = parseFile(q.name ?? 'upload', text, { format, csv, sequence: q.sequence });
      if ('requests' in parsed) return { format, dryRun: true, requests: parsed.requests, rejected: parsed.rejected };
      if (q.dryRun === 'true') return { format, dryRun: true, ...dryRunSummary(parsed) };
      const accountId = p.user.accountId;
      if (q.siteId !== undefined) await mustFind(store.sites.get(p.scope, q.siteId), `site ${q.siteId}`);
      if (q.sensorId !== undefined) await mustFind(store.sensors.get(p.scope, q.sensorId), `sensor ${q.sensorId}`);
      const outcome = await importParsed(store, p.scope, parsed, { accountId, siteId: q.siteId, sensorId: q.sensorId }, {
        beliefTime: q.beliefTime ? parseInstant(q.beliefTime, 'beliefTime') : now(), sourceName: format,
      });
      return { format, dryRun: false, ...outcome };
    });
  });
}

function feedRoutes(app: FastifyInstance, ctx: JobsContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const repo = feedsRepo(ctx.store);
  const tags = ['feeds'];
  r.get('/api/v1/feeds', { schema: { tags, summary: "The account's price feeds with their status", response: { 200: z.object({ items: z.array(FeedOut) }) } } },
    async (req) => ({ items: (await repo.list(principalOf(req).scope)).map(feedOut) }));
  r.post('/api/v1/feeds', { schema: { tags, summary: 'Add a price feed (ENTSO-E day-ahead, WITS forecasts, energy-charts)', body: FeedIn, response: { 201: FeedOut } } }, async (req, reply) => {
    const p = requireWriter(req);
    const b = req.body;
    const feed = await repo.create({ accountId: p.user.accountId, name: b.name, kind: b.kind, config: b.config, secrets: b.secrets, enabled: b.enabled, intervalMs: b.interval ? parseDuration(b.interval, 'interval') : undefined }, ctx.clock().getTime());
    return reply.code(201).send(feedOut(feed));
  });
  r.get('/api/v1/feeds/:id', { schema: { tags, summary: 'A feed and its status', params: IdParams, response: { 200: FeedOut } } },
    async (req) => feedOut(await mustFind(repo.get(principalOf(req).scope, req.params.id), `feed ${req.params.id}`)));
  r.delete('/api/v1/feeds/:id', { schema: { tags, summary: 'Remove a feed (its stored prices stay)', params: IdParams } }, async (req, reply) => {
    const p = requireWriter(req);
    if (!(await repo.delete(p.scope, req.params.id))) throw notFound(`feed ${req.params.id}`);
    return reply.code(204).send();
  });
  r.post('/api/v1/feeds/:id/run', { schema: { tags, summary: 'Fetch now (as a job)', params: IdParams, response: { 202: Accepted } } }, async (req, reply) => {
    requireWriter(req);
    const feed = await mustFind(repo.get(principalOf(req).scope, req.params.id), `feed ${req.params.id}`);
    const job = await ctx.queue.enqueue(FEED_RUN_JOB, { feedId: feed.id, accountId: feed.accountId }, { dedupKey: `feed-${feed.id}` });
    return reply.code(202).send({ job, statusUrl: `/api/v1/jobs/${job}` });
  });
}

const ForecastIn = z.strictObject({
  method: z.string().default('regression').describe('persistence, seasonal-naive-day, seasonal-naive-week, exp-smoothing, regression'),
  horizon: Duration.default('PT48H'),
});

function forecastRoutes(app: FastifyInstance, ctx: JobsContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/api/v1/sensors/:id/forecasts', {
    schema: { tags: ['forecasts'], summary: 'Forecast the sensor from what is known now (as a job); stored as beliefs of a forecaster source', params: IdParams, body: ForecastIn, response: { 202: Accepted } },
  }, async (req, reply) => {
    const p = requireWriter(req);
    const sensor = await mustFind(ctx.store.sensors.get(p.scope, req.params.id), `sensor ${req.params.id}`);
    const method = checkMethod(req.body.method);
    parseDuration(req.body.horizon, 'horizon');
    const job = await ctx.queue.enqueue(FORECAST_JOB, { sensorId: sensor.id, accountId: sensor.accountId, method, horizon: req.body.horizon });
    return reply.code(202).send({ job, statusUrl: `/api/v1/jobs/${job}` });
  });
}

/** The job handlers: due feeds are enqueued each minute, each feed run is one job, forecasts are jobs. */
export function dataJobs(ctx: JobsContext, deps: FeedRunDeps = {}): JobDefinition[] {
  const repo = feedsRepo(ctx.store);
  return [
    {
      name: FEEDS_DUE_JOB, defaults: { retryLimit: 0, timeoutSeconds: 60 },
      handler: async () => {
        const due = await repo.due(ctx.clock().getTime());
        for (const f of due) await ctx.queue.enqueue(FEED_RUN_JOB, { feedId: f.id, accountId: f.accountId }, { dedupKey: `feed-${f.id}` });
        return { enqueued: due.map((f) => f.id) };
      },
    },
    {
      name: FEED_RUN_JOB, defaults: { retryLimit: 0, timeoutSeconds: 600, concurrency: 2 },
      handler: async (job) => {
        const feed = await repo.get('all', Number(job.data.feedId));
        if (!feed) throw notFound(`feed ${String(job.data.feedId)}`);
        const result = await runFeed(ctx.store, feed, ctx.clock().getTime(), deps);
        if (!result.ok) throw new Error(`feed ${feed.id} "${feed.name}": ${result.error}`);
        return { ...result, nextRunAt: formatInstant(result.nextRunAt) };
      },
    },
    {
      name: FORECAST_JOB, defaults: { retryLimit: 1, retryDelaySeconds: 30, timeoutSeconds: 600 },
      handler: async (job) => {
        const d = job.data as { sensorId: number; method: string; horizon: string };
        const sensor = await ctx.store.sensors.get('all', d.sensorId);
        if (!sensor) throw notFound(`sensor ${d.sensorId}`);
        const f = await forecastSensor(ctx.store, sensor, { method: checkMethod(d.method), horizon: d.horizon, now: ctx.clock().getTime() });
        return { sensorId: f.sensorId, method: f.method, source: f.source, beliefTime: formatInstant(f.beliefTime), start: formatInstant(f.start), resolution: formatDuration(f.resolutionMs), slots: f.values.length, written: f.written };
      },
    },
  ];
}

export const dataCapability: Capability = {
  name: 'data',
  routes: (app, ctx) => {
    importRoutes(app, ctx.store, () => ctx.clock().getTime());
    feedRoutes(app, ctx);
    forecastRoutes(app, ctx);
  },
  jobs: (ctx) => dataJobs(ctx),
  schedules: [{ name: FEEDS_DUE_JOB, cron: '* * * * *' }],
};
