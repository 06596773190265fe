import { Writable } from 'node:stream';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.ts';
import { clientService } from '../../../src/auth/clients.ts';
import { sha256 } from '../../../src/auth/secrets.ts';
import { startTestApp, testConfig, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, expectError, tokenFor } from './helpers.ts';

const TOKEN_URL = '/oAuth/rest/v2/Token';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe.each(STORE_KINDS)('OAuth token endpoint (%s)', (kind) => {
  let t: TestApp;
  const post = (payload: string | object, headers: Record<string, string> = FORM) =>
    t.app.inject({ method: 'POST', url: TOKEN_URL, headers, payload });

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret, accessTokenTtlSeconds: 900 });
    const clients = clientService(t.store, { accessTokenTtlSeconds: 900 });
    await clients.save('reader', 'reader-secret-1', ['Department:Read']);
    await clients.save('weird id', 'p@ss:w/rd+1', ['User:Read']);
  });
  afterAll(() => t.dispose());

  it('issues a signed, expiring JWT for form credentials, with no-store', async () => {
    const response = await post(form({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: CLIENT.secret }));
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['request-key']).toMatch(/^[0-9a-f-]{36}$/);
    const body = response.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: '*' });
    expect(typeof body.refresh_token).toBe('string');
    const claims = decodeJwt(body.access_token);
    expect(claims.sub).toBe(CLIENT.id);
    expect(claims.scope).toBe('*');
    expect(typeof claims.jti).toBe('string');
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    expect(Math.abs((claims.iat as number) - Date.now() / 1000)).toBeLessThan(60);
  });

  it('accepts HTTP Basic (form-encoded id and secret) and JSON bodies', async () => {
    const viaBasic = await post(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic('weird id', 'p@ss:w/rd+1') });
    expect(viaBasic.statusCode, viaBasic.body).toBe(200);
    expect(decodeJwt(viaBasic.json().access_token).sub).toBe('weird id');
    const viaJson = await post({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret-1' }, {});
    expect(viaJson.statusCode, viaJson.body).toBe(200);
    expect(viaJson.json().scope).toBe('Department:Read');
  });

  it('refuses bad client authentication with 401 invalid_client', async () => {
    for (const payload of [
      form({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: 'wrong' }),
      form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: CLIENT.secret }),
      form({ grant_type: 'client_credentials', client_id: CLIENT.id }),
    ]) {
      const response = await post(payload);
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
      expect(response.headers['www-authenticate']).toMatch(/^Basic/);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    const badBasic = await post(form({ grant_type: 'client_credentials' }), { ...FORM, authorization: basic(CLIENT.id, 'nope') });
    expect(badBasic.statusCode).toBe(401);
    expect(badBasic.json().error).toBe('invalid_client');
  });

  it('answers RFC 6749 §5.2 errors for malformed requests', async () => {
    const cases: [string | object, Record<string, string>, string][] = [
      [form({ client_id: CLIENT.id, client_secret: CLIENT.secret }), FORM, 'invalid_request'],
      [form({ grant_type: 'password', client_id: CLIENT.id, client_secret: CLIENT.secret }), FORM, 'unsupported_grant_type'],
      ['grant_type=client_credentials&grant_type=client_credentials', FORM, 'invalid_request'],
      [form({ grant_type: 'client_credentials', client_secret: CLIENT.secret }), { ...FORM, authorization: basic(CLIENT.id, CLIENT.secret) }, 'invalid_request'],
      [form({ grant_type: 'refresh_token', client_id: CLIENT.id, client_secret: CLIENT.secret }), FORM, 'invalid_request'],
      ['{not json', { 'content-type': 'application/json' }, 'invalid_request'],
      ['grant_type=client_credentials', { 'content-type': 'text/plain' }, 'invalid_request'],
      [form({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: CLIENT.secret, scope: 'Everything:Forever' }), FORM, 'invalid_scope'],
      [form({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret-1', scope: 'Department:Delete' }), FORM, 'invalid_scope'],
    ];
    for (const [payload, headers, error] of cases) {
      const response = await post(payload, headers);
      expect(response.statusCode, `${JSON.stringify(payload)} → ${response.body}`).toBe(400);
      expect(response.json().error).toBe(error);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('narrows the scope on request', async () => {
    const response = await post(form({ grant_type: 'client_credentials', client_id: CLIENT.id, client_secret: CLIENT.secret, scope: 'User:Read Department:Read' }));
    expect(response.statusCode).toBe(200);
    expect(response.json().scope).toBe('User:Read Department:Read');
  });

  it('rotates refresh tokens: each works once, for its own client, within its scope', async () => {
    const first = (await post(form({ grant_type: 'client_credentials', client_id: 'reader', client_secret: 'reader-secret-1' }))).json();
    const refresh = (token: string, client = { id: 'reader', secret: 'reader-secret-1' }, extra: Record<string, string> = {}) =>
      post(form({ grant_type: 'refresh_token', refresh_token: token, client_id: client.id, client_secret: client.secret, ...extra }));

    const otherClient = await refresh(first.refresh_token, CLIENT);
    expect(otherClient.statusCode).toBe(400);
    expect(otherClient.json().error).toBe('invalid_grant');

    const wider = await refresh(first.refresh_token, undefined, { scope: 'User:Read' });
    expect(wider.json().error).toBe('invalid_scope');

    const second = await refresh(first.refresh_token);
    expect(second.statusCode, second.body).toBe(200);
    expect(second.headers['cache-control']).toBe('no-store');
    expect(second.json().scope).toBe('Department:Read');
    expect(second.json().refresh_token).not.toBe(first.refresh_token);

    const again = await refresh(first.refresh_token);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await refresh('never-issued')).json().error).toBe('invalid_grant');

    const third = await refresh(second.json().refresh_token);
    expect(third.statusCode).toBe(200);
    const apiCall = await t.call({ method: 'GET', url: `${BASE}/Departments`, token: third.json().access_token });
    expect(apiCall.statusCode).toBe(200);
  });

  it('refuses an expired refresh token', async () => {
    await t.store.db
      .insertInto('refresh_tokens')
      .values({ token_hash: sha256('stale-token'), client_id: 'reader', scope: 'Department:Read', expires_at: Date.now() - 1000, created_at: new Date().toISOString() })
      .execute();
    const response = await post(form({ grant_type: 'refresh_token', refresh_token: 'stale-token', client_id: 'reader', client_secret: 'reader-secret-1' }));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_grant');
  });

  it('lets tokens act on both dialects within their rights', async () => {
    const admin = await tokenFor(t);
    const reader = await tokenFor(t, { id: 'reader', secret: 'reader-secret-1' });
    const newUser = { name: 'Via JWT', info: '', auth_factors: ['card'], lock_number: 0, is_custom_user_access: false };

    expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items', token: admin })).statusCode).toBe(200);
    expect((await t.call({ method: 'POST', url: '/api/v1/access/users/item', token: admin, payload: newUser })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items', token: reader })).statusCode).toBe(200);
    const panelWrite = await t.call({ method: 'POST', url: '/api/v1/access/users/item', token: reader, payload: newUser });
    expect(panelWrite.statusCode).toBe(403);
    expect(panelWrite.json()).toEqual({ error: 'Administrator rights required' });

    expect((await t.call({ method: 'GET', url: `${BASE}/Departments`, token: reader })).statusCode).toBe(200);
    expectError(await t.call({ method: 'POST', url: `${BASE}/Department`, token: reader, payload: { Name: 'X' } }), 403);
    expectError(await t.call({ method: 'GET', url: `${BASE}/Users`, token: reader }), 403);
    const created = await t.call({ method: 'POST', url: `${BASE}/Department`, token: admin, payload: { Name: 'By client' } });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().CreatedBy).toMatchObject({ Id: CLIENT.id, Type: 'ApiClient' });
  });

  it('gives panel sessions platform rights: admin everything, manager the reads', async () => {
    const created = await t.call({ method: 'POST', url: `${BASE}/Department`, token: t.adminToken, payload: { Name: 'By admin' } });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().CreatedBy).toMatchObject({ Id: 'admin', Type: 'Account' });
    expect((await t.call({ method: 'GET', url: `${BASE}/Departments`, token: t.managerToken })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `${BASE}/Users`, token: t.managerToken })).statusCode).toBe(200);
    expectError(await t.call({ method: 'POST', url: `${BASE}/Department`, token: t.managerToken, payload: { Name: 'No' } }), 403);
  });

  it('refuses expired, forged and tampered tokens on both dialects', async () => {
    const past = clientService(t.store, { accessTokenTtlSeconds: 60, now: () => Date.now() - 3_600_000 });
    const client = await past.authenticate(CLIENT.id, CLIENT.secret);
    const expired = (await past.clientCredentials(client, undefined)).access_token;
    const iat = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ scope: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('gatehouse')
      .setSubject(CLIENT.id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .setJti('x')
      .sign(new TextEncoder().encode('not-the-key-not-the-key-not-the-key!'));
    const valid = await tokenFor(t, { id: 'reader', secret: 'reader-secret-1' });
    const [h, , s] = valid.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...decodeJwt(valid), scope: '*' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${valid.split('.')[1]}.`;
    for (const token of [expired, forged, tampered, none]) {
      const errors = expectError(await t.call({ method: 'GET', url: `${BASE}/Departments`, token }), 401);
      expect(errors).toEqual(['The session Id or OAuth token used has expired or is invalid.']);
      expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items', token })).statusCode).toBe(401);
    }
  });
});

describe.each(STORE_KINDS)('Client bootstrap and signing key across restarts (%s)', (kind) => {
  it('keeps tokens valid after a restart and follows a changed admin secret', async () => {
    const first = await startTestApp(kind, { clientId: 'boot', clientSecret: 'first-secret-123' });
    try {
      const token = await tokenFor(first, { id: 'boot', secret: 'first-secret-123' });
      await first.stop();
      const second = await startTestApp(kind, { clientId: 'boot', clientSecret: 'second-secret-456' }, first.location);
      try {
        expect((await second.call({ method: 'GET', url: `${BASE}/Departments`, token })).statusCode).toBe(200);
        await expect(tokenFor(second, { id: 'boot', secret: 'first-secret-123' })).rejects.toThrow(/invalid_client/);
        expect(await tokenFor(second, { id: 'boot', secret: 'second-secret-456' })).toMatch(/\./);
        const row = await second.store.db.selectFrom('api_clients').selectAll().where('client_id', '=', 'boot').executeTakeFirstOrThrow();
        expect(row.scopes).toBe('*');
        expect(row.secret_hash).toMatch(/^scrypt\$/);
        expect(row.secret_hash).not.toContain('second-secret-456');
      } finally {
        await second.stop();
      }
    } finally {
      await first.location.dispose();
    }
  });

  it('writes the RequestKey in the log lines and never logs secrets or the key', async () => {
    const t = await startTestApp(kind);
    try {
      const lines: string[] = [];
      const stream = new Writable({
        write(chunk, _enc, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const config = testConfig({ clientId: 'logged', clientSecret: 'super-secret-value-1', logLevel: 'info' });
      const app = await buildApp({ config, store: t.store, logger: { level: 'info', stream } });
      const tokenResponse = await app.inject({
        method: 'POST',
        url: TOKEN_URL,
        headers: { ...FORM, authorization: basic('logged', 'super-secret-value-1') },
        payload: form({ grant_type: 'client_credentials' }),
      });
      expect(tokenResponse.statusCode).toBe(200);
      const access = tokenResponse.json().access_token as string;
      const response = await app.inject({ method: 'GET', url: `${BASE}/Nothing/Here`, headers: { authorization: `Bearer ${access}` } });
      const key = response.headers['request-key'] as string;
      expect(response.statusCode).toBe(404);
      const ofRequest = lines.filter((l) => l.includes(key));
      expect(ofRequest.length).toBeGreaterThanOrEqual(2);
      const signingKey = (await t.store.db.selectFrom('settings').select('value').where('name', '=', 'platform.jwt_signing_key').executeTakeFirstOrThrow()).value;
      const all = lines.join('\n');
      for (const secret of ['super-secret-value-1', signingKey, access, tokenResponse.json().refresh_token]) expect(all).not.toContain(secret);
      await app.close();
    } finally {
      await t.dispose();
    }
  });
});
