import { expect, it } from 'vitest';
import { describeStores } from './test-helpers.ts';
import { AUTH_CACHE_MS } from './repos/tokens.ts';

describeStores('passwords and tokens', (ctx) => {
  const now = Date.UTC(2025, 5, 1, 12);

  async function member(tag: string) {
    const account = await ctx.store.accounts.create(`auth-${tag}`);
    return ctx.store.users.create({ accountId: account.id }, { accountId: account.id, email: `Ann.${tag}@Example.org`, password: 'correct horse', role: 'member' });
  }

  it('checks a password against its argon2id hash, with the email in any case', async () => {
    const { store } = ctx;
    const user = await member('pw');
    const stored = await store.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(stored[0].password_hash).toMatch(/^\$argon2id\$/);
    expect(await store.users.verifyPassword('ann.pw@example.org', 'correct horse')).toMatchObject({ id: user.id });
    expect(await store.users.verifyPassword('ann.pw@example.org', 'wrong horse')).toBeNull();
    expect(await store.users.verifyPassword('nobody@example.org', 'correct horse')).toBeNull();
    await store.users.update('all', user.id, { password: 'battery staple' });
    expect(await store.users.verifyPassword('ann.pw@example.org', 'correct horse')).toBeNull();
    expect(await store.users.verifyPassword('ann.pw@example.org', 'battery staple')).toMatchObject({ id: user.id });
  });

  it('refuses a second user with the same email in another case, and a short password', async () => {
    const { store } = ctx;
    const user = await member('dup');
    await expect(store.users.create('all', { accountId: user.accountId, email: 'ANN.DUP@example.org', password: 'long enough', role: 'viewer' })).rejects.toMatchObject({ status: 409 });
    await expect(store.users.create('all', { accountId: user.accountId, email: 'bob@example.org', password: 'short', role: 'viewer' })).rejects.toMatchObject({ status: 400, field: 'password' });
    await expect(store.users.create('all', { accountId: user.accountId, email: 'bob@example.org', password: 'long enough', role: 'boss' as never })).rejects.toMatchObject({ field: 'role' });
  });

  it('creates a token that authenticates, is stored only as a hash, and stops working when revoked', async () => {
    const { store } = ctx;
    const user = await member('tok');
    const { token, record } = await store.tokens.create(user.id, { name: 'cli' }, now);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const stored = await store.query<{ token_hash: Uint8Array }>('SELECT token_hash FROM api_tokens WHERE id = $1', [record.id]);
    expect(Buffer.from(stored[0].token_hash).toString('base64url')).not.toBe(token);
    expect(Buffer.from(stored[0].token_hash)).toHaveLength(32);
    const auth = await store.tokens.authenticate(token, now + 1000);
    expect(auth?.user).toMatchObject({ id: user.id, accountId: user.accountId, role: 'member' });
    expect(auth?.token).toMatchObject({ id: record.id, name: 'cli', kind: 'api', lastUsedAt: now + 1000 });
    expect(await store.tokens.authenticate(token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), now)).toBeNull();
    expect((await store.tokens.list(user.id)).map((t) => t.id)).toEqual([record.id]);
    expect(await store.tokens.revoke(user.id + 1000, record.id, now)).toBe(false);
    expect(await store.tokens.revoke(user.id, record.id, now + 2000)).toBe(true);
    expect(await store.tokens.authenticate(token, now + 3000)).toBeNull();
    expect((await store.tokens.list(user.id))[0].revokedAt).toBe(now + 2000);
  });

  it('a token with an expiry works until then and not after', async () => {
    const { store } = ctx;
    const user = await member('exp');
    const { token } = await store.tokens.create(user.id, { name: 'session', kind: 'session', expiresAt: now + 60_000 }, now);
    expect(await store.tokens.authenticate(token, now + 59_999)).not.toBeNull();
    expect(await store.tokens.authenticate(token, now + 60_000)).toBeNull();
    await expect(store.tokens.create(user.id, { name: 'old', expiresAt: now - 1 }, now)).rejects.toMatchObject({ field: 'expiresAt' });
  });

  it('trusts a checked token for a few seconds only, and forgets it at once on revocation or a role change here', async () => {
    const { store } = ctx;
    const user = await member('cache');
    const { token, record } = await store.tokens.create(user.id, { name: 'cached' }, now);
    expect(await store.tokens.authenticate(token, now)).not.toBeNull();
    // Changed behind this store's back (as another process would): seen once the cached answer is too old.
    await store.query('UPDATE users SET role = $1 WHERE id = $2', ['viewer', user.id]);
    expect((await store.tokens.authenticate(token, now + AUTH_CACHE_MS - 1))?.user.role).toBe('member');
    expect((await store.tokens.authenticate(token, now + AUTH_CACHE_MS))?.user.role).toBe('viewer');
    // Changed through this store: seen at once.
    await store.users.update('all', user.id, { role: 'account-admin' });
    expect((await store.tokens.authenticate(token, now + AUTH_CACHE_MS + 1))?.user.role).toBe('account-admin');
    await store.tokens.revoke(user.id, record.id, now + AUTH_CACHE_MS + 2);
    expect(await store.tokens.authenticate(token, now + AUTH_CACHE_MS + 3)).toBeNull();
    await store.users.delete('all', user.id);
  });

  it('a cached token still ends at its expiry', async () => {
    const { store } = ctx;
    const user = await member('cache-exp');
    const { token } = await store.tokens.create(user.id, { name: 'short', expiresAt: now + 1000 }, now);
    expect(await store.tokens.authenticate(token, now + 999)).not.toBeNull();
    expect(await store.tokens.authenticate(token, now + 1000)).toBeNull();
  });
});
