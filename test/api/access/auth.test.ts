/** Sign-in, tokens, rights and accounts of the panel dialect (access-api.md §1–2), on every store. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Hex } from '../../../src/auth/secrets.ts';
import { ADMIN, MANAGER, login, startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

describe.each(STORE_KINDS)('access sign-in and accounts (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  const loginUrl = (username: string, password: string) => `/api/v1/login?username=${username}&password=${password}`;

  it('signs in with the MD5 hex of the password, in either case', async () => {
    for (const hash of [md5Hex(ADMIN.password), md5Hex(ADMIN.password).toUpperCase()]) {
      const response = await t.app.inject({ method: 'GET', url: loginUrl(ADMIN.username, hash) });
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.account_type).toBe('admin');
      expect(Buffer.from(body.token, 'base64url').length).toBeGreaterThanOrEqual(20);
    }
    const manager = await t.app.inject({ method: 'GET', url: loginUrl(MANAGER.username, md5Hex(MANAGER.password)) });
    expect(manager.json().account_type).toBe('manager');
  });

  it('issues a different token each time', async () => {
    expect(await login(t.app, ADMIN)).not.toBe(await login(t.app, ADMIN));
  });

  it.each([
    ['/api/v1/login', 'Required parameters missed'],
    ['/api/v1/login?username=admin', 'Required parameters missed'],
    ['/api/v1/login?password=abc', 'Required parameters missed'],
    [`/api/v1/login?username=admin&password=${md5Hex('wrong')}`, 'Wrong login or password'],
    [`/api/v1/login?username=nobody&password=${md5Hex(ADMIN.password)}`, 'Wrong login or password'],
    [`/api/v1/login?username=admin&password=${ADMIN.password}`, 'Wrong login or password'],
  ])('%s → 400 %s', async (url, message) => {
    const response = await t.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: message });
  });

  it('stores passwords with a slow salted hash, never as MD5, and tokens only as digests', async () => {
    const accounts = await t.store.db.selectFrom('accounts').selectAll().execute();
    for (const account of accounts) {
      expect(account.password_hash).toMatch(/^scrypt\$/);
      expect(account.password_hash).not.toContain(md5Hex(ADMIN.password));
    }
    const sessions = await t.store.db.selectFrom('sessions').select('token_hash').execute();
    expect(sessions.map((s) => s.token_hash)).not.toContain(t.adminToken);
  });

  it('a token expires', async () => {
    const shortLived = await startTestApp(kind, { tokenTtlSeconds: 1 });
    try {
      const token = await login(shortLived.app, ADMIN);
      expect((await shortLived.call({ method: 'GET', url: '/api/v1/access/users/items', token })).statusCode).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const expired = await shortLived.call({ method: 'GET', url: '/api/v1/access/users/items', token });
      expect(expired.statusCode).toBe(401);
      expect(expired.json()).toEqual({ error: 'Log In' });
    } finally {
      await shortLived.dispose();
    }
  });

  it('accepts the Bearer scheme in any case and refuses other schemes', async () => {
    const lower = await t.app.inject({ method: 'GET', url: '/api/v1/access/users/items', headers: { authorization: `bearer ${t.adminToken}` } });
    expect(lower.statusCode).toBe(200);
    const basic = await t.app.inject({ method: 'GET', url: '/api/v1/access/users/items', headers: { authorization: `Basic ${t.adminToken}` } });
    expect(basic.statusCode).toBe(401);
  });

  describe('accounts (admin only)', () => {
    it('creates, lists and deletes an account; the new account signs in', async () => {
      const created = await t.call({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { username: 'frontdesk', password: 'front-desk-pass', account_type: 'manager' },
      });
      expect(created.statusCode).toBe(200);
      expect(created.json()).toEqual({ username: 'frontdesk', account_type: 'manager' });
      const token = await login(t.app, { username: 'frontdesk', password: 'front-desk-pass' });
      const listed = await t.call({ method: 'GET', url: '/api/v1/accounts' });
      expect(listed.json().list_items).toContainEqual({ username: 'frontdesk', account_type: 'manager' });
      const duplicate = await t.call({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { username: 'frontdesk', password: 'another-pass', account_type: 'admin' },
      });
      expect(duplicate.statusCode).toBe(400);
      expect(duplicate.json()).toEqual({ error: 'Account with that username already exist' });
      const removed = await t.call({ method: 'DELETE', url: '/api/v1/accounts/frontdesk' });
      expect(removed.statusCode).toBe(200);
      expect(removed.json()).toEqual({});
      expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items', token })).statusCode).toBe(401);
      expect((await t.call({ method: 'DELETE', url: '/api/v1/accounts/frontdesk' })).json()).toEqual({ error: 'Entity not found' });
    });

    it('concurrent creates of one username: one account, the others a 400 (a retried request is not a 500)', async () => {
      const payload = { username: 'twice', password: 'twice-password', account_type: 'manager' };
      const responses = await Promise.all([1, 2, 3, 4].map(() => t.call({ method: 'POST', url: '/api/v1/accounts', payload })));
      expect(responses.map((r) => r.statusCode).sort()).toEqual([200, 400, 400, 400]);
      for (const r of responses.filter((x) => x.statusCode === 400)) expect(r.json()).toEqual({ error: 'Account with that username already exist' });
      const listed = (await t.call({ method: 'GET', url: '/api/v1/accounts' })).json().list_items;
      expect(listed.filter((a: { username: string }) => a.username === 'twice')).toHaveLength(1);
    });

    it('refuses managers, even for reading the list', async () => {
      for (const [method, url] of [
        ['GET', '/api/v1/accounts'],
        ['POST', '/api/v1/accounts'],
        ['DELETE', '/api/v1/accounts/admin'],
      ] as const) {
        const response = await t.call({ method, url, token: t.managerToken, payload: method === 'POST' ? { username: 'x', password: 'xxxxxxxx', account_type: 'admin' } : undefined });
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({ error: 'Administrator rights required' });
      }
    });

    it.each([
      [{ password: 'long-enough', account_type: 'admin' }, 'Wrong JSON body: no value for `username`'],
      [{ username: 'u', password: 'short', account_type: 'admin' }, 'Wrong JSON body: value `password` is out of range'],
      [{ username: 'u', password: 'long-enough', account_type: 'root' }, 'Wrong JSON body: value `account_type` is out of range'],
    ])('validates %j', async (payload, message) => {
      const response = await t.call({ method: 'POST', url: '/api/v1/accounts', payload });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: message });
    });
  });

  it('an unknown route under /api/v1 is a flat 404', async () => {
    const response = await t.call({ method: 'GET', url: '/api/v1/nothing/here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Entity not found' });
  });
});
