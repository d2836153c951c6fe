import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/types.ts';

/** Liveness (the process answers) and readiness (the database answers). */
export function healthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await store.query('select 1');
      return { status: 'ready', database: store.kind };
    } catch (err) {
      return reply.code(503).type('application/problem+json').send({
        type: 'https://gridflex.dev/problems/not-ready', title: 'Not ready', status: 503, detail: `database: ${(err as Error).message}`,
      });
    }
  });
}
