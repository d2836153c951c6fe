import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { notFound, invalid } from '../../core/errors.ts';
import { parseInstant } from '../../core/time.ts';
import type { Store } from '../../store/types.ts';
import { principalOf } from '../auth.ts';
import { AccountOut, IdParams, TokenOut, UserOut, accountOut, listOf, tokenOut, userOut } from '../schemas.ts';

/** The caller's own user and account, and their API tokens. */
export function meRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/v1/me', {
    schema: {
      tags: ['auth'], summary: 'Who am I',
      response: { 200: z.object({ user: UserOut, account: AccountOut, csrfToken: z.string().optional() }) },
    },
  }, async (req) => {
    const p = principalOf(req);
    const account = await store.accounts.get('all', p.user.accountId);
    if (!account) throw notFound('account');
    return { user: userOut(p.user), account: accountOut(account), ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}) };
  });

  r.get('/api/v1/tokens', {
    schema: { tags: ['auth'], summary: 'My API tokens (secrets are never shown again)', response: { 200: listOf(TokenOut) } },
  }, async (req) => {
    const p = principalOf(req);
    const tokens = await store.tokens.list(p.user.id);
    return { items: tokens.filter((t) => t.kind === 'api').map(tokenOut) };
  });

  r.post('/api/v1/tokens', {
    schema: {
      tags: ['auth'], summary: 'Create a named API token; the secret is in this response only',
      body: z.strictObject({ name: z.string().min(1).max(200), expiresAt: z.string().nullable().optional() }),
      response: { 201: TokenOut.extend({ token: z.string() }) },
    },
  }, async (req, reply) => {
    const p = principalOf(req);
    const now = clock().getTime();
    const expiresAt = req.body.expiresAt ? parseInstant(req.body.expiresAt, 'expiresAt') : null;
    if (expiresAt !== null && expiresAt <= now) throw invalid('expiresAt', 'must be in the future');
    const { token, record } = await store.tokens.create(p.user.id, { name: req.body.name, expiresAt, kind: 'api' }, now);
    return reply.code(201).send({ ...tokenOut(record), token });
  });

  r.delete('/api/v1/tokens/:id', {
    schema: { tags: ['auth'], summary: 'Revoke one of my tokens', params: IdParams, response: { 204: z.null() } },
  }, async (req, reply) => {
    const p = principalOf(req);
    if (!(await store.tokens.revoke(p.user.id, req.params.id, clock().getTime()))) throw notFound(`token ${req.params.id}`);
    return reply.code(204).send(null);
  });
}
