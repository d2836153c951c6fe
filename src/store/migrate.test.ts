import { expect, it } from 'vitest';
import { describeStores } from './test-helpers.ts';
import { migrate } from './open.ts';
import { listMigrations } from './migrate.ts';

describeStores('migrations', (ctx) => {
  it('are applied once: running them again applies nothing and keeps the data', async () => {
    const { store } = ctx;
    const names = listMigrations().map((m) => m.name);
    expect(names[0]).toBe('001_accounts_sites_sensors');
    const recorded = await store.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(recorded.map((r) => r.name)).toEqual(names);
    const account = await store.accounts.create('survives');
    expect(await migrate(store)).toEqual([]);
    expect(await migrate(store)).toEqual([]);
    expect(await store.accounts.get('all', account.id)).toMatchObject({ name: 'survives' });
    expect((await store.query('SELECT name FROM schema_migrations')).length).toBe(names.length);
  });
});
