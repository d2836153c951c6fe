import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../core/time.ts';
import { SOURCE_KINDS, type Store } from '../../store/types.ts';
import { requireRole } from '../auth.ts';
import { Duration, SourceKind } from '../schemas.ts';

const RetentionOut = z.object({ items: z.array(z.object({ sourceKind: SourceKind, retention: z.string().nullable() })) });

/** Retention per source kind (e.g. forecasts after P30D); a sensor's own retention wins. Platform-wide: admins only. */
export function retentionRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['data'];
  const list = async () => {
    const all = await store.retention.getForSourceKinds();
    return { items: SOURCE_KINDS.map((k) => ({ sourceKind: k, retention: all[k] ? formatDuration(all[k]!) : null })) };
  };

  r.get('/api/v1/retention', { schema: { tags, summary: 'Retention of beliefs per source kind (null: kept)', response: { 200: RetentionOut } } }, async () => list());

  r.put('/api/v1/retention/:sourceKind', {
    schema: {
      tags, summary: 'Set the retention of a source kind (admin); null keeps its beliefs',
      params: z.strictObject({ sourceKind: SourceKind }), body: z.strictObject({ retention: Duration.nullable() }), response: { 200: RetentionOut },
    },
  }, async (req) => {
    requireRole(req, 'admin');
    await store.retention.setForSourceKind(req.params.sourceKind, req.body.retention === null ? null : parseDuration(req.body.retention, 'retention'));
    return list();
  });
}
