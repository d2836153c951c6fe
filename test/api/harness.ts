import type { FastifyInstance } from 'fastify';

type InjectResponse = Awaited<ReturnType<FastifyInstance['inject']>>;
import { buildApp } from '../../src/api/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import { openStore } from '../../src/store/open.ts';
import type { Role, Store } from '../../src/store/types.ts';

export type Clock = ReturnType<typeof fixedClock>;

export interface Harness {
  app: FastifyInstance;
  store: Store;
  clock: Clock;
  /** Creates a user in a (new or existing) account and returns a bearer token for them. */
  login(account: string, role: Role, email?: string): Promise<{ token: string; accountId: number; userId: number }>;
  call(token: string | null, method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<InjectResponse>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

/** An in-process API on a fresh database (PGlite in memory, or PostgreSQL in its own schema). */
export async function harness(opts: { databaseUrl?: string; schema?: string; rateLimitPerMinute?: number } = {}): Promise<Harness> {
  const store = await openStore({ dataDir: opts.databaseUrl ? undefined : 'memory://', databaseUrl: opts.databaseUrl, schema: opts.schema, migrate: true });
  const clock = fixedClock('2024-06-01T12:00:00Z');
  const app = await buildApp({ store, clock, webRoot: null, rateLimitPerMinute: opts.rateLimitPerMinute });
  await app.ready();
  let n = 0;
  return {
    app, store, clock,
    async login(accountName, role, email) {
      const account = (await store.accounts.getByName(accountName)) ?? (await store.accounts.create(accountName));
      const mail = email ?? `${role}-${++n}@${accountName.toLowerCase().replace(/\W/g, '')}.test`;
      const user = await store.users.create('all', { accountId: account.id, email: mail, password: PASSWORD, role });
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email: mail, password: PASSWORD } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return { token: res.json().token as string, accountId: account.id, userId: user.id };
    },
    call(token, method, url, body, headers = {}) {
      const h: Record<string, string> = { ...headers };
      if (token) h.authorization = `Bearer ${token}`;
      const isString = typeof body === 'string';
      return app.inject({ method: method as 'GET', url, headers: h, ...(body === undefined ? {} : isString ? { payload: body } : { payload: body as object }) });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
