import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { conflict, forbidden, invalid, notFound } from '../../core/errors.ts';
import type { Role, Store } from '../../store/types.ts';
import { type Principal, principalOf, requireRole, roleRank } from '../auth.ts';
import { Id, IdParams, Role as RoleSchema, UserOut, listOf, userOut } from '../schemas.ts';

const Email = z.email().max(320);
const Password = z.string().min(8, 'at least 8 characters').max(1000);
const UserIn = z.strictObject({ email: Email, password: Password, role: RoleSchema, accountId: Id.optional().describe('admin only') });
const UserPatch = z.strictObject({ email: Email.optional(), password: Password.optional(), role: RoleSchema.optional() });

function checkGrant(p: Principal, role: Role): void {
  if (roleRank(role) > roleRank(p.user.role)) throw forbidden(`you cannot grant the role ${role}`);
}

async function visibleUser(store: Store, req: FastifyRequest, id: number) {
  const u = await store.users.get(principalOf(req).scope, id);
  if (!u) throw notFound(`user ${id}`);
  return u;
}

/** Users of an account: account-admins manage their own account's users, admins everyone's. */
export function userRoutes(app: FastifyInstance, store: Store): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['users'];

  r.get('/api/v1/users', { schema: { tags, summary: 'List users of my account (admin: all)', response: { 200: listOf(UserOut) } } },
    async (req) => ({ items: (await store.users.list(principalOf(req).scope)).map(userOut) }));

  r.post('/api/v1/users', { schema: { tags, summary: 'Create a user (account-admin)', body: UserIn, response: { 201: UserOut } } },
    async (req, reply) => {
      const p = requireRole(req, 'account-admin');
      checkGrant(p, req.body.role);
      if (req.body.accountId !== undefined && p.scope !== 'all' && req.body.accountId !== p.user.accountId) throw notFound(`account ${req.body.accountId}`);
      const accountId = req.body.accountId ?? p.user.accountId;
      if (!(await store.accounts.get(p.scope, accountId))) throw notFound(`account ${accountId}`);
      if (await store.users.getByEmail(req.body.email)) throw conflict(`a user with email ${req.body.email} exists`);
      const user = await store.users.create(p.scope, { accountId, email: req.body.email, password: req.body.password, role: req.body.role });
      return reply.code(201).send(userOut(user));
    });

  r.get('/api/v1/users/:id', { schema: { tags, summary: 'Get a user', params: IdParams, response: { 200: UserOut } } },
    async (req) => userOut(await visibleUser(store, req, req.params.id)));

  r.patch('/api/v1/users/:id', { schema: { tags, summary: 'Change a user (account-admin; anyone may change their own password)', params: IdParams, body: UserPatch, response: { 200: UserOut } } },
    async (req) => {
      const p = principalOf(req);
      await visibleUser(store, req, req.params.id);
      const self = p.user.id === req.params.id;
      const onlyOwnPassword = self && req.body.email === undefined && req.body.role === undefined;
      if (!onlyOwnPassword) requireRole(req, 'account-admin');
      if (req.body.role) checkGrant(p, req.body.role);
      if (self && req.body.role && req.body.role !== p.user.role) throw invalid('role', 'you cannot change your own role');
      const u = await store.users.update(p.scope, req.params.id, req.body);
      if (!u) throw notFound(`user ${req.params.id}`);
      return userOut(u);
    });

  r.delete('/api/v1/users/:id', { schema: { tags, summary: 'Delete a user (account-admin)', params: IdParams, response: { 204: z.null() } } },
    async (req, reply) => {
      const p = principalOf(req);
      await visibleUser(store, req, req.params.id);
      requireRole(req, 'account-admin');
      if (p.user.id === req.params.id) throw invalid('id', 'you cannot delete yourself');
      await store.users.delete(p.scope, req.params.id);
      return reply.code(204).send(null);
    });
}
