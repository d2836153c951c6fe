import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conflict, notFound } from '../../core/errors.ts';
import type { Store } from '../../store/types.ts';
import { principalOf, requireRole } from '../auth.ts';
import { AccountOut, IdParams, accountOut, listOf } from '../schemas.ts';

const AccountIn = z.strictObject({ name: z.string().min(1).max(200) });

/** Accounts (tenants). Admins manage all; others see only their own. */
export function accountRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['accounts'];

  r.get('/api/v1/accounts', { schema: { tags, summary: 'List accounts (admin: all; others: their own)', response: { 200: listOf(AccountOut) } } },
    async (req) => ({ items: (await store.accounts.list(principalOf(req).scope)).map(accountOut) }));

  r.post('/api/v1/accounts', { schema: { tags, summary: 'Create an account (admin)', body: AccountIn, response: { 201: AccountOut } } },
    async (req, reply) => {
      requireRole(req, 'admin');
      if (await store.accounts.getByName(req.body.name)) throw conflict(`an account named "${req.body.name}" exists`);
      return reply.code(201).send(accountOut(await store.accounts.create(req.body.name)));
    });

  r.get('/api/v1/accounts/:id', { schema: { tags, summary: 'Get an account', params: IdParams, response: { 200: AccountOut } } },
    async (req) => {
      const a = await store.accounts.get(principalOf(req).scope, req.params.id);
      if (!a) throw notFound(`account ${req.params.id}`);
      return accountOut(a);
    });

  r.patch('/api/v1/accounts/:id', { schema: { tags, summary: 'Rename an account (admin, or account-admin of it)', params: IdParams, body: AccountIn.partial(), response: { 200: AccountOut } } },
    async (req) => {
      const p = principalOf(req);
      if (!(await store.accounts.get(p.scope, req.params.id))) throw notFound(`account ${req.params.id}`);
      requireRole(req, 'account-admin');
      const a = await store.accounts.update(p.scope, req.params.id, req.body);
      if (!a) throw notFound(`account ${req.params.id}`);
      return accountOut(a);
    });

  r.delete('/api/v1/accounts/:id', { schema: { tags, summary: 'Delete an account and everything in it (admin)', params: IdParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const p = principalOf(req);
      if (!(await store.accounts.get(p.scope, req.params.id))) throw notFound(`account ${req.params.id}`);
      requireRole(req, 'admin');
      await store.accounts.delete(p.scope, req.params.id);
      return reply.code(204).send(null);
    });
}
