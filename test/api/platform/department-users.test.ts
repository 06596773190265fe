import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, b64, expectError, tokenFor } from './helpers.ts';

describe.each(STORE_KINDS)('Platform: one user of a department, and reading users (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  let sales: { Id: string };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => t.call({ method, url: `${BASE}${url}`, payload, token });
  const memberships = async (userId: number) =>
    t.store.db.selectFrom('memberships').select('department_id').where('user_id', '=', userId).execute();

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    sales = (await call('POST', '/Department', { Name: 'Sales', ExternalId: 'S100' })).json();
    await call('POST', '/Department', { Name: 'Support', ExternalId: 'S200' });
  });
  afterAll(() => t.dispose());

  it('links an existing user found by UserId, once, and returns the extended record (seed 004)', async () => {
    const panelUser = await t.call({
      method: 'POST',
      url: '/api/v1/access/users/item',
      payload: { name: 'Nina Name', info: '', auth_factors: ['card'], lock_number: 0, is_custom_user_access: false },
    });
    const id = panelUser.json().item_uid as number;
    await t.store.db.updateTable('users').set({ email: 'name@domain.com' }).where('id', '=', id).execute();

    const url = `/Department/${b64('S100')}/User?Name=ExternalId`;
    const first = await call('POST', url, { UserId: { Field: 'Email', Value: 'name@domain.com' } });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      Id: id,
      Name: 'Nina Name',
      Username: null,
      Email: 'name@domain.com',
      MobilePhone: null,
      External_Id: null,
      Creation_Date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      Last_Login: '1900-01-01T00:00:00Z',
      Is_Active: true,
      DepartmentId: { Id: sales.Id, ExternalId: 'S100', Name: 'Sales', Type: 'Department' },
    });
    const again = await call('POST', url, { UserId: { Field: 'Email', Value: 'name@domain.com' } });
    expect(again.statusCode).toBe(200);
    expect(await memberships(id)).toEqual([{ department_id: sales.Id }]);
    // The panel still sees its user, auth factors untouched.
    const panel = await t.call({ method: 'GET', url: `/api/v1/access/users/item/${id}` });
    expect(panel.json().auth_factors).toEqual(['card']);
  });

  it('inserts a user when UserId matches none, with the key field set and no auth factors', async () => {
    const response = await call('POST', '/Department/S100/User?Name=ExternalId', { UserId: { Field: 'External_Id', Value: 'E-NEW' }, Name: 'New Person', Username: 'NewP' });
    expect(response.statusCode, response.body).toBe(200);
    const user = response.json();
    expect(user).toMatchObject({ Name: 'New Person', External_Id: 'E-NEW', Username: 'NewP', Is_Active: true });
    const row = await t.store.db.selectFrom('users').selectAll().where('id', '=', user.Id).executeTakeFirstOrThrow();
    expect(row.auth_factors).toBe('');
    expect(row.username_key).toBe('newp');
    const panel = await t.call({ method: 'GET', url: `/api/v1/access/users/item/${user.Id}` });
    expect(panel.json()).toMatchObject({ name: 'New Person', auth_factors: [] });
  });

  it('updates by Id (404 when none), by a unique key, and refuses ambiguous keys', async () => {
    const created = (await call('POST', '/Department/S200/User?Name=ExternalId', { Name: 'Plain', Email: 'same@x.io' })).json();
    const updated = await call('POST', '/Department/S200/User?Name=ExternalId', { Id: created.Id, MobilePhone: '+358 40 1', Is_Active: false });
    expect(updated.json()).toMatchObject({ Id: created.Id, Name: 'Plain', MobilePhone: '+358 40 1', Is_Active: false });
    const missing = expectError(await call('POST', '/Department/S200/User?Name=ExternalId', { Id: 999999, Name: 'Ghost' }), 404);
    expect(missing[0]).toMatch(/Id: no user has Id 999999/);
    await call('POST', '/Department/S200/User?Name=ExternalId', { Name: 'Other', Email: 'same@x.io' });
    const ambiguous = expectError(await call('POST', '/Department/S200/User?Name=ExternalId', { UserId: { Field: 'Email', Value: 'same@x.io' } }), 400);
    expect(ambiguous).toEqual(["UserId: There are multiple rows in the database for the same value (Email 'same@x.io')"]);
    const byUsername = await call('POST', '/Department/S200/User?Name=ExternalId', { UserId: { Field: 'username', Value: 'NEWP' }, Email: 'newp@x.io' });
    expect(byUsername.json()).toMatchObject({ Username: 'NewP', Email: 'newp@x.io' });
  });

  it('refuses a missing Name, a taken Username or External_Id, unknown key fields and bad types', async () => {
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { Email: 'x@y.z' }), 400)).toEqual(['Name: is required to create a user']);
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { Name: 'Dup', Username: 'newp' }), 400)[0]).toMatch(
      /^Username: 'newp' is already used by another user \(Id \d+\)$/,
    );
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { Name: 'Dup', External_Id: 'E-NEW' }), 400)[0]).toMatch(/^External_Id: 'E-NEW' is already used/);
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { UserId: { Field: 'Password', Value: 'x' } }), 400)[0]).toMatch(
      /^UserId\.Field: unknown field 'Password' for a User \(allowed: Id, Username, Email, External_Id, MobilePhone, Name\)$/,
    );
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { UserId: { Field: 'Id', Value: 'abc' } }), 400)[0]).toMatch(/^UserId\.Value: 'abc' is not a valid Id/);
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { Name: 7 }), 400)).toEqual(['Name: must be text']);
    expect(expectError(await call('POST', '/Department/S100/User?Name=ExternalId', { UserId: { Field: 'Email' } }), 400)).toEqual(['UserId.Value: is required']);
    expectError(await call('POST', '/Department/S999/User?Name=ExternalId', { Name: 'Nobody' }), 404);
  });

  it('reads users by key, with base64 ids, and their departments', async () => {
    const user = (await call('GET', `/User/${b64('name@domain.com', true)}?Name=Email`)).json();
    expect(user).toMatchObject({ Name: 'Nina Name', Email: 'name@domain.com' });
    expect(user.DepartmentId).toBeUndefined();
    expect((await call('GET', `/User/${user.Id}`)).json().Id).toBe(user.Id);
    expectError(await call('GET', '/User/abc'), 400);
    expectError(await call('GET', '/User/424242'), 404);
    expect(expectError(await call('GET', '/User/same@x.io?Name=Email'), 400)[0]).toMatch(/There are multiple rows/);
    expect(expectError(await call('GET', '/User/x?Name=Secret'), 400)[0]).toMatch(/^Query parameter 'Name': unknown field 'Secret' for a User/);
    const departments = await call('GET', `/User/${user.Id}/Departments`);
    expect(departments.statusCode, departments.body).toBe(200);
    expect(departments.json()).toMatchObject({ Meta: { TotalItems: 1, CurrentPage: 1, PageSize: 50, Type: 'Department' } });
    expect(departments.json().Data.map((d: { ExternalId: string }) => d.ExternalId)).toEqual(['S100']);
  });

  it("removes a user from a department by SubName, keeping the user; 404 when not a member", async () => {
    const added = (await call('POST', '/Department/S200/User?Name=ExternalId', { Name: 'Leaving', External_Id: 'E-LEAVE' })).json();
    await call('POST', '/Department/S100/User?Name=ExternalId', { Id: added.Id });
    const removed = await call('DELETE', `/Department/S200/User/${b64('E-LEAVE')}?Name=ExternalId&SubName=External_Id`);
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json()).toMatchObject({ Id: added.Id, External_Id: 'E-LEAVE' });
    expect((await memberships(added.Id)).map((m) => m.department_id)).toEqual([sales.Id]);
    expectError(await call('DELETE', `/Department/S200/User/${added.Id}?Name=ExternalId`), 404);
    expect((await call('GET', `/User/${added.Id}`)).statusCode).toBe(200);
    expect(expectError(await call('DELETE', `/Department/S200/User/x?Name=ExternalId&SubName=Nope`), 400)[0]).toMatch(/^Query parameter 'SubName'/);
  });

  it('a user deleted through the panel leaves its departments', async () => {
    const u = (await call('POST', '/Department/S100/User?Name=ExternalId', { Name: 'Short' })).json();
    expect((await t.call({ method: 'DELETE', url: `/api/v1/access/users/item/${u.Id}` })).statusCode).toBe(200);
    expect(await memberships(u.Id)).toEqual([]);
  });
});
