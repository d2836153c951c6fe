import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { invalid } from '../../core/errors.ts';
import { parseDuration } from '../../core/time.ts';
import { unitFits } from '../../core/units.ts';
import type { Store } from '../../store/types.ts';
import { principalOf, requireWriter } from '../auth.ts';
import { Id, IdParams, SensorIn, SensorOut, SensorPatch, SourceOut, listOf, sensorOut, sourceOut } from '../schemas.ts';
import { mustFind, targetAccount } from './ownership.ts';

const SensorFilter = z.strictObject({ siteId: Id.optional(), assetId: Id.optional(), priceZone: z.string().optional() });

/** Sensors: named time series with a quantity and unit, on a site, an asset or a market (price zone). */
export function sensorRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sensors'];

  r.get('/api/v1/sensors', { schema: { tags, summary: 'List sensors', querystring: SensorFilter, response: { 200: listOf(SensorOut) } } },
    async (req) => {
      const filter = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== undefined));
      return { items: (await store.sensors.list(principalOf(req).scope, filter)).map(sensorOut) };
    });

  r.post('/api/v1/sensors', { schema: { tags, summary: 'Create a sensor', body: SensorIn, response: { 201: SensorOut } } },
    async (req, reply) => {
      const p = principalOf(req);
      const b = req.body;
      if (b.siteId === undefined && b.assetId === undefined && b.priceZone === undefined) throw invalid('siteId', 'give siteId, assetId or priceZone');
      if (!unitFits(b.quantity, b.unit)) throw invalid('unit', `"${b.unit}" is not a unit of ${b.quantity}`);
      let siteId = b.siteId ?? null;
      if (b.assetId !== undefined) {
        const asset = await mustFind(store.assets.get(p.scope, b.assetId), `asset ${b.assetId}`);
        if (siteId !== null && siteId !== asset.siteId) throw invalid('siteId', `asset ${asset.id} is on site ${asset.siteId}`);
        siteId = asset.siteId;
      }
      const accountId = siteId !== null ? (await mustFind(store.sites.get(p.scope, siteId), `site ${siteId}`)).accountId : await targetAccount(store, p, b.accountId);
      requireWriter(req);
      const sensor = await store.sensors.create(p.scope, {
        accountId, name: b.name, quantity: b.quantity, unit: b.unit, resolutionMs: parseDuration(b.resolution),
        siteId, assetId: b.assetId ?? null, priceZone: b.priceZone ?? null,
        retentionMs: b.retention ? parseDuration(b.retention, 'retention') : null,
      });
      return reply.code(201).send(sensorOut(sensor));
    });

  r.get('/api/v1/sensors/:id', { schema: { tags, summary: 'Get a sensor', params: IdParams, response: { 200: SensorOut } } },
    async (req) => sensorOut(await mustFind(store.sensors.get(principalOf(req).scope, req.params.id), `sensor ${req.params.id}`)));

  r.patch('/api/v1/sensors/:id', { schema: { tags, summary: 'Rename a sensor or change its retention', params: IdParams, body: SensorPatch, response: { 200: SensorOut } } },
    async (req) => {
      const p = principalOf(req);
      await mustFind(store.sensors.get(p.scope, req.params.id), `sensor ${req.params.id}`);
      requireWriter(req);
      const { retention, ...rest } = req.body;
      const patch = retention === undefined ? rest : { ...rest, retentionMs: retention === null ? null : parseDuration(retention, 'retention') };
      return sensorOut(await mustFind(store.sensors.update(p.scope, req.params.id, patch), `sensor ${req.params.id}`));
    });

  r.delete('/api/v1/sensors/:id', { schema: { tags, summary: 'Delete a sensor and its data', params: IdParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const p = principalOf(req);
      await mustFind(store.sensors.get(p.scope, req.params.id), `sensor ${req.params.id}`);
      requireWriter(req);
      await store.sensors.delete(p.scope, req.params.id);
      return reply.code(204).send(null);
    });

  r.get('/api/v1/sources', { schema: { tags: ['data'], summary: 'List data sources (meters, feeds, forecasters, schedulers, ...)', response: { 200: listOf(SourceOut) } } },
    async () => ({ items: (await store.sources.list()).map(sourceOut) }));
}
