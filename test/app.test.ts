/** The server as a whole: health, OpenAPI and docs, body limits, restarts, logs. */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loggerOptions } from '../src/logging.ts';
import { md5Hex } from '../src/auth/secrets.ts';
import { ADMIN, startTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { STORE_KINDS, newStoreLocation, openAt } from './helpers/stores.ts';

const user = { name: 'Persistent', info: '', auth_factors: ['card'], lock_number: 1, is_custom_user_access: false };

describe.each(STORE_KINDS)('server (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it('healthz and readyz answer 200', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
  });

  it('readyz answers 503 when the store does not', async () => {
    const location = await newStoreLocation(kind);
    const store = await openAt(location);
    const app = await buildApp({ config: testConfig(), store });
    await store.close();
    try {
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
      await location.dispose();
    }
  });

  it('serves an OpenAPI 3 document with every access route, its schemas and errors, and a docs page', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json();
    expect(doc.openapi).toMatch(/^3\./);
    const create = doc.paths['/api/v1/access/users/item'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['name', 'info', 'auth_factors', 'lock_number', 'is_custom_user_access']),
    );
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
    for (const path of [
      '/api/v1/login',
      '/api/v1/accounts',
      '/api/v1/access/users/item/{user-uid}',
      '/api/v1/access/users/items',
      '/api/v1/access/users/items/link',
      '/api/v1/access/users/link/delete',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const read = doc.paths['/api/v1/access/users/item/{user-uid}'].get;
    expect(read.parameters).toContainEqual(expect.objectContaining({ in: 'path', name: 'user-uid', required: true }));
    expect(doc.paths['/api/v1/access/user/{user-uid}/identifier/{identifier-uid}']).toBeDefined();
    const del = doc.paths['/api/v1/access/users/items/link'].delete;
    expect(del.responses['400'].content['application/json'].schema.properties.error.type).toBe('object');
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
  });

  it('a body over the limit is a 413 in the dialect body', async () => {
    const small = await startTestApp(kind, { bodyLimitBytes: 2048 });
    try {
      const response = await small.call({ method: 'POST', url: '/api/v1/access/users/item', payload: { ...user, info: 'x'.repeat(4000) } });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toEqual({ error: 'Request body is too large' });
    } finally {
      await small.dispose();
    }
  });

  it('the default body limit lets a full 10 000-item bulk through', async () => {
    const items = Array.from({ length: 10_000 }, (_, i) => ({
      link_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: `Bulk Person Number ${i}`,
      info: 'Some information about this person, long enough to be realistic.'.repeat(2),
      auth_factors: ['card', 'input_code', 'qr'],
      lock_number: i % 3,
      is_custom_user_access: false,
    }));
    const response = await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: items } });
    expect(response.statusCode).toBe(200);
    expect(response.json().result).toHaveLength(10_000);
  });

  it('keeps every user across a restart', async () => {
    const location = await newStoreLocation(kind);
    const first = await startTestApp(kind, {}, location);
    const created = await first.call({ method: 'POST', url: '/api/v1/access/users/item', payload: user });
    const { item_uid } = created.json();
    await first.stop();
    const second = await startTestApp(kind, {}, location);
    try {
      const read = await second.call({ method: 'GET', url: `/api/v1/access/users/item/${item_uid}` });
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({ item_uid, name: 'Persistent', lock_number: 1 });
      const next = await second.call({ method: 'POST', url: '/api/v1/access/users/item', payload: user });
      expect(next.json().item_uid).toBeGreaterThan(item_uid);
    } finally {
      await second.dispose();
    }
  });

  it('never reuses the uid of a deleted user', async () => {
    const a = (await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: user })).json().item_uid;
    await t.call({ method: 'DELETE', url: `/api/v1/access/users/item/${a}` });
    const b = (await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: user })).json().item_uid;
    expect(b).toBeGreaterThan(a);
  });
});

describe('logs', () => {
  it('never carry passwords, password hashes or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const location = await newStoreLocation('sqlite');
    const store = await openAt(location);
    const app = await buildApp({ config: testConfig(), store, logger: loggerOptions('info', stream) });
    try {
      const { accountService } = await import('../src/auth/accounts.ts');
      await accountService(store, { tokenTtlSeconds: 60 }).bootstrap(ADMIN.username, ADMIN.password);
      const hash = md5Hex(ADMIN.password);
      const response = await app.inject({ method: 'GET', url: `/api/v1/login?username=admin&password=${hash}` });
      const token = response.json().token;
      await app.inject({ method: 'GET', url: '/api/v1/access/users/items', headers: { authorization: `Bearer ${token}` } });
      // A mistyped path, and the parameter name spelt otherwise (the query parser decodes it).
      await app.inject({ method: 'GET', url: `/api/v2/login?username=admin&password=${hash}` });
      await app.inject({ method: 'GET', url: `/api/v1/login?username=admin&pass%77ord=${hash}&x=1` });
      await app.inject({ method: 'POST', url: '/api/v1/access/remote/validate?KEY=device-key-secret-1', payload: {} });
      const all = lines.join('\n');
      expect(all).toContain('/api/v1/login');
      expect(all).toContain('/api/v2/login');
      expect(all).not.toContain('device-key-secret-1');
      expect(all).not.toContain(hash);
      expect(all).not.toContain(token);
      expect(all).not.toContain(ADMIN.password);
    } finally {
      await app.close();
      await store.close();
      await location.dispose();
    }
  });
});
