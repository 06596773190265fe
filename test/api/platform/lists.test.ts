import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, expectError, tokenFor } from './helpers.ts';

const INJECTION = "x'); drop table users; --";

describe.each(STORE_KINDS)('Platform list queries (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  const get = (url: string) => t.call({ method: 'GET', url: `${BASE}${url}`, token });
  const q = (params: Record<string, string | number>) => new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    const post = (payload: object) => t.call({ method: 'POST', url: `${BASE}/Department`, payload, token });
    await post({ Name: 'Sales', ExternalId: 'S100' });
    await post({ Name: 'My Department', ExternalId: 'S101', ParentDepartmentId: { Field: 'ExternalId', Value: 'S100' } });
    await post({ Name: 'Support', ExternalId: 'S102', Is_Active: false, DepartmentTypeId: 'External' });
    await post({ Name: INJECTION, ExternalId: 'S103' });
    const bulk = (dept: string, users: object[]) =>
      t.call({ method: 'PATCH', url: `${BASE}/Department/${dept}/Users?Name=ExternalId`, payload: { Extra: [{ Name: 'UserId', FieldName: 'External_Id' }], Users: users }, token });
    await bulk('S100', [
      { UserId: 'U1', Name: 'Ann', Email: 'ann@example.com' },
      { UserId: 'U2', Name: 'Bob', Email: 'BOB@EXAMPLE.COM', Is_Active: false },
      { UserId: 'U3', Name: 'Carl' },
    ]);
    await bulk('S101', [{ UserId: 'U2' }, { UserId: 'U4', Name: 'Dora' }]);
  });
  afterAll(() => t.dispose());

  it('lists departments with Meta, paging and Fields', async () => {
    const all = (await get('/Departments')).json();
    expect(all.Meta).toEqual({ TotalItems: 4, CurrentPage: 1, PageSize: 50, Type: 'Department' });
    const page = await get(`/Departments?${q({ Orders: 'ExternalId DESC', PageSize: 2, CurrentPage: 2, Fields: 'ExternalId, name' })}`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toEqual({
      Meta: { TotalItems: 4, CurrentPage: 2, PageSize: 2, Type: 'Department' },
      Data: [{ ExternalId: 'S101', Name: 'My Department' }, { ExternalId: 'S100', Name: 'Sales' }],
    });
    const zero = (await get(`/Departments?${q({ CurrentPage: 0, PageSize: 1, Orders: 'ExternalId' })}`)).json();
    expect(zero.Meta.CurrentPage).toBe(1);
    expect(zero.Data[0].ExternalId).toBe('S100');
    const star = (await get(`/Departments?${q({ Fields: '*', PageSize: 1 })}`)).json();
    expect(Object.keys(star.Data[0])).toContain('ModifiedBy');
  });

  it('filters departments, including through the parent and with In/Like', async () => {
    const names = async (filters: string) => {
      const response = await get(`/Departments?${q({ Filters: filters, Orders: 'ExternalId' })}`);
      expect(response.statusCode, response.body).toBe(200);
      return response.json().Data.map((d: { ExternalId: string }) => d.ExternalId);
    };
    expect(await names('(Name = My Department) AND (CreatedOn > 2021-01-01)')).toEqual(['S101']);
    expect(await names('ExternalId In S100;S102')).toEqual(['S100', 'S102']);
    expect(await names('name like s%')).toEqual(['S100', 'S102']);
    expect(await names('Is_Active = false OR DepartmentTypeId = External')).toEqual(['S102']);
    expect(await names('ParentDepartmentId.ExternalId = S100')).toEqual(['S101']);
    expect(await names(`Name = ${INJECTION.replace(')', '')}`)).toEqual([]);
    expect(await names(`ExternalId = S103`)).toEqual(['S103']);
    expect((await get(`/Department/S103?Name=ExternalId`)).json().Name).toBe(INJECTION);
  });

  it('lists users, a department\'s users (with DepartmentId) and filters by department', async () => {
    const users = (await get(`/Users?${q({ Orders: 'Name', Fields: 'Name,Email' })}`)).json();
    expect(users.Meta).toMatchObject({ TotalItems: 4, Type: 'User' });
    expect(users.Data).toEqual([
      { Name: 'Ann', Email: 'ann@example.com' },
      { Name: 'Bob', Email: 'BOB@EXAMPLE.COM' },
      { Name: 'Carl', Email: null },
      { Name: 'Dora', Email: null },
    ]);
    const inSales = (await get(`/Department/S100/Users?${q({ Name: 'ExternalId', Orders: 'External_Id DESC' })}`)).json();
    expect(inSales.Meta).toMatchObject({ TotalItems: 3, Type: 'User' });
    expect(inSales.Data.map((u: { External_Id: string }) => u.External_Id)).toEqual(['U3', 'U2', 'U1']);
    expect(inSales.Data[0].DepartmentId).toMatchObject({ ExternalId: 'S100', Type: 'Department' });
    const filtered = (await get(`/Department/S100/Users?${q({ Name: 'ExternalId', Filters: 'Email Like %example.com AND Is_Active = 1' })}`)).json();
    expect(filtered.Data.map((u: { Name: string }) => u.Name)).toEqual(['Ann']);
    const byDept = (await get(`/Users?${q({ Filters: 'DepartmentId.Name = My Department', Orders: 'Id' })}`)).json();
    expect(byDept.Data.map((u: { Name: string }) => u.Name)).toEqual(['Bob', 'Dora']);
    const onlyFields = (await get(`/Department/S101/Users?${q({ Name: 'ExternalId', Fields: 'DepartmentId' })}`)).json();
    expect(onlyFields.Data[0]).toEqual({ DepartmentId: expect.objectContaining({ ExternalId: 'S101' }) });
    const userDepts = (await get(`/User/U2/Departments?${q({ Name: 'External_Id', Orders: 'Name DESC' })}`)).json();
    expect(userDepts.Data.map((d: { Name: string }) => d.Name)).toEqual(['Sales', 'My Department']);
  });

  it('answers 400 in the platform body for bad list queries, saying where', async () => {
    const cases: [string, RegExp][] = [
      [`/Departments?${q({ Filters: '(Name = Sales' })}`, /^Filters: missing '\)' at position 13$/],
      [`/Departments?${q({ Filters: 'Colour = red' })}`, /^Filters: unknown field 'Colour' at position 0$/],
      [`/Departments?${q({ Filters: 'Name ~ x' })}`, /^Filters: unknown operator '~'/],
      [`/Departments?${q({ Filters: 'CreatedOn > yesterday' })}`, /^Filters: 'yesterday' is not an ISO 8601 date/],
      [`/Users?${q({ Filters: 'Id = abc' })}`, /^Filters: 'abc' is not an integer/],
      [`/Departments?${q({ Fields: 'Name,Secret' })}`, /^Fields: unknown field 'Secret'$/],
      [`/Users?${q({ Fields: 'DepartmentId' })}`, /^Fields: unknown field 'DepartmentId'$/],
      [`/Departments?${q({ Orders: 'Password DESC' })}`, /^Orders: unknown field 'Password'/],
      [`/Departments?${q({ Orders: 'Name SIDEWAYS' })}`, /^Orders: expected ASC or DESC/],
      [`/Departments?${q({ PageSize: 1001 })}`, /^Query parameter 'PageSize': must be a number from 1 to 1000$/],
      [`/Departments?${q({ CurrentPage: -1 })}`, /^Query parameter 'CurrentPage': must be a number from 0/],
      [`/Departments?${q({ PageSize: 'ten' })}`, /^Query parameter 'PageSize': must be an integer$/],
      [`/Users?${q({ Filters: `Name = ${INJECTION}` })}`, /^Filters: /],
    ];
    for (const [url, message] of cases) {
      const errors = expectError(await get(url), 400);
      expect(errors[0], url).toMatch(message);
    }
    // Nothing reached SQL as text: the tables are all there.
    expect((await get('/Users')).json().Meta.TotalItems).toBe(4);
  });
});
