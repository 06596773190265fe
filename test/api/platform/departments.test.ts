import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientService } from '../../../src/auth/clients.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, UUID_RE, b64, expectError, tokenFor } from './helpers.ts';

describe.each(STORE_KINDS)('Platform departments (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  const call = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object, as = token) =>
    t.call({ method, url: `${BASE}${url}`, payload, token: as });

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
  });
  afterAll(() => t.dispose());

  it('creates a department with defaults and reads it back', async () => {
    const created = await call('POST', '/Department', { Name: 'Sales', ExternalId: 'D-SALES', ContactEmail: 'sales@example.com' });
    expect(created.statusCode, created.body).toBe(200);
    const body = created.json();
    expect(body.Id).toMatch(UUID_RE);
    expect(body).toMatchObject({
      ExternalId: 'D-SALES',
      Name: 'Sales',
      DepartmentTypeId: { Id: 'Internal', Name: 'Internal', Type: 'DepartmentType' },
      ParentDepartmentId: null,
      ContactName: null,
      ContactEmail: 'sales@example.com',
      Is_Active: true,
      CreatedBy: { Id: CLIENT.id, Name: CLIENT.id, Type: 'ApiClient' },
      ModifiedBy: { Id: CLIENT.id, Type: 'ApiClient' },
    });
    expect(Date.parse(body.CreatedOn)).not.toBeNaN();
    const read = await call('GET', `/Department/${body.Id}`);
    expect(read.json()).toEqual(body);
    expect((await call('GET', '/Department/D-SALES?Name=ExternalId')).json().Id).toBe(body.Id);
    expect((await call('GET', `/Department/${b64('D-SALES')}?Name=ExternalId`)).json().Id).toBe(body.Id);
  });

  it('refuses a taken Id or ExternalId, a missing Name and bad types', async () => {
    const first = (await call('POST', '/Department', { Name: 'Unique', ExternalId: 'D-U' })).json();
    expect(expectError(await call('POST', '/Department', { Name: 'Again', ExternalId: 'D-U' }), 400)).toEqual([
      "ExternalId: 'D-U' is already used by another Department",
    ]);
    expect(expectError(await call('POST', '/Department', { Id: first.Id, Name: 'Again' }), 400)[0]).toMatch(/^Id: '.*' is already used/);
    expect(expectError(await call('POST', '/Department', { ExternalId: 'D-NONAME' }), 400)).toEqual(['Name: is required to create a Department']);
    expect(expectError(await call('POST', '/Department', { Name: 'T', DepartmentTypeId: 'Weird' }), 400)).toEqual(['DepartmentTypeId: must be one of Internal, External']);
    expect(expectError(await call('POST', '/Department', { Name: 'T', DepartmentTypeId: { Id: 'internal' } }), 400)).toEqual([
      'DepartmentTypeId.Id: must be one of Internal, External',
    ]);
    expect(expectError(await call('POST', '/Department', { Name: 'T', Id: 'not-a-uuid' }), 400)[0]).toMatch(/^Id: must be a valid uuid/);
    expect(expectError(await call('POST', '/Department', { Name: 'T', Is_Active: 'yes' }), 400)).toEqual(['Is_Active: must be true or false']);
  });

  it('links parents by FieldType, refuses unknown, ambiguous and cyclic parents', async () => {
    const root = (await call('POST', '/Department', { Name: 'Root', ExternalId: 'D-ROOT' })).json();
    const child = await call('POST', '/Department', { Name: 'Child', ExternalId: 'D-CHILD', DepartmentTypeId: 'External', ParentDepartmentId: { Field: 'ExternalId', Value: 'D-ROOT' } });
    expect(child.statusCode, child.body).toBe(200);
    expect(child.json().ParentDepartmentId).toEqual({ Id: root.Id, ExternalId: 'D-ROOT', Name: 'Root', Type: 'Department' });
    expect(child.json().DepartmentTypeId.Id).toBe('External');
    // By Id (Field omitted), and by a returned AbstractText.
    const byId = await call('POST', '/Department', { Name: 'Grandchild', ParentDepartmentId: { Value: child.json().Id } });
    expect(byId.json().ParentDepartmentId.Id).toBe(child.json().Id);
    const roundTrip = await call('POST', '/Department', { Name: 'Sibling', ParentDepartmentId: child.json().ParentDepartmentId });
    expect(roundTrip.json().ParentDepartmentId.Id).toBe(root.Id);

    expect(expectError(await call('POST', '/Department', { Name: 'X', ParentDepartmentId: { Field: 'ExternalId', Value: 'NOPE' } }), 400)).toEqual([
      "ParentDepartmentId: no Department has ExternalId 'NOPE'",
    ]);
    await call('POST', '/Department', { Name: 'Twin' });
    await call('POST', '/Department', { Name: 'Twin' });
    expect(expectError(await call('POST', '/Department', { Name: 'X', ParentDepartmentId: { Field: 'Name', Value: 'Twin' } }), 400)[0]).toBe(
      "ParentDepartmentId: There are multiple rows in the database for the same value (Name 'Twin')",
    );
    expect(expectError(await call('POST', '/Department', { Name: 'X', ParentDepartmentId: { Field: 'Colour', Value: 'red' } }), 400)[0]).toMatch(
      /^ParentDepartmentId\.Field: unknown field 'Colour' for a Department/,
    );
    expect(expectError(await call('PUT', '/Department/D-ROOT?Name=ExternalId', { ParentDepartmentId: { Field: 'ExternalId', Value: 'D-CHILD' } }), 400)).toEqual([
      'ParentDepartmentId: a department cannot be its own parent or ancestor',
    ]);
    expect(expectError(await call('GET', '/Department/Twin?Name=Name'), 400)[0]).toMatch(/There are multiple rows in the database for the same value/);
  });

  it('updates with PUT: given fields change, left-out ones stay, null clears, Id is fixed', async () => {
    const d = (await call('POST', '/Department', { Name: 'Ops', ExternalId: 'D-OPS', ContactName: 'Olga', ContactPhone: '+358 1' })).json();
    const put = await call('PUT', `/Department/${b64('D-OPS', true)}?Name=ExternalId`, { Name: 'Operations', ContactName: null, Is_Active: false });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ Id: d.Id, Name: 'Operations', ContactName: null, ContactPhone: '+358 1', Is_Active: false, ExternalId: 'D-OPS' });
    expect(put.json().CreatedOn).toBe(d.CreatedOn);
    expect(expectError(await call('PUT', `/Department/${d.Id}`, { Id: '00000000-0000-4000-8000-000000000000' }), 400)).toEqual(['Id: cannot be changed']);
    expect(expectError(await call('PUT', `/Department/${d.Id}`, { ExternalId: 'D-SALES' }), 400)[0]).toMatch(/already used/);
    expectError(await call('PUT', '/Department/00000000-0000-4000-8000-000000000000', { Name: 'Ghost' }), 404);
    const cleared = await call('PUT', `/Department/${d.Id}`, { ExternalId: '' });
    expect(cleared.json().ExternalId).toBeNull();
  });

  it('upserts with PATCH: by Id, else by ExternalId, else inserts', async () => {
    const inserted = await call('PATCH', '/Department', { Name: 'Upserted', ExternalId: 'D-UP' });
    expect(inserted.statusCode, inserted.body).toBe(200);
    const byExternal = await call('PATCH', '/Department', { Name: 'Upserted again', ExternalId: 'D-UP' });
    expect(byExternal.json()).toMatchObject({ Id: inserted.json().Id, Name: 'Upserted again' });
    const byId = await call('PATCH', '/Department', { Id: inserted.json().Id, ContactName: 'Uma' });
    expect(byId.json()).toMatchObject({ Id: inserted.json().Id, Name: 'Upserted again', ContactName: 'Uma' });
    expectError(await call('PATCH', '/Department', { Id: '00000000-0000-4000-8000-000000000001', Name: 'X' }), 404);
    const plain = await call('PATCH', '/Department', { Name: 'Fresh' });
    expect(plain.json().Id).not.toBe(inserted.json().Id);

    const clients = clientService(t.store, { accessTokenTtlSeconds: 60 });
    await clients.save('updater', 'updater-secret-1', ['Department:Update']);
    await clients.save('creator', 'creator-secret-1', ['Department:Create']);
    const updater = await tokenFor(t, { id: 'updater', secret: 'updater-secret-1' });
    const creator = await tokenFor(t, { id: 'creator', secret: 'creator-secret-1' });
    expect((await call('PATCH', '/Department', { ExternalId: 'D-UP', ContactName: 'By updater' }, updater)).statusCode).toBe(200);
    expectError(await call('PATCH', '/Department', { Name: 'New by updater' }, updater), 403);
    expectError(await call('PATCH', '/Department', { ExternalId: 'D-UP', Name: 'Changed by creator' }, creator), 403);
    expect((await call('PATCH', '/Department', { Name: 'New by creator' }, creator)).statusCode).toBe(200);
    expectError(await call('PATCH', '/Department', { Name: 'Nobody' }, await tokenFor(t, CLIENT, 'User:Read')), 403);
  });

  it('deletes a department: returns it, its memberships go, users and children stay', async () => {
    const parent = (await call('POST', '/Department', { Name: 'Doomed', ExternalId: 'D-DOOM' })).json();
    const kid = (await call('POST', '/Department', { Name: 'Orphan', ParentDepartmentId: { Field: 'ExternalId', Value: 'D-DOOM' } })).json();
    const member = await call('POST', '/Department/D-DOOM/User?Name=ExternalId', { Name: 'Member', External_Id: 'U-DOOM' });
    expect(member.statusCode, member.body).toBe(200);
    const deleted = await call('DELETE', '/Department/D-DOOM?Name=ExternalId');
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({ Id: parent.Id, Name: 'Doomed', ExternalId: 'D-DOOM' });
    expectError(await call('GET', `/Department/${parent.Id}`), 404);
    expectError(await call('DELETE', `/Department/${parent.Id}`), 404);
    expect((await call('GET', '/User/U-DOOM?Name=External_Id')).statusCode).toBe(200);
    const memberships = await t.store.db.selectFrom('memberships').selectAll().where('department_id', '=', parent.Id).execute();
    expect(memberships).toEqual([]);
    expect((await call('GET', `/Department/${kid.Id}`)).json().ParentDepartmentId).toBeNull();
  });

  it('needs the scope of each route', async () => {
    const clients = clientService(t.store, { accessTokenTtlSeconds: 60 });
    await clients.save('deleter', 'deleter-secret-1', ['Department:Delete']);
    const deleter = await tokenFor(t, { id: 'deleter', secret: 'deleter-secret-1' });
    expectError(await call('GET', '/Departments', undefined, deleter), 403);
    expectError(await call('POST', '/Department', { Name: 'X' }, deleter), 403);
    expectError(await call('PUT', '/Department/D-SALES?Name=ExternalId', { Name: 'X' }, deleter), 403);
    const d = (await call('POST', '/Department', { Name: 'Short-lived' })).json();
    expect((await call('DELETE', `/Department/${d.Id}`, undefined, deleter)).statusCode).toBe(200);
  });
});
