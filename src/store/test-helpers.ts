/**
 * Runs a block of store tests once on PGlite (in memory) and once on the real PostgreSQL server, each in a
 * fresh database (PGlite) or a fresh schema that is dropped afterwards (PostgreSQL).
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStore } from './open.ts';
import type { Store } from './types.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = 'pglite' | 'postgres';

export async function freshStore(backend: Backend): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const store = await openStore({ dataDir: 'memory://' });
    return { store, drop: () => store.close() };
  }
  const schema = `store_test_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ databaseUrl: DATABASE_URL, schema });
  return {
    store,
    async drop() {
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}

/** `describe` once per backend; `ctx.store` is ready inside the tests. */
export function describeStores(title: string, body: (ctx: { store: Store; backend: Backend }) => void): void {
  for (const backend of ['pglite', 'postgres'] as const) {
    describe(`${title} [${backend}]`, () => {
      const ctx = { backend } as { store: Store; backend: Backend };
      let drop: () => Promise<void>;
      beforeAll(async () => {
        const fresh = await freshStore(backend);
        ctx.store = fresh.store;
        drop = fresh.drop;
      });
      afterAll(async () => drop?.());
      body(ctx);
    });
  }
}

export const T0 = Date.UTC(2025, 0, 1);
export const MIN15 = 15 * 60_000;
export const HOUR = 60 * 60_000;
