import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, harness, type Harness } from './harness.ts';

let h: Harness;
let admin: string;
let alice: string; // account-admin of Acme
let bob: string; // member of Acme
let vera: string; // viewer of Acme

beforeAll(async () => {
  h = await harness();
  admin = (await h.login('Operators', 'admin')).token;
  alice = (await h.login('Acme', 'account-admin', 'alice@acme.test')).token;
  bob = (await h.login('Acme', 'member')).token;
  vera = (await h.login('Acme', 'viewer')).token;
});
afterAll(() => h.close());

async function site(token: string, name = 'House'): Promise<number> {
  const res = await h.call(token, 'POST', '/api/v1/sites', { name, timezone: 'Europe/Berlin' });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

async function sensor(token: string, siteId: number, extra: Record<string, unknown> = {}): Promise<number> {
  const res = await h.call(token, 'POST', '/api/v1/sensors', { name: 'load', quantity: 'power', unit: 'kW', resolution: 'PT15M', siteId, ...extra });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

describe('authentication', () => {
  it('exchanges email and password for a bearer token and tells who I am', async () => {
    const res = await h.call(null, 'POST', '/api/v1/auth/token', { email: 'alice@acme.test', password: PASSWORD });
    expect(res.statusCode).toBe(200);
    const me = await h.call(res.json().token, 'GET', '/api/v1/me');
    expect(me.json().user.email).toBe('alice@acme.test');
    expect(me.json().account.name).toBe('Acme');
  });

  it('refuses a wrong password, a missing and a malformed token with 401 problem details', async () => {
    const wrong = await h.call(null, 'POST', '/api/v1/auth/token', { email: 'alice@acme.test', password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await h.call(null, 'GET', '/api/v1/sites')).statusCode).toBe(401);
    expect((await h.call('not-a-token', 'GET', '/api/v1/sites')).statusCode).toBe(401);
  });

  it('creates, lists and revokes named tokens; a revoked or expired token stops working', async () => {
    const created = await h.call(bob, 'POST', '/api/v1/tokens', { name: 'ci', expiresAt: '2024-06-02T12:00:00Z' });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect((await h.call(token, 'GET', '/api/v1/me')).statusCode).toBe(200);
    const list = await h.call(bob, 'GET', '/api/v1/tokens');
    expect(list.json().items.map((t: { name: string }) => t.name)).toContain('ci');
    expect(JSON.stringify(list.json())).not.toContain(token);
    h.clock.advance(2 * 86_400_000);
    expect((await h.call(token, 'GET', '/api/v1/me')).statusCode).toBe(401);
    h.clock.advance(-2 * 86_400_000);
    expect((await h.call(bob, 'DELETE', `/api/v1/tokens/${id}`)).statusCode).toBe(204);
    expect((await h.call(token, 'GET', '/api/v1/me')).statusCode).toBe(401);
  });

  it('runs a dashboard session on an HttpOnly cookie and demands the CSRF token on writes', async () => {
    const login = await h.call(null, 'POST', '/api/v1/auth/login', { email: 'alice@acme.test', password: PASSWORD });
    expect(login.statusCode).toBe(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0];
    const csrf = login.json().csrfToken as string;
    const me = await h.call(null, 'GET', '/api/v1/me', undefined, { cookie });
    expect(me.json().csrfToken).toBe(csrf);
    const noCsrf = await h.call(null, 'POST', '/api/v1/sites', { name: 'X', timezone: 'UTC' }, { cookie });
    expect(noCsrf.statusCode).toBe(403);
    const badCsrf = await h.call(null, 'POST', '/api/v1/sites', { name: 'X', timezone: 'UTC' }, { cookie, 'x-csrf-token': 'forged' });
    expect(badCsrf.statusCode).toBe(403);
    const ok = await h.call(null, 'POST', '/api/v1/sites', { name: 'X', timezone: 'UTC' }, { cookie, 'x-csrf-token': csrf });
    expect(ok.statusCode).toBe(201);
    expect((await h.call(null, 'POST', '/api/v1/auth/logout', undefined, { cookie, 'x-csrf-token': csrf })).statusCode).toBe(204);
    expect((await h.call(null, 'GET', '/api/v1/me', undefined, { cookie })).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('keeps viewers read-only and lets members write', async () => {
    const id = await site(bob);
    expect((await h.call(vera, 'GET', `/api/v1/sites/${id}`)).statusCode).toBe(200);
    expect((await h.call(vera, 'POST', '/api/v1/sites', { name: 'V', timezone: 'UTC' })).statusCode).toBe(403);
    expect((await h.call(vera, 'PATCH', `/api/v1/sites/${id}`, { name: 'V' })).statusCode).toBe(403);
    expect((await h.call(vera, 'DELETE', `/api/v1/sites/${id}`)).statusCode).toBe(403);
  });

  it('lets account-admins manage users but not grant admin; members cannot manage users', async () => {
    expect((await h.call(bob, 'POST', '/api/v1/users', { email: 'x@acme.test', password: 'long enough', role: 'viewer' })).statusCode).toBe(403);
    expect((await h.call(alice, 'POST', '/api/v1/users', { email: 'root@acme.test', password: 'long enough', role: 'admin' })).statusCode).toBe(403);
    const made = await h.call(alice, 'POST', '/api/v1/users', { email: 'new@acme.test', password: 'long enough', role: 'member' });
    expect(made.statusCode).toBe(201);
    const dup = await h.call(alice, 'POST', '/api/v1/users', { email: 'new@acme.test', password: 'long enough', role: 'member' });
    expect(dup.statusCode).toBe(409);
    const login = await h.call(null, 'POST', '/api/v1/auth/token', { email: 'new@acme.test', password: 'long enough' });
    expect(login.statusCode).toBe(200);
  });

  it('lets only admins create accounts, and admins see every account', async () => {
    expect((await h.call(alice, 'POST', '/api/v1/accounts', { name: 'Evil' })).statusCode).toBe(403);
    const made = await h.call(admin, 'POST', '/api/v1/accounts', { name: 'Coop' });
    expect(made.statusCode).toBe(201);
    const names = (await h.call(admin, 'GET', '/api/v1/accounts')).json().items.map((a: { name: string }) => a.name);
    expect(names).toEqual(expect.arrayContaining(['Acme', 'Coop', 'Operators']));
    const own = (await h.call(alice, 'GET', '/api/v1/accounts')).json().items.map((a: { name: string }) => a.name);
    expect(own).toEqual(['Acme']);
  });
});

describe('sites, assets and sensors', () => {
  it('creates a site and a sensor from the minimal bodies and answers 201 with their ids', async () => {
    const siteRes = await h.call(bob, 'POST', '/api/v1/sites', { name: 'Minimal', timezone: 'Europe/Berlin' });
    expect(siteRes.statusCode).toBe(201);
    expect(siteRes.json()).toMatchObject({ id: expect.any(Number), name: 'Minimal', timezone: 'Europe/Berlin' });
    const s = await h.call(bob, 'POST', '/api/v1/sensors', { name: 'price', quantity: 'price', unit: 'EUR/MWh', resolution: 'PT1H', siteId: siteRes.json().id });
    expect(s.statusCode).toBe(201);
    expect(s.json()).toMatchObject({ id: expect.any(Number), resolution: 'PT1H', unit: 'EUR/MWh', siteId: siteRes.json().id });
  });

  it('attaches an asset sensor to the asset and its site, and lists by site', async () => {
    const siteId = await site(bob, 'With battery');
    const asset = await h.call(bob, 'POST', '/api/v1/assets', { siteId, name: 'Battery', type: 'battery', flexModel: { capacityKwh: 10 } });
    expect(asset.statusCode, asset.body).toBe(201);
    const sid = await sensor(bob, siteId, { siteId: undefined, assetId: asset.json().id, name: 'battery power' });
    const list = await h.call(bob, 'GET', `/api/v1/sensors?siteId=${siteId}`);
    expect(list.json().items).toEqual([expect.objectContaining({ id: sid, assetId: asset.json().id, siteId })]);
    const assets = await h.call(bob, 'GET', `/api/v1/assets?siteId=${siteId}`);
    expect(assets.json().items.map((a: { name: string }) => a.name)).toEqual(['Battery']);
  });

  it('names the field of a bad body: unknown field, bad time zone, unit of another quantity, bad resolution', async () => {
    const siteId = await site(bob);
    const cases: [unknown, string][] = [
      [{ name: 'S', timezone: 'Europe/Berlin', colour: 'red' }, 'colour'],
      [{ name: 'S', timezone: 'Mars/Olympus' }, 'timezone'],
    ];
    for (const [body, field] of cases) {
      const res = await h.call(bob, 'POST', '/api/v1/sites', body);
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const unit = await h.call(bob, 'POST', '/api/v1/sensors', { name: 'x', quantity: 'power', unit: 'kWh', resolution: 'PT15M', siteId });
    expect(unit.statusCode).toBe(400);
    expect(unit.json().errors[0].field).toBe('unit');
    const res = await h.call(bob, 'POST', '/api/v1/sensors', { name: 'x', quantity: 'power', unit: 'kW', resolution: '15min', siteId });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('resolution');
  });

  it('answers a body that is not JSON with a problem naming the body', async () => {
    const res = await h.call(bob, 'POST', '/api/v1/sites', '{"name": "x",', { 'content-type': 'application/json' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().detail).toMatch(/JSON/);
  });

  it('deletes a site with its sensors', async () => {
    const siteId = await site(bob);
    const sid = await sensor(bob, siteId);
    expect((await h.call(bob, 'DELETE', `/api/v1/sites/${siteId}`)).statusCode).toBe(204);
    expect((await h.call(bob, 'GET', `/api/v1/sites/${siteId}`)).statusCode).toBe(404);
    expect((await h.call(bob, 'GET', `/api/v1/sensors/${sid}`)).statusCode).toBe(404);
  });
});

describe('sensor data', () => {
  let sid: number;
  beforeAll(async () => {
    sid = await sensor(bob, await site(bob, 'Data house'));
  });

  it('writes JSON values and reads them back, converted and resampled', async () => {
    const w = await h.call(bob, 'POST', `/api/v1/sensors/${sid}/data`, { start: '2024-03-01T00:00:00+01:00', resolution: 'PT15M', unit: 'W', values: [1000, 2000, 3000, 4000, 500, null, 1500, 2500] });
    expect(w.statusCode, w.body).toBe(200);
    expect(w.json().written).toBe(7);
    const r = await h.call(bob, 'GET', `/api/v1/sensors/${sid}/data?start=2024-03-01T00:00:00%2B01:00&end=2024-03-01T02:00:00%2B01:00`);
    expect(r.json()).toMatchObject({ resolution: 'PT15M', unit: 'kW', values: [1, 2, 3, 4, 0.5, null, 1.5, 2.5] });
    expect(r.json().start).toBe('2024-02-29T23:00:00Z');
    const hourly = await h.call(bob, 'GET', `/api/v1/sensors/${sid}/data?start=2024-03-01T00:00:00%2B01:00&end=2024-03-01T03:00:00%2B01:00&resolution=PT1H&unit=W`);
    expect(hourly.json()).toMatchObject({ resolution: 'PT1H', unit: 'W', values: [2500, 1500, null] });
  });

  it('keeps every belief: latest wins, as-of shows what was known then, source filters', async () => {
    const s = await sensor(bob, await site(bob, 'Beliefs'));
    const at = (beliefTime: string, values: number[], source?: unknown) =>
      h.call(bob, 'POST', `/api/v1/sensors/${s}/data`, { start: '2024-05-01T00:00:00Z', resolution: 'PT15M', unit: 'kW', values, beliefTime, ...(source ? { source } : {}) });
    expect((await at('2024-04-30T12:00:00Z', [1, 1], 'forecaster')).statusCode).toBe(200);
    expect((await at('2024-05-01T01:00:00Z', [2, 2], { kind: 'meter', name: 'm1' })).statusCode).toBe(200);
    const q = '/api/v1/sensors/' + s + '/data?start=2024-05-01T00:00:00Z&end=2024-05-01T00:30:00Z';
    expect((await h.call(bob, 'GET', q)).json().values).toEqual([2, 2]);
    expect((await h.call(bob, 'GET', `${q}&asOf=2024-04-30T18:00:00Z`)).json().values).toEqual([1, 1]);
    expect((await h.call(bob, 'GET', `${q}&asOf=2024-04-01T00:00:00Z`)).json().values).toEqual([null, null]);
    expect((await h.call(bob, 'GET', `${q}&source=forecaster`)).json().values).toEqual([1, 1]);
    expect((await at('2024-05-01T01:00:00Z', [2, 2], { kind: 'meter', name: 'm1' })).json().written).toBe(2);
    expect((await h.call(bob, 'GET', `${q}&source=banana`)).statusCode).toBe(400);
  });

  it('takes a CSV upload and writes nothing when any row is bad, naming each bad line', async () => {
    const s = await sensor(bob, await site(bob, 'CSV'));
    const bad = 'timestamp,value\n2024-05-01T00:00:00Z,1.5\n2024-05-01T00:15:00Z,abc\n2024-05-01T00:00:00Z,3\n2024-05-01T00:45:00Z,1,9\n2024-05-01T00:30:00Z,2\n';
    const res = await h.call(bob, 'POST', `/api/v1/sensors/${s}/data`, bad, { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(400);
    const lines = res.json().errors.map((e: { line: number }) => e.line);
    expect(lines).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(lines).not.toContain(6);
    const noOffset = await h.call(bob, 'POST', `/api/v1/sensors/${s}/data`, 'timestamp,value\n2024-05-01T00:00:00Z,1\n2024-05-01T00:15:00,2\n', { 'content-type': 'text/csv' });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json().errors[0].line).toBe(3);
    const q = `/api/v1/sensors/${s}/data?start=2024-05-01T00:00:00Z&end=2024-05-01T01:00:00Z`;
    expect((await h.call(bob, 'GET', q)).json().values).toEqual([null, null, null, null]);
    const good = 'timestamp,value\n2024-05-01T02:00:00+02:00,1.5\n2024-05-01T02:15:00+02:00,2\n2024-05-01T02:45:00+02:00,4\n';
    const ok = await h.call(bob, 'POST', `/api/v1/sensors/${s}/data?unit=kW`, good, { 'content-type': 'text/csv' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().written).toBe(3);
    expect((await h.call(bob, 'GET', q)).json().values).toEqual([1.5, 2, null, 4]);
  });

  it('reads timestamps without offset in the given time zone, and refuses them without one', async () => {
    const s = await sensor(bob, await site(bob, 'TZ'));
    const noTz = await h.call(bob, 'POST', `/api/v1/sensors/${s}/data`, { start: '2024-05-01T00:00:00', resolution: 'PT15M', unit: 'kW', values: [1] });
    expect(noTz.statusCode).toBe(400);
    expect(noTz.json().errors[0].field).toBe('start');
    const withTz = await h.call(bob, 'POST', `/api/v1/sensors/${s}/data`, { start: '2024-05-01T02:00:00', timezone: 'Europe/Berlin', resolution: 'PT15M', unit: 'kW', values: [7] });
    expect(withTz.statusCode).toBe(200);
    expect((await h.call(bob, 'GET', `/api/v1/sensors/${s}/data?start=2024-05-01T00:00:00Z&end=2024-05-01T00:15:00Z`)).json().values).toEqual([7]);
  });

  it('refuses a unit that does not convert, a misaligned start and an oversized upload', async () => {
    const unit = await h.call(bob, 'POST', `/api/v1/sensors/${sid}/data`, { start: '2024-05-01T00:00:00Z', resolution: 'PT15M', unit: 'EUR/MWh', values: [1] });
    expect(unit.statusCode).toBe(400);
    expect(unit.json().errors[0].field).toBe('unit');
    const misaligned = await h.call(bob, 'POST', `/api/v1/sensors/${sid}/data`, { start: '2024-05-01T00:07:00Z', resolution: 'PT15M', unit: 'kW', values: [1] });
    expect(misaligned.statusCode).toBe(400);
    expect(misaligned.json().errors[0].field).toBe('start');
    const huge = 'timestamp,value\n' + '2024-05-01T00:00:00Z,1.000000000\n'.repeat(1_700_000);
    const big = await h.call(bob, 'POST', `/api/v1/sensors/${sid}/data`, huge, { 'content-type': 'text/csv' });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toMatch(/problem\+json/);
  });
});

describe('retention', () => {
  it('lets admins set the retention per source kind, and nobody else', async () => {
    expect((await h.call(alice, 'PUT', '/api/v1/retention/forecaster', { retention: 'P30D' })).statusCode).toBe(403);
    const set = await h.call(admin, 'PUT', '/api/v1/retention/forecaster', { retention: 'P30D' });
    expect(set.statusCode).toBe(200);
    const list = (await h.call(bob, 'GET', '/api/v1/retention')).json().items;
    expect(list).toContainEqual({ sourceKind: 'forecaster', retention: 'P30D' });
    expect(list).toContainEqual({ sourceKind: 'meter', retention: null });
    expect((await h.call(admin, 'PUT', '/api/v1/retention/forecaster', { retention: 'a month' })).json().errors[0].field).toBe('retention');
  });
});

describe('tenancy: another account\'s objects answer 404 for every verb', () => {
  it('hides sites, assets, sensors, data, users, accounts and tokens of other accounts', async () => {
    const other = await h.login('Globex', 'account-admin');
    const siteId = await site(other.token, 'Globex HQ');
    const asset = (await h.call(other.token, 'POST', '/api/v1/assets', { siteId, name: 'EV', type: 'ev-charger', flexModel: {} })).json();
    const sid = await sensor(other.token, siteId);
    const users = (await h.call(other.token, 'GET', '/api/v1/users')).json().items;
    const otherUserId = users[0].id as number;
    const tokenId = (await h.call(other.token, 'POST', '/api/v1/tokens', { name: 'theirs' })).json().id as number;
    const data = { start: '2024-05-01T00:00:00Z', resolution: 'PT15M', unit: 'kW', values: [1] };

    const probes: [string, string, unknown?][] = [
      ['GET', `/api/v1/sites/${siteId}`], ['PATCH', `/api/v1/sites/${siteId}`, { name: 'mine' }], ['DELETE', `/api/v1/sites/${siteId}`],
      ['GET', `/api/v1/assets/${asset.id}`], ['PATCH', `/api/v1/assets/${asset.id}`, { name: 'mine' }], ['DELETE', `/api/v1/assets/${asset.id}`],
      ['GET', `/api/v1/sensors/${sid}`], ['PATCH', `/api/v1/sensors/${sid}`, { name: 'mine' }], ['DELETE', `/api/v1/sensors/${sid}`],
      ['GET', `/api/v1/sensors/${sid}/data?start=2024-05-01T00:00:00Z&end=2024-05-02T00:00:00Z`], ['POST', `/api/v1/sensors/${sid}/data`, data],
      ['GET', `/api/v1/users/${otherUserId}`], ['PATCH', `/api/v1/users/${otherUserId}`, { role: 'viewer' }], ['DELETE', `/api/v1/users/${otherUserId}`],
      ['GET', `/api/v1/accounts/${other.accountId}`], ['PATCH', `/api/v1/accounts/${other.accountId}`, { name: 'Mine' }], ['DELETE', `/api/v1/accounts/${other.accountId}`],
      ['DELETE', `/api/v1/tokens/${tokenId}`],
      ['POST', '/api/v1/assets', { siteId, name: 'sneaky', type: 'battery', flexModel: {} }],
      ['POST', '/api/v1/sensors', { name: 'sneaky', quantity: 'power', unit: 'kW', resolution: 'PT15M', siteId }],
      ['POST', '/api/v1/sensors', { name: 'sneaky', quantity: 'power', unit: 'kW', resolution: 'PT15M', assetId: asset.id }],
    ];
    for (const who of [alice, bob, vera]) {
      for (const [method, url, body] of probes) {
        const res = await h.call(who, method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    for (const list of ['/api/v1/sites', '/api/v1/assets', '/api/v1/sensors', '/api/v1/users']) {
      const items = (await h.call(alice, 'GET', list)).json().items as { accountId: number }[];
      expect(items.every((i) => i.accountId !== other.accountId), list).toBe(true);
    }
    // Nothing of theirs changed.
    expect((await h.call(other.token, 'GET', `/api/v1/sites/${siteId}`)).json().name).toBe('Globex HQ');
    expect((await h.call(other.token, 'GET', `/api/v1/sensors/${sid}/data?start=2024-05-01T00:00:00Z&end=2024-05-01T00:15:00Z`)).json().values).toEqual([null]);
    expect((await h.call(admin, 'GET', `/api/v1/sites/${siteId}`)).statusCode).toBe(200);
  });
});

describe('the HTTP surface', () => {
  it('serves health, readiness, security headers and an OpenAPI document from the validating schemas', async () => {
    expect((await h.call(null, 'GET', '/healthz')).statusCode).toBe(200);
    const ready = await h.call(null, 'GET', '/readyz');
    expect(ready.json()).toMatchObject({ status: 'ready' });
    const me = await h.call(bob, 'GET', '/api/v1/me');
    expect(me.headers['x-content-type-options']).toBe('nosniff');
    expect(me.headers['content-security-policy']).toBeDefined();
    const doc = (await h.call(null, 'GET', '/docs/json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    const createSensor = doc.paths['/api/v1/sensors'].post;
    const schema = createSensor.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'quantity', 'unit', 'resolution']));
    expect(doc.paths['/api/v1/sensors/{id}/data'].post.requestBody.content['text/csv']).toBeDefined();
  });

  it('answers unknown routes with 404 problem details', async () => {
    const res = await h.call(bob, 'GET', '/api/v1/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('rate-limits per token with 429 and Retry-After', async () => {
    const small = await harness({ rateLimitPerMinute: 5 });
    try {
      const { token } = await small.login('Tiny', 'member');
      const other = (await small.login('Tiny', 'member')).token;
      const codes: number[] = [];
      for (let i = 0; i < 7; i++) codes.push((await small.call(token, 'GET', '/api/v1/sites')).statusCode);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const limited = await small.call(token, 'GET', '/api/v1/sites');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['content-type']).toMatch(/problem\+json/);
      expect((await small.call(other, 'GET', '/api/v1/sites')).statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });
});
