import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../../store/types.ts';
import { principalOf, requireWriter } from '../auth.ts';
import { AssetIn, AssetOut, AssetPatch, Id, IdParams, assetOut, listOf } from '../schemas.ts';
import { mustFind } from './ownership.ts';
import { checkFlexModel } from '../flex-model.ts';

/** Assets: devices behind a site's meter, each with a flex model validated per type. */
export function assetRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['assets'];

  r.get('/api/v1/assets', { schema: { tags, summary: 'List assets', querystring: z.strictObject({ siteId: Id.optional() }), response: { 200: listOf(AssetOut) } } },
    async (req) => ({ items: (await store.assets.list(principalOf(req).scope, req.query.siteId ? { siteId: req.query.siteId } : undefined)).map(assetOut) }));

  r.post('/api/v1/assets', { schema: { tags, summary: 'Create an asset on a site', body: AssetIn, response: { 201: AssetOut } } },
    async (req, reply) => {
      const p = principalOf(req);
      await mustFind(store.sites.get(p.scope, req.body.siteId), `site ${req.body.siteId}`);
      requireWriter(req);
      const flexModel = checkFlexModel(req.body.type, req.body.flexModel);
      return reply.code(201).send(assetOut(await store.assets.create(p.scope, { ...req.body, flexModel })));
    });

  r.get('/api/v1/assets/:id', { schema: { tags, summary: 'Get an asset', params: IdParams, response: { 200: AssetOut } } },
    async (req) => assetOut(await mustFind(store.assets.get(principalOf(req).scope, req.params.id), `asset ${req.params.id}`)));

  r.patch('/api/v1/assets/:id', { schema: { tags, summary: 'Change an asset', params: IdParams, body: AssetPatch, response: { 200: AssetOut } } },
    async (req) => {
      const p = principalOf(req);
      const asset = await mustFind(store.assets.get(p.scope, req.params.id), `asset ${req.params.id}`);
      requireWriter(req);
      const patch = req.body.flexModel ? { ...req.body, flexModel: checkFlexModel(asset.type, req.body.flexModel) } : req.body;
      return assetOut(await mustFind(store.assets.update(p.scope, req.params.id, patch), `asset ${req.params.id}`));
    });

  r.delete('/api/v1/assets/:id', { schema: { tags, summary: 'Delete an asset with its sensors and their data', params: IdParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const p = principalOf(req);
      await mustFind(store.assets.get(p.scope, req.params.id), `asset ${req.params.id}`);
      requireWriter(req);
      await store.assets.delete(p.scope, req.params.id);
      return reply.code(204).send(null);
    });
}
