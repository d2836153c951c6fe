import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import type { Role, Scope, Store, User } from '../store/types.ts';

export const SESSION_COOKIE = 'gridflex_session';

/** Who is calling: the user, their tenancy scope, and how they proved it. */
export interface Principal {
  user: User;
  scope: Scope;
  tokenId: number;
  via: 'token' | 'session';
  /** Under cookie auth: the token every state-changing request must echo in X-CSRF-Token. */
  csrfToken?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The CSRF token of a session, derived from its secret: nothing to store, nothing an attacker can guess. */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('gridflex-csrf').digest('base64url');
}

export function scopeOf(user: User): Scope {
  return user.role === 'admin' ? 'all' : { accountId: user.accountId };
}

const OPEN_PATHS = new Set(['/api/v1/auth/token', '/api/v1/auth/login']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function bearerOf(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  if (!m) throw unauthorized('Authorization header must be "Bearer <token>"');
  return m[1];
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Authenticates every /api/v1 call except the log-in routes: a bearer token, or the session cookie with CSRF. */
export function registerAuth(app: FastifyInstance, store: Store, clock: Clock): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/api/') || OPEN_PATHS.has(path)) return;
    const bearer = bearerOf(req);
    const secret = bearer ?? req.cookies?.[SESSION_COOKIE];
    if (!secret) throw unauthorized('send "Authorization: Bearer <token>" (POST /api/v1/auth/token gives one)');
    const found = await store.tokens.authenticate(secret, clock().getTime());
    if (!found) throw unauthorized('the token is unknown, revoked or expired');
    const via = bearer ? 'token' : 'session';
    if (via === 'session' && found.token.kind !== 'session') throw unauthorized('the session is unknown, revoked or expired');
    const principal: Principal = { user: found.user, scope: scopeOf(found.user), tokenId: found.token.id, via };
    if (via === 'session') {
      principal.csrfToken = csrfTokenFor(secret);
      const sent = req.headers['x-csrf-token'];
      if (UNSAFE.has(req.method) && (typeof sent !== 'string' || !sameToken(sent, principal.csrfToken))) {
        throw forbidden('missing or wrong X-CSRF-Token header (GET /api/v1/me gives it)');
      }
    }
    req.principal = principal;
  });
}

/** The caller, or 401 when the route was reached without one. */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

const RANK: Record<Role, number> = { viewer: 0, member: 1, 'account-admin': 2, admin: 3 };

/** 403 unless the caller's role is at least `role` (viewer < member < account-admin < admin). */
export function requireRole(req: FastifyRequest, role: Role): Principal {
  const p = principalOf(req);
  if (RANK[p.user.role] < RANK[role]) throw forbidden(`needs the role ${role} or higher; you are ${p.user.role}`);
  return p;
}

/** Writing needs at least `member`: viewers are read-only. */
export function requireWriter(req: FastifyRequest): Principal {
  return requireRole(req, 'member');
}

export function roleRank(role: Role): number {
  return RANK[role];
}
