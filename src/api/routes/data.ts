import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { formatDuration, formatInstant, parseDuration, parseInstant } from '../../core/time.ts';
import { readSensorSeries, writeSeries } from '../../store/series.ts';
import { SOURCE_KINDS, type Sensor, type SourceKind, type Store } from '../../store/types.ts';
import { principalOf, requireWriter } from '../auth.ts';
import { Duration, IdParams, IsoTime, SeriesOut, SourceKind as SourceKindSchema, Timezone } from '../schemas.ts';
import { mustFind } from './ownership.ts';
import { csvToSeries } from '../csv-upload.ts';

/** The most slots one read may return: a year of 5-minute values. */
export const MAX_SLOTS = 105_408;
export const UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

const ReadQuery = z.strictObject({
  start: IsoTime, end: IsoTime,
  resolution: Duration.optional().describe("resample on read; default: the sensor's"),
  unit: z.string().optional().describe("convert on read; default: the sensor's"),
  asOf: IsoTime.optional().describe('only beliefs made at or before this time'),
  source: z.string().optional().describe('source kind(s) or id(s), comma-separated: meter, forecaster, 12'),
  timezone: Timezone.optional().describe('reads timestamps given without offset in this zone'),
});

const SourceIn = z.union([
  SourceKindSchema,
  z.strictObject({ kind: SourceKindSchema, name: z.string().min(1).max(200), version: z.string().max(50).optional() }),
]);

const WriteBody = z.strictObject({
  start: IsoTime, resolution: Duration, unit: z.string().min(1),
  values: z.array(z.number().nullable()).min(1).max(1_000_000),
  beliefTime: IsoTime.optional().describe('when these values were known; default: now'),
  source: SourceIn.optional().describe('default: kind user, named after you'),
  timezone: Timezone.optional(),
});

const CsvQuery = z.strictObject({
  unit: z.string().optional(), timezone: Timezone.optional(), beliefTime: IsoTime.optional(),
  source: SourceKindSchema.optional(), decimal: z.enum(['.', ',']).optional(), delimiter: z.enum([',', ';', '\t']).optional(),
});

function sourceFilter(text: string | undefined): { sourceKinds?: SourceKind[]; sourceIds?: number[] } {
  if (!text) return {};
  const kinds: SourceKind[] = [];
  const ids: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (/^\d+$/.test(part)) ids.push(Number(part));
    else if ((SOURCE_KINDS as readonly string[]).includes(part)) kinds.push(part as SourceKind);
    else throw invalid('source', `"${part}" is neither a source id nor a kind (${SOURCE_KINDS.join(', ')})`);
  }
  return { ...(kinds.length ? { sourceKinds: kinds } : {}), ...(ids.length ? { sourceIds: ids } : {}) };
}

async function sourceIdFor(store: Store, req: FastifyRequest, source: z.infer<typeof SourceIn> | undefined): Promise<number> {
  const p = principalOf(req);
  const spec = source === undefined ? { kind: 'user' as const, name: p.user.email } : typeof source === 'string' ? { kind: source, name: p.user.email } : source;
  return (await store.sources.ensure(spec)).id;
}

async function sensorFor(store: Store, req: FastifyRequest, id: number): Promise<Sensor> {
  return mustFind(store.sensors.get(principalOf(req).scope, id), `sensor ${id}`);
}

/** Reading and writing a sensor's beliefs: JSON both ways, CSV uploads, resampling and unit conversion. */
export function dataRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['data'];

  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: UPLOAD_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  r.get('/api/v1/sensors/:id/data', {
    schema: { tags, summary: 'Read the latest belief per slot (or as of a time), resampled and converted on request', params: IdParams, querystring: ReadQuery, response: { 200: SeriesOut } },
  }, async (req) => {
    const q = req.query;
    const start = parseInstant(q.start, 'start', q.timezone);
    const end = parseInstant(q.end, 'end', q.timezone);
    if (end <= start) throw invalid('end', 'must be after start');
    const found = await readSensorSeries(store, principalOf(req).scope, req.params.id, {
      start, end, resolutionMs: q.resolution ? parseDuration(q.resolution) : undefined, unit: q.unit,
      asOf: q.asOf ? parseInstant(q.asOf, 'asOf', q.timezone) : undefined, maxSlots: MAX_SLOTS,
      ...sourceFilter(q.source),
    });
    if (!found) throw notFound(`sensor ${req.params.id}`);
    const { series } = found;
    return { start: formatInstant(series.start), resolution: formatDuration(series.resolutionMs), unit: series.unit, values: series.values };
  });

  r.post('/api/v1/sensors/:id/data', {
    bodyLimit: UPLOAD_LIMIT_BYTES,
    schema: {
      tags, summary: 'Write values (JSON, or text/csv "timestamp,value" rows); all or nothing',
      description: 'JSON: {start, resolution, unit, values}. CSV: Content-Type text/csv, query unit, timezone, decimal, delimiter. A rejected upload writes nothing and names each bad line.',
      params: IdParams, querystring: CsvQuery,
      body: { content: { 'application/json': { schema: WriteBody }, 'text/csv': { schema: z.string() } } } as unknown as typeof WriteBody,
      response: { 200: z.object({ written: z.number(), start: z.string().nullable(), end: z.string().nullable() }) },
    },
  }, async (req) => {
    const sensor = await sensorFor(store, req, req.params.id);
    requireWriter(req);
    const now = clock().getTime();
    if (typeof (req.body as unknown) === 'string') {
      const q = req.query;
      const series = csvToSeries(req.body as unknown as string, sensor, { unit: q.unit, timezone: q.timezone, decimal: q.decimal, delimiter: q.delimiter });
      const beliefTime = q.beliefTime ? parseInstant(q.beliefTime, 'beliefTime', q.timezone) : now;
      const sourceId = await sourceIdFor(store, req, q.source);
      const written = await writeSeries(store, sensor, { ...series, beliefTime, sourceId });
      return { written, start: formatInstant(series.start), end: formatInstant(series.start + series.values.length * series.resolutionMs) };
    }
    const b = req.body;
    const start = parseInstant(b.start, 'start', b.timezone);
    const resolutionMs = parseDuration(b.resolution);
    const beliefTime = b.beliefTime ? parseInstant(b.beliefTime, 'beliefTime', b.timezone) : now;
    const sourceId = await sourceIdFor(store, req, b.source);
    const written = await writeSeries(store, sensor, { start, resolutionMs, unit: b.unit, values: b.values, beliefTime, sourceId });
    return { written, start: formatInstant(start), end: formatInstant(start + b.values.length * resolutionMs) };
  });
}
