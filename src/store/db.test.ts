import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openStore } from './open.ts';
import { readSensorSeries } from './series.ts';
import type { Db } from './db.ts';
import type { Store } from './types.ts';

describe('prepared statements on PGlite', () => {
  let store: Store & { db: Db };
  beforeAll(async () => {
    store = (await openStore({ dataDir: 'memory://' })) as Store & { db: Db };
  });
  afterAll(() => store.close());

  it('hands every kind of parameter to EXECUTE as the parameterised query would', async () => {
    const sql = 'SELECT $1::text AS t, $2::float8 AS f, $3::int[] AS a, $4::text[] AS s, $5::bytea AS b, $6::timestamptz AS d, $7::boolean AS z';
    const text = fc.string({ unit: fc.constantFrom('a', "'", '"', '\\', ',', '{', '}', ' ', 'é', '\n', 'NULL') , maxLength: 12 });
    await fc.assert(fc.asyncProperty(
      fc.option(text, { nil: null }), fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(Number.NaN)),
      fc.array(fc.integer({ min: -1e6, max: 1e6 }), { maxLength: 4 }), fc.array(fc.option(text, { nil: null }), { maxLength: 4 }),
      fc.uint8Array({ maxLength: 8 }), fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.boolean(),
      async (...params) => {
        const plain = await store.db.query(sql, params);
        const prepared = await store.db.query(sql, params, { prepared: true });
        expect(prepared).toEqual(plain);
      },
    ), { numRuns: 200 });
  });

  it('prepares the hot reads once instead of planning them every call', async () => {
    const account = await store.accounts.create('prepared');
    const site = await store.sites.create('all', { accountId: account.id, name: 'site', timezone: 'UTC' });
    const sensor = await store.sensors.create('all', { name: 's', quantity: 'power', unit: 'kW', resolutionMs: 900_000, siteId: site.id });
    const user = await store.users.create('all', { accountId: account.id, email: 'prepared@example.org', password: 'long enough', role: 'member' });
    const { token } = await store.tokens.create(user.id, { name: 't' }, Date.UTC(2025, 0, 1));
    const count = async () => (await store.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'gf\\_%'"))[0].n;
    const before = await count();
    for (let i = 0; i < 3; i++) {
      await readSensorSeries(store, { accountId: account.id }, sensor.id, { start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 2), maxSlots: 1000 });
      await store.beliefs.latest({ sensorId: sensor.id, start: Date.UTC(2024, 2, 1), end: Date.UTC(2024, 2, 2) });
    }
    expect(await store.tokens.authenticate(token, Date.UTC(2025, 0, 1, 1))).not.toBeNull();
    expect(await count()).toBe(before + 3);
  });
});
