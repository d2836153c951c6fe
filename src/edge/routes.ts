/** `GET /api/v1/sites/{id}/agent`: the agent's status, last seen, live values and its latest contract. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Store } from '../store/types.ts';
import type { Clock } from '../core/clock.ts';
import { principalOf, requireWriter } from '../api/auth.ts';
import { invalidMany } from '../core/errors.ts';
import { randomBytes } from 'node:crypto';
import { contractProblems } from './contract.ts';
import { recordContract } from './contracts-table.ts';
import { issueAgentToken } from './broker.ts';
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

const ContractIn = z.object({
  device: z.enum(['heat-pump', 'battery', 'ev-charger']),
  start: z.iso.datetime({ offset: true }),
  durationMs: z.number().int().positive(),
  powerKw: z.array(z.number().finite()).min(1).max(2016),
  heartbeatMs: z.number().int().positive().default(30_000),
  graceMs: z.number().int().positive().default(90_000),
});

export function edgeRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/sites/:id/agent', { schema: { tags: ['edge'], summary: "The site's edge agent: status, last seen, live values, contract", params: IdParams, response: { 200: AgentOut } } },
    async (req) => {
      const site = await mustFind(store.sites.get(principalOf(req).scope, req.params.id), `site ${req.params.id}`);
      return agentStatus(store, site.id, clock().getTime());
    });

  r.post('/api/v1/sites/:id/agent/token', { schema: { tags: ['edge'], summary: "Make (or replace) the agent's broker password; shown once, stored as SHA-256", params: IdParams, response: { 201: z.object({ username: z.string(), password: z.string() }) } } },
    async (req, reply) => {
      const site = await mustFind(store.sites.get(principalOf(req).scope, req.params.id), `site ${req.params.id}`);
      requireWriter(req);
      return reply.code(201).send({ username: String(site.id), password: await issueAgentToken(store, site.id) });
    });

  r.post('/api/v1/sites/:id/agent/contracts', { schema: { tags: ['edge'], summary: "Offer a dispatch contract to the site's agent (the edge service sends it)", params: IdParams, body: ContractIn, response: { 201: AgentOut.shape.contract.unwrap() } } },
    async (req, reply) => {
      const p = principalOf(req);
      const site = await mustFind(store.sites.get(p.scope, req.params.id), `site ${req.params.id}`);
      requireWriter(req);
      const b = req.body;
      const terms = { id: `k${site.id}-${randomBytes(6).toString('hex')}`, device: b.device, start: Date.parse(b.start), durationMs: b.durationMs, powerKw: b.powerKw, heartbeatMs: b.heartbeatMs, graceMs: b.graceMs };
      const problems = contractProblems(terms);
      if (problems.length) throw invalidMany(problems.map((m) => ({ field: m.split(':')[0], message: m.slice(m.indexOf(':') + 2) })));
      const nowMs = clock().getTime();
      await recordContract(store, site.id, terms, nowMs);
      const now = new Date(nowMs).toISOString();
      return reply.code(201).send({ id: terms.id, device: b.device, state: 'created', start: new Date(b.start).toISOString(), durationMs: b.durationMs, powerKw: b.powerKw, reason: null, updatedAt: now });
    });
}
