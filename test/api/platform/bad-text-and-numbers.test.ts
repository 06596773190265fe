/**
 * Platform input that only PostgreSQL used to refuse (NUL in text, integers past int4, pages
 * whose offset is past int4): the §2 400 on both stores, or the answer the value deserves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, b64, expectError, tokenFor } from './helpers.ts';

describe.each(STORE_KINDS)('Platform: NUL in text, big integers and far pages (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  let deptId: string;
  const call = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    t.call({ method, url: `${BASE}${url}`, token, ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    deptId = (await call('POST', '/Department', { Name: 'Sales', ExternalId: 'S100' })).json().Id;
    await call('POST', `/Department/${deptId}/User`, { Name: 'Ann' });
  });
  afterAll(() => t.dispose());

  it('refuses NUL in body text, naming the field, and writes nothing', async () => {
    expect(expectError(await call('POST', '/Department', { Name: 'A\u0000' }), 400, `${BASE}/Department`)).toEqual([
      'Name: must not contain NUL characters',
    ]);
    expect(expectError(await call('PATCH', '/Department', { Name: 'B', ContactEmail: '\u0000' }), 400)[0]).toMatch(/^ContactEmail: /);
    expect(expectError(await call('POST', '/Department', { Name: 'C', ParentDepartmentId: { Field: 'Name', Value: 'x\u0000' } }), 400)[0]).toMatch(
      /^ParentDepartmentId\.Value: /,
    );
    expect(expectError(await call('POST', `/Department/${deptId}/User`, { Name: 'Bob', Email: '\u0000' }), 400)[0]).toMatch(/^Email: /);
    expect(
      expectError(await call('PATCH', `/Department/${deptId}/Users`, { Users: [{ Name: 'Carl' }, { Name: 'Dan\u0000' }] }), 400).join(' '),
    ).toContain('Users[1].Name');
    expect((await call('GET', '/Departments')).json().Meta.TotalItems).toBe(1);
    expect((await call('GET', '/Users')).json().Data.map((u: { Name: string }) => u.Name)).toEqual(['Ann']);
  });

  it('refuses NUL in path ids (plain or base64) and in Filters', async () => {
    for (const id of ['x%00', encodeURIComponent(b64('x\u0000y')), encodeURIComponent('base64|AA==')]) {
      for (const url of [`/Department/${id}`, `/Department/${id}/Users`, `/User/${id}?Name=Email`]) {
        expect(expectError(await call('GET', url), 400)[0]).toMatch(/^Path parameter 'Id': /);
      }
    }
    expect(expectError(await call('GET', `/Users?Filters=${encodeURIComponent('Name = x\u0000')}`), 400)[0]).toMatch(/^Query parameter 'Filters': /);
    expect(expectError(await call('GET', `/Departments?filters=${encodeURIComponent('Name = x\u0000')}`), 400)[0]).toMatch(/^Query parameter 'Filters': /);
  });

  it('filters an integer field by values past int4 as matching nothing (or everything)', async () => {
    const names = async (filters: string) => {
      const response = await call('GET', `/Users?Filters=${encodeURIComponent(filters)}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().Data.map((u: { Name: string }) => u.Name);
    };
    expect(await names('Id = 99999999999')).toEqual([]);
    expect(await names('Id In 1,99999999999')).toHaveLength(1);
    expect(await names('Id < 9007199254740991')).toEqual(['Ann']);
    expect(await names('Id > -99999999999')).toEqual(['Ann']);
  });

  it('answers a page far past the end with no Data', async () => {
    for (const url of ['/Users?CurrentPage=2147483648&PageSize=1000', '/Departments?CurrentPage=9007199254740&PageSize=1000']) {
      const response = await call('GET', url);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().Data).toEqual([]);
    }
    const meta = (await call('GET', '/Users?currentpage=2147483648')).json().Meta;
    expect(meta).toEqual({ TotalItems: 1, CurrentPage: 2147483648, PageSize: 50, Type: 'User' });
    expect(expectError(await call('GET', '/Users?CurrentPage=9007199254740993'), 400)[0]).toMatch(/^Query parameter 'CurrentPage': /);
  });

  it('reads integer query values as decimal digits only', async () => {
    for (const query of ['PageSize=1e1', 'pagesize=0x10', 'CurrentPage=1.0', 'CurrentPage=%201']) {
      expect(expectError(await call('GET', `/Users?${query}`), 400)[0], query).toMatch(/^Query parameter '(PageSize|CurrentPage)': must be an integer$/);
    }
    expect((await call('GET', '/Users?PageSize=010')).json().Meta.PageSize).toBe(10);
  });

  it('token endpoint: NUL in a client parameter is an OAuth error, not a 500', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oAuth/rest/v2/Token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=erp%00&client_secret=x`,
    });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toBe('invalid_request');
    expect(response.headers['cache-control']).toBe('no-store');
    const basic = await t.app.inject({
      method: 'POST',
      url: '/oAuth/rest/v2/Token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('erp\u0000:x').toString('base64')}` },
      payload: 'grant_type=client_credentials',
    });
    expect(basic.statusCode, basic.body).toBe(401);
    expect(basic.json().error).toBe('invalid_client');
  });
});
