import { expect, it } from 'vitest';
import { describeStores } from './test-helpers.ts';
import type { Scope, Store } from './types.ts';

/** Two accounts, each with a site, an asset, a sensor and a user. */
async function twoTenants(store: Store, tag: string) {
  const make = async (name: string) => {
    const account = await store.accounts.create(`${name}-${tag}`);
    const scope: Scope = { accountId: account.id };
    const site = await store.sites.create(scope, { accountId: account.id, name: 'home', timezone: 'Europe/Berlin' });
    const asset = await store.assets.create(scope, { siteId: site.id, name: 'battery', type: 'battery', flexModel: { capacityKwh: 10 } });
    const sensor = await store.sensors.create(scope, { name: 'soc', quantity: 'soc', unit: 'kWh', resolutionMs: 900_000, assetId: asset.id });
    const user = await store.users.create(scope, { accountId: account.id, email: `${name}-${tag}@example.org`, password: 'correct horse', role: 'member' });
    return { account, scope, site, asset, sensor, user };
  };
  return { a: await make('alpha'), b: await make('beta') };
}

describeStores('CRUD and tenancy', (ctx) => {
  it('creates, reads, updates, lists and deletes a site with its optional fields', async () => {
    const { store } = ctx;
    const account = await store.accounts.create('crud');
    const scope = { accountId: account.id };
    const site = await store.sites.create(scope, { accountId: account.id, name: ' depot ', timezone: 'Europe/Amsterdam', importCapacityKw: 250 });
    expect(site).toMatchObject({ name: 'depot', timezone: 'Europe/Amsterdam', importCapacityKw: 250, exportCapacityKw: null, accountId: account.id });
    expect(typeof site.createdAt).toBe('number');
    const updated = await store.sites.update(scope, site.id, { exportCapacityKw: 100, priceZone: 'NL' });
    expect(updated).toMatchObject({ exportCapacityKw: 100, priceZone: 'NL', importCapacityKw: 250 });
    expect((await store.sites.list(scope)).map((s) => s.id)).toEqual([site.id]);
    expect(await store.sites.delete(scope, site.id)).toBe(true);
    expect(await store.sites.get(scope, site.id)).toBeNull();
    expect(await store.sites.delete(scope, site.id)).toBe(false);
  });

  it('another account sees every repository and verb as missing', async () => {
    const { store } = ctx;
    const { a, b } = await twoTenants(store, 'tenancy');
    // Reads
    expect(await store.accounts.get(a.scope, b.account.id)).toBeNull();
    expect(await store.users.get(a.scope, b.user.id)).toBeNull();
    expect(await store.sites.get(a.scope, b.site.id)).toBeNull();
    expect(await store.assets.get(a.scope, b.asset.id)).toBeNull();
    expect(await store.sensors.get(a.scope, b.sensor.id)).toBeNull();
    // Lists hold only one's own
    expect((await store.accounts.list(a.scope)).map((x) => x.id)).toEqual([a.account.id]);
    expect((await store.users.list(a.scope)).map((x) => x.id)).toEqual([a.user.id]);
    expect((await store.sites.list(a.scope)).map((x) => x.id)).toEqual([a.site.id]);
    expect((await store.assets.list(a.scope)).map((x) => x.id)).toEqual([a.asset.id]);
    expect((await store.sensors.list(a.scope)).map((x) => x.id)).toEqual([a.sensor.id]);
    // Updates
    expect(await store.accounts.update(a.scope, b.account.id, { name: 'taken' })).toBeNull();
    expect(await store.users.update(a.scope, b.user.id, { role: 'viewer' })).toBeNull();
    expect(await store.sites.update(a.scope, b.site.id, { name: 'taken' })).toBeNull();
    expect(await store.assets.update(a.scope, b.asset.id, { name: 'taken' })).toBeNull();
    expect(await store.sensors.update(a.scope, b.sensor.id, { name: 'taken' })).toBeNull();
    // Creates under another account's parent
    await expect(store.sites.create(a.scope, { accountId: b.account.id, name: 'x', timezone: 'UTC' })).rejects.toMatchObject({ status: 404 });
    await expect(store.assets.create(a.scope, { siteId: b.site.id, name: 'x', type: 'pv', flexModel: {} })).rejects.toMatchObject({ status: 404 });
    await expect(store.sensors.create(a.scope, { name: 'x', quantity: 'power', unit: 'kW', resolutionMs: 900_000, siteId: b.site.id })).rejects.toMatchObject({ status: 404 });
    await expect(store.users.create(a.scope, { accountId: b.account.id, email: 'x@example.org', password: 'long enough', role: 'member' })).rejects.toMatchObject({ status: 404 });
    // Deletes
    expect(await store.sensors.delete(a.scope, b.sensor.id)).toBe(false);
    expect(await store.assets.delete(a.scope, b.asset.id)).toBe(false);
    expect(await store.sites.delete(a.scope, b.site.id)).toBe(false);
    expect(await store.users.delete(a.scope, b.user.id)).toBe(false);
    expect(await store.accounts.delete(a.scope, b.account.id)).toBe(false);
    // Nothing of b changed
    expect(await store.sites.get('all', b.site.id)).toMatchObject({ name: 'home' });
    expect(await store.users.get('all', b.user.id)).toMatchObject({ role: 'member' });
    expect(await store.accounts.get('all', b.account.id)).toMatchObject({ name: 'beta-tenancy' });
    // The admin scope sees both
    expect((await store.sensors.list('all')).map((x) => x.id)).toEqual(expect.arrayContaining([a.sensor.id, b.sensor.id]));
  });

  it('deleting a site deletes its assets, sensors and their beliefs', async () => {
    const { store } = ctx;
    const { a } = await twoTenants(store, 'cascade');
    const src = await store.sources.ensure({ kind: 'meter', name: 'cascade' });
    await store.beliefs.write([{ sensorId: a.sensor.id, sourceId: src.id, beliefTime: 0, start: 0, resolutionMs: 900_000, values: [1, 2, 3] }]);
    expect(await store.sites.delete(a.scope, a.site.id)).toBe(true);
    expect(await store.assets.get('all', a.asset.id)).toBeNull();
    expect(await store.sensors.get('all', a.sensor.id)).toBeNull();
    const left = await store.query<{ n: number | string }>('SELECT count(*) AS n FROM beliefs WHERE sensor_id = $1', [a.sensor.id]);
    expect(Number(left[0].n)).toBe(0);
  });

  it('a sensor takes its account and site from its asset, and refuses a unit of another quantity', async () => {
    const { store } = ctx;
    const { a } = await twoTenants(store, 'sensor');
    expect(a.sensor).toMatchObject({ accountId: a.account.id, siteId: a.site.id, assetId: a.asset.id, resolutionMs: 900_000 });
    await expect(store.sensors.create(a.scope, { name: 'x', quantity: 'power', unit: 'kWh', resolutionMs: 900_000, siteId: a.site.id })).rejects.toMatchObject({ status: 400, field: 'unit' });
    await expect(store.sites.create(a.scope, { accountId: a.account.id, name: 'x', timezone: 'Mars/Olympus' })).rejects.toMatchObject({ status: 400, field: 'timezone' });
    await expect(store.assets.create(a.scope, { siteId: a.site.id, name: 'x', type: 'rocket' as never, flexModel: {} })).rejects.toMatchObject({ field: 'type' });
  });

  it('changing a sensor unit converts its stored beliefs', async () => {
    const { store } = ctx;
    const { a } = await twoTenants(store, 'unit');
    const src = await store.sources.ensure({ kind: 'meter', name: 'unit' });
    await store.beliefs.write([{ sensorId: a.sensor.id, sourceId: src.id, beliefTime: 0, start: 0, resolutionMs: 900_000, values: [1.5, 2] }]);
    const updated = await store.sensors.update(a.scope, a.sensor.id, { unit: 'Wh' });
    expect(updated?.unit).toBe('Wh');
    const read = await store.beliefs.latest({ sensorId: a.sensor.id, start: 0, end: 2 * 900_000 });
    expect(read.values).toEqual([1500, 2000]);
  });

  it('sources are unique by kind, name and version', async () => {
    const { store } = ctx;
    const one = await store.sources.ensure({ kind: 'forecaster', name: 'naive', version: '1' });
    const again = await store.sources.ensure({ kind: 'forecaster', name: 'naive', version: '1' });
    const other = await store.sources.ensure({ kind: 'forecaster', name: 'naive', version: '2' });
    expect(again.id).toBe(one.id);
    expect(other.id).not.toBe(one.id);
    expect(await store.sources.get(one.id)).toEqual({ id: one.id, kind: 'forecaster', name: 'naive', version: '1' });
  });
});
