import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { fixedClock } from '../../src/core/clock.ts';
import type { JobQueue } from '../../src/jobs/types.ts';
import { marketCapability } from '../../src/market/capability.ts';
import { openStore } from '../../src/store/open.ts';
import type { Store } from '../../src/store/types.ts';

export type InjectResponse = Awaited<ReturnType<FastifyInstance['inject']>>;

export interface MarketHarness {
  app: FastifyInstance;
  store: Store;
  clock: ReturnType<typeof fixedClock>;
  login(account: string, role?: 'member' | 'viewer'): Promise<{ token: string; accountId: number }>;
  call(token: string, method: string, url: string, body?: unknown): Promise<InjectResponse>;
  close(): Promise<void>;
}

/** An in-process API with the market capability on a fresh database (PGlite in memory, or a PostgreSQL schema). */
export async function marketHarness(opts: { databaseUrl?: string; schema?: string; start?: string; rateLimitPerMinute?: number } = {}): Promise<MarketHarness> {
  const store = await openStore({ dataDir: opts.databaseUrl ? undefined : 'memory://', databaseUrl: opts.databaseUrl, schema: opts.schema, migrate: true });
  const clock = fixedClock(opts.start ?? '2024-06-01T10:00:00Z');
  const app = await buildApp({ store, clock, webRoot: null, queue: {} as JobQueue, capabilities: [marketCapability], rateLimitPerMinute: opts.rateLimitPerMinute });
  await app.ready();
  let n = 0;
  return {
    app, store, clock,
    async login(accountName, role = 'member') {
      const account = (await store.accounts.getByName(accountName)) ?? (await store.accounts.create(accountName));
      const email = `${role}-${++n}@${accountName.toLowerCase().replace(/\W/g, '')}.test`;
      await store.users.create('all', { accountId: account.id, email, password: 'correct horse battery', role });
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { email, password: 'correct horse battery' } });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
      return { token: res.json().token as string, accountId: account.id };
    },
    call(token, method, url, body) {
      return app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { payload: body as object }) });
    },
    async close() {
      await app.close();
      await store.close();
    },
  };
}
