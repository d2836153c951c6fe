import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { unauthorized } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Store } from '../../store/types.ts';
import { SESSION_COOKIE, csrfTokenFor, principalOf } from '../auth.ts';
import { UserOut, userOut } from '../schemas.ts';

const Credentials = z.strictObject({ email: z.string().min(3).max(320), password: z.string().min(1).max(1000) });
const TOKEN_DAYS = 30;
const SESSION_HOURS = 12;

function isLoopbackHost(host: string | undefined): boolean {
  return !!host && /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
}

/** Log-in: a bearer token for programs, a session cookie (with a CSRF token) for the dashboard. */
export function authRoutes(app: FastifyInstance, store: Store, clock: Clock): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/v1/auth/token', {
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Exchange email and password for a bearer token (valid 30 days)', security: [],
      body: Credentials,
      response: { 200: z.object({ token: z.string(), expiresAt: z.string() }) },
    },
  }, async (req) => {
    const user = await store.users.verifyPassword(req.body.email, req.body.password);
    if (!user) throw unauthorized('wrong email or password');
    const now = clock().getTime();
    const expiresAt = now + TOKEN_DAYS * 86_400_000;
    const { token } = await store.tokens.create(user.id, { name: 'password log-in', expiresAt, kind: 'api' }, now);
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  });

  r.post('/api/v1/auth/login', {
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'], summary: 'Start a dashboard session (HttpOnly cookie); returns the CSRF token', security: [],
      body: Credentials,
      response: { 200: z.object({ user: UserOut, csrfToken: z.string() }) },
    },
  }, async (req, reply) => {
    const user = await store.users.verifyPassword(req.body.email, req.body.password);
    if (!user) throw unauthorized('wrong email or password');
    const now = clock().getTime();
    const expiresAt = now + SESSION_HOURS * 3_600_000;
    const { token } = await store.tokens.create(user.id, { name: 'dashboard session', expiresAt, kind: 'session' }, now);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'strict', path: '/',
      secure: req.protocol === 'https' || !isLoopbackHost(req.headers.host),
      expires: new Date(expiresAt),
    });
    return { user: userOut(user), csrfToken: csrfTokenFor(token) };
  });

  r.post('/api/v1/auth/logout', {
    schema: { tags: ['auth'], summary: 'End the current session or revoke the current token', response: { 204: z.null() } },
  }, async (req, reply) => {
    const p = principalOf(req);
    await store.tokens.revoke(p.user.id, p.tokenId, clock().getTime());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send(null);
  });
}
