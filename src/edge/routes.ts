/** `GET /api/v1/sites/{id}/agent`: the agent's status, last seen, live values and its latest contract. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../store/types.ts';
import type { Clock } from '../core/clock.ts';
import { principalOf } from '../api/auth.ts';
import { IdParams } from '../api/schemas.ts';
import { mustFind } from '../api/routes/ownership.ts';

/** An agent is online when it was heard from within this time. */
export const ONLINE_WITHIN_MS = 90_000;

const AgentOut = z.object({
  siteId: z.number(),
  status: z.enum(['never-seen', 'online', 'offline']),
  lastSeen: z.string().nullable(),
  lastHeartbeat: z.string().nullable(),
  control: z.string().nullable(),
  messages: z.number(),
  rejected: z.number(),
  live: z.record(z.string(), z.number()),
  lastEvent: z.record(z.string(), z.unknown()).nullable(),
  contract: z.object({ id: z.string(), device: z.string(), state: z.string(), start: z.string(), durationMs: z.number(), powerKw: z.array(z.number()), reason: z.string().nullable(), updatedAt: z.string() }).nullable(),
});

const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

export async function agentStatus(store: Store, siteId: number, now: number): Promise<z.infer<typeof AgentOut>> {
  const [a] = await store.query<Record<string, unknown>>('SELECT * FROM edge_agents WHERE site_id = $1', [siteId]);
  const [c] = await store.query<Record<string, unknown>>('SELECT * FROM edge_contracts WHERE site_id = $1 ORDER BY updated_at DESC, start_at DESC LIMIT 1', [siteId]);
  const lastSeen = a?.last_seen ? new Date(a.last_seen as string).getTime() : null;
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return {
    siteId,
    status: lastSeen === null ? 'never-seen' : now - lastSeen <= ONLINE_WITHIN_MS ? 'online' : 'offline',
    lastSeen: iso(a?.last_seen), lastHeartbeat: iso(a?.last_heartbeat), control: (a?.control as string) ?? null,
    messages: Number(a?.messages ?? 0), rejected: Number(a?.rejected ?? 0), live: (parse(a?.live) as Record<string, number>) ?? {}, lastEvent: (parse(a?.last_event) as Record<string, unknown>) ?? null,
    contract: c ? { id: c.id as string, device: c.device as string, state: c.state as string, start: iso(c.start_at)!, durationMs: Number(c.duration_ms), powerKw: parse(c.power_kw) as number[], reason: (c.reason as string) ?? null, updatedAt: iso(c.updated_at)! } : null,
  };
}

export function edgeRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/sites/:id/agent', { schema: { tags: ['edge'], summary: "The site's edge agent: status, last seen, live values, contract", params: IdParams, response: { 200: AgentOut } } },
    async (req) => {
      const site = await mustFind(store.sites.get(principalOf(req).scope, req.params.id), `site ${req.params.id}`);
      return agentStatus(store, site.id, clock().getTime());
    });
}
