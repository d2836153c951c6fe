import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../../store/types.ts';
import { principalOf, requireWriter } from '../auth.ts';
import { IdParams, SiteIn, SiteOut, SitePatch, listOf, siteOut } from '../schemas.ts';
import { mustFind, targetAccount } from './ownership.ts';

/** Sites: grid connections with a time zone, a location, a price zone and connection capacities. */
export function siteRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['sites'];

  r.get('/api/v1/sites', { schema: { tags, summary: 'List sites', response: { 200: listOf(SiteOut) } } },
    async (req) => ({ items: (await store.sites.list(principalOf(req).scope)).map(siteOut) }));

  r.post('/api/v1/sites', { schema: { tags, summary: 'Create a site', body: SiteIn, response: { 201: SiteOut } } },
    async (req, reply) => {
      const p = requireWriter(req);
      const { accountId: requested, ...fields } = req.body;
      const accountId = await targetAccount(store, p, requested);
      return reply.code(201).send(siteOut(await store.sites.create(p.scope, { ...fields, accountId })));
    });

  r.get('/api/v1/sites/:id', { schema: { tags, summary: 'Get a site', params: IdParams, response: { 200: SiteOut } } },
    async (req) => siteOut(await mustFind(store.sites.get(principalOf(req).scope, req.params.id), `site ${req.params.id}`)));

  r.patch('/api/v1/sites/:id', { schema: { tags, summary: 'Change a site', params: IdParams, body: SitePatch, response: { 200: SiteOut } } },
    async (req) => {
      const p = principalOf(req);
      await mustFind(store.sites.get(p.scope, req.params.id), `site ${req.params.id}`);
      requireWriter(req);
      return siteOut(await mustFind(store.sites.update(p.scope, req.params.id, req.body), `site ${req.params.id}`));
    });

  r.delete('/api/v1/sites/:id', { schema: { tags, summary: 'Delete a site with its assets, sensors and their data', params: IdParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const p = principalOf(req);
      await mustFind(store.sites.get(p.scope, req.params.id), `site ${req.params.id}`);
      requireWriter(req);
      await store.sites.delete(p.scope, req.params.id);
      return reply.code(204).send(null);
    });
}
