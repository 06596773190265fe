/** Department Ids are UUIDs, case-insensitive on input (RFC 4122 §3): either case names the department. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, tokenFor } from './helpers.ts';

const ID = '5e1f7c2a-0b3d-4e5f-8a9b-0c1d2e3f4a5b';

describe.each(STORE_KINDS)('Department Id in another case (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: object) =>
    t.call({ method, url: `${BASE}${url}`, token, ...(payload ? { payload } : {}) });
  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
  });
  afterAll(() => t.dispose());

  it('creates with an upper-case Id, and finds, updates and refers to it in either case', async () => {
    const created = await call('POST', '/Department', { Id: ID.toUpperCase(), Name: 'Sales' });
    expect(created.statusCode, created.body).toBe(200);
    expect(created.json().Id).toBe(ID);
    expect((await call('GET', `/Department/${ID.toUpperCase()}`)).json().Name).toBe('Sales');
    expect((await call('POST', '/Department', { Id: ID, Name: 'Again' })).statusCode).toBe(400);
    expect((await call('PATCH', '/Department', { Id: ID.toUpperCase(), ContactName: 'Ann' })).json().ContactName).toBe('Ann');
    const child = await call('POST', '/Department', { Name: 'Child', ParentDepartmentId: { Field: 'Id', Value: ID.toUpperCase() } });
    expect(child.statusCode, child.body).toBe(200);
    expect(child.json().ParentDepartmentId.Id).toBe(ID);
    const member = await call('POST', `/Department/${ID.toUpperCase()}/User`, { Name: 'Ann' });
    expect(member.json().DepartmentId.Id).toBe(ID);
    expect((await call('GET', `/Department/${ID}/Users`)).json().Meta.TotalItems).toBe(1);
    expect((await call('GET', '/Departments')).json().Meta.TotalItems).toBe(2);
    const filtered = async (path: string, filters: string) => (await call('GET', `${path}?Filters=${encodeURIComponent(filters)}`)).json().Meta.TotalItems;
    expect(await filtered('/Departments', `Id = ${ID.toUpperCase()}`)).toBe(1);
    expect(await filtered('/Departments', `ParentDepartmentId In ${ID.toUpperCase()};x`)).toBe(1);
    expect(await filtered('/Users', `DepartmentId = ${ID.toUpperCase()}`)).toBe(1);
  });
});
