import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.ts';
import { clientService } from '../../../src/auth/clients.ts';
import { openAt, STORE_KINDS } from '../../helpers/stores.ts';
import { startTestApp, testConfig, type TestApp } from '../../helpers/app.ts';
import { BASE, CLIENT, UUID_RE, expectError, tokenFor } from './helpers.ts';

describe.each(STORE_KINDS)('Platform error body, Request-Key and check order (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    await clientService(t.store, { accessTokenTtlSeconds: 60 }).save('reader', 'reader-secret-1', ['Department:Read']);
    reader = await tokenFor(t, { id: 'reader', secret: 'reader-secret-1' });
  });
  afterAll(() => t.dispose());

  it('sends a fresh Request-Key on successful answers too', async () => {
    const a = await t.call({ method: 'GET', url: `${BASE}/Departments`, token });
    const b = await t.call({ method: 'GET', url: `${BASE}/Departments`, token });
    expect(a.statusCode).toBe(200);
    expect(a.headers['request-key']).toMatch(UUID_RE);
    expect(b.headers['request-key']).toMatch(UUID_RE);
    expect(a.headers['request-key']).not.toBe(b.headers['request-key']);
  });

  it('404 for unknown platform paths and records, Instance without the query string', async () => {
    const errors = expectError(await t.call({ method: 'GET', url: `${BASE}/Nowhere/At/All?x=1`, token }), 404, `${BASE}/Nowhere/At/All`);
    expect(errors).toEqual(['The requested resource does not exist']);
    const missing = expectError(await t.call({ method: 'GET', url: `${BASE}/Department/S999?Name=ExternalId`, token }), 404, `${BASE}/Department/S999`);
    expect(missing[0]).toMatch(/^The requested resource does not exist: no Department has ExternalId 'S999'$/);
  });

  it('401 without or with an unknown token, before anything else', async () => {
    expectError(await t.call({ method: 'GET', url: `${BASE}/Departments`, token: null }), 401);
    expectError(await t.call({ method: 'GET', url: `${BASE}/Departments`, token: 'garbage' }), 401);
    // Authentication comes first: even a malformed path and query get the 401.
    expectError(await t.call({ method: 'GET', url: `${BASE}/Department/base64|!!?PageSize=0&Name=Nope`, token: null }), 401);
    expectError(await t.call({ method: 'GET', url: `${BASE}/Nowhere`, token: null }), 401);
  });

  it('403 before path, query and body checks', async () => {
    const errors = expectError(await t.call({ method: 'PUT', url: `${BASE}/Department/base64|!!?Name=Nope`, token: reader, payload: { Name: 5 } }), 403);
    expect(errors).toEqual(['The user does not have access to execute operation']);
  });

  it('then the path, then the query, then the body', async () => {
    const path = expectError(await t.call({ method: 'PUT', url: `${BASE}/Department/base64|!!?Name=Nope`, token, payload: { Name: 5 } }), 400);
    expect(path[0]).toMatch(/^Path parameter 'Id': 'base64\|!!' is not valid base64/);
    const query = expectError(await t.call({ method: 'PUT', url: `${BASE}/Department/x?Name=Nope`, token, payload: { Name: 5 } }), 400);
    expect(query[0]).toMatch(/^Query parameter 'Name': unknown field 'Nope' for a Department \(allowed: Id, Name, ExternalId\)/);
    const body = expectError(await t.call({ method: 'PUT', url: `${BASE}/Department/x?Name=Id`, token, payload: { Name: 5 } }), 400);
    expect(body).toEqual(['Name: must be text']);
    const list = expectError(await t.call({ method: 'GET', url: `${BASE}/Departments?PageSize=0`, token }), 400);
    expect(list[0]).toMatch(/^Query parameter 'PageSize': must be a number from 1 to 1000/);
  });

  it('400 in the platform body for a path the router cannot read', async () => {
    const errors = expectError(await t.call({ method: 'GET', url: `${BASE}/Department/%E0%A4%A`, token }), 400);
    expect(errors[0]).toMatch(/not a valid URL/);
  });

  it('400 for a body that is not JSON or not an object', async () => {
    const notJson = await t.call({ method: 'POST', url: `${BASE}/Department`, token, payload: '{"Name":', headers: { 'content-type': 'application/json' } });
    expect(expectError(notJson, 400)[0]).toMatch(/The value does not match the specified entity structure/);
    const array = await t.call({ method: 'POST', url: `${BASE}/Department`, token, payload: [1, 2] });
    expect(expectError(array, 400)[0]).toMatch(/The value does not match the specified entity structure/);
  });

  it('matches query parameter names without regard to case', async () => {
    await t.call({ method: 'POST', url: `${BASE}/Department`, token, payload: { Name: 'Case', ExternalId: 'CASE-1' } });
    const found = await t.call({ method: 'GET', url: `${BASE}/Department/CASE-1?name=externalid`, token });
    expect(found.statusCode, found.body).toBe(200);
    const list = await t.call({ method: 'GET', url: `${BASE}/Departments?pagesize=1&CURRENTPAGE=1&filters=ExternalId%20%3D%20CASE-1`, token });
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().Meta).toMatchObject({ TotalItems: 1, PageSize: 1, CurrentPage: 1 });
    const twice = expectError(await t.call({ method: 'GET', url: `${BASE}/Department/CASE-1?Name=ExternalId&name=Id`, token }), 400);
    expect(twice[0]).toMatch(/^Query parameter 'Name': is given more than once/);
  });
});

describe.each(STORE_KINDS)('Platform 500 (%s)', (kind) => {
  it('answers 500 without internals when the store fails', async () => {
    const t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    try {
      const token = await tokenFor(t);
      const store = await openAt(t.location);
      const app = await buildApp({ config: testConfig({ clientId: CLIENT.id, clientSecret: CLIENT.secret }), store });
      await app.ready();
      await store.close();
      const response = await app.inject({ method: 'GET', url: `${BASE}/Departments`, headers: { authorization: `Bearer ${token}` } });
      const errors = expectError(response, 500);
      expect(errors).toEqual(["An internal server error is an error on the web server you're trying to access."]);
      expect(response.body).not.toMatch(/sqlite|postgres|destroyed|select|stack/i);
      await app.close();
    } finally {
      await t.dispose();
    }
  });
});
