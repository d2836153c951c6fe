import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../db.ts';
import { ms, msOrNull, ts, tsOrNull } from '../db.ts';
import type { ApiToken, Role, Store, User } from '../types.ts';
import { invalid, notFound } from '../../core/errors.ts';

type Row = {
  id: number; user_id: number; name: string; kind: 'api' | 'session';
  created_at: Date; expires_at: Date | null; revoked_at: Date | null; last_used_at: Date | null;
};
const COLUMNS = 'id, user_id, name, kind, created_at, expires_at, revoked_at, last_used_at';
const toToken = (r: Row): ApiToken => ({
  id: r.id, userId: r.user_id, name: r.name, kind: r.kind,
  createdAt: ms(r.created_at), expiresAt: msOrNull(r.expires_at), revokedAt: msOrNull(r.revoked_at), lastUsedAt: msOrNull(r.last_used_at),
});
/** last_used_at is written at most this often per token, so authenticating stays a read. */
const LAST_USED_PRECISION_MS = 60_000;
/**
 * How long one process trusts a token it has checked without asking the database again. Revoking a token,
 * changing or deleting a user or an account clears the cache of the process that did it at once; other
 * processes (a second API server, a worker) notice within this time.
 */
export const AUTH_CACHE_MS = 5_000;

type Authenticated = { user: User; token: ApiToken };
type CacheEntry = { found: Authenticated; until: number };
/** One cache per store (keyed by the state a store shares with its transactions), by secret: no hashing per call. */
const caches = new WeakMap<object, Map<string, CacheEntry>>();
const AUTH_CACHE_MAX = 10_000;

function cacheOf(db: Db): Map<string, CacheEntry> {
  let c = caches.get(db.shared);
  if (!c) caches.set(db.shared, (c = new Map()));
  return c;
}

/** Forgets every token this store has checked: after a revocation or a change to users or accounts. */
export function forgetAuthenticated(db: Db): void {
  caches.get(db.shared)?.clear();
}

function remember(db: Db, key: string, found: Authenticated, now: number): void {
  const cache = cacheOf(db);
  if (cache.size >= AUTH_CACHE_MAX) cache.clear();
  cache.set(key, { found, until: Math.min(now + AUTH_CACHE_MS, found.token.expiresAt ?? Infinity) });
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function tokensRepo(db: Db): Store['tokens'] {
  async function lookUp(hash: Buffer, now: number): Promise<Authenticated | null> {
    const rows = await db.query<Row & { u_id: number; account_id: number; email: string; role: Role; u_created_at: Date }>(
      `SELECT t.id, t.user_id, t.name, t.kind, t.created_at, t.expires_at, t.revoked_at, t.last_used_at,
              u.id AS u_id, u.account_id, u.email, u.role, u.created_at AS u_created_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)`,
      [hash, ts(now)],
      { prepared: true },
    );
    const r = rows[0];
    if (!r) return null;
    return { token: toToken(r), user: { id: r.u_id, accountId: r.account_id, email: r.email, role: r.role, createdAt: ms(r.u_created_at) } };
  }
  return {
    async create(userId, input, now) {
      if (typeof input.name !== 'string' || input.name.trim() === '') throw invalid('name', 'a token needs a name');
      const kind = input.kind ?? 'api';
      if (kind !== 'api' && kind !== 'session') throw invalid('kind', 'must be api or session');
      if (input.expiresAt != null && !(input.expiresAt > now)) throw invalid('expiresAt', 'must be in the future');
      const token = randomBytes(32).toString('base64url');
      const rows = await db
        .query<Row>(`INSERT INTO api_tokens (user_id, name, kind, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`, [
          userId, input.name.trim(), kind, hashSecret(token), ts(now), tsOrNull(input.expiresAt),
        ])
        .catch((e) => {
          if ((e as { code?: string }).code === '23503') throw notFound('user');
          throw e;
        });
      return { token, record: toToken(rows[0]) };
    },
    async authenticate(secret, now) {
      if (typeof secret !== 'string' || secret.length === 0) return null;
      const cached = cacheOf(db).get(secret);
      const found = cached && now < cached.until && now >= cached.found.token.createdAt ? cached.found : await lookUp(hashSecret(secret), now);
      if (!found) return null;
      if (found !== cached?.found) remember(db, secret, found, now);
      const token = found.token;
      if (token.lastUsedAt === null || now - token.lastUsedAt >= LAST_USED_PRECISION_MS) {
        await db.query('UPDATE api_tokens SET last_used_at = $1 WHERE id = $2', [ts(now), token.id]);
        token.lastUsedAt = now;
      }
      return { token: { ...token }, user: { ...found.user } };
    },
    async list(userId) {
      return (await db.query<Row>(`SELECT ${COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id`, [userId])).map(toToken);
    },
    async revoke(userId, tokenId, now) {
      forgetAuthenticated(db);
      const rows = await db.query('UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2 AND user_id = $3 RETURNING id', [ts(now), tokenId, userId]);
      return rows.length > 0;
    },
  };
}
