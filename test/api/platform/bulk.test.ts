import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';
import { BASE, CLIENT, b64, expectError, tokenFor } from './helpers.ts';

const BY_EXTERNAL_ID = { Name: 'UserId', FieldName: 'External_Id' };

describe.each(STORE_KINDS)('Platform upserts within the user capacity (%s)', (kind) => {
  it('refuses new users beyond GATEHOUSE_MAX_USERS, writing nothing', async () => {
    const t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret, maxUsers: 2 });
    try {
      const token = await tokenFor(t);
      await t.call({ method: 'POST', url: `${BASE}/Department`, payload: { Name: 'Small', ExternalId: 'SM' }, token });
      const url = `${BASE}/Department/SM/Users?Name=ExternalId`;
      const three = { Users: [{ Name: 'A' }, { Name: 'B' }, { Name: 'C' }] };
      expect(expectError(await t.call({ method: 'PATCH', url, payload: three, token }), 400)).toEqual([
        'Number of users exceeded: 3 new users would pass the limit of 2',
      ]);
      expect((await t.call({ method: 'GET', url: `${BASE}/Users`, token })).json().Meta.TotalItems).toBe(0);
      expect((await t.call({ method: 'PATCH', url, payload: { Users: [{ Name: 'A' }, { Name: 'B' }] }, token })).statusCode).toBe(200);
      expectError(await t.call({ method: 'POST', url: `${BASE}/Department/SM/User?Name=ExternalId`, payload: { Name: 'C' }, token }), 400);
    } finally {
      await t.dispose();
    }
  });
});

describe.each(STORE_KINDS)('Platform bulk upsert of a department\'s users (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  const depts: Record<string, string> = {};
  const bulk = (dept: string, body: object, query = '') =>
    t.call({ method: 'PATCH', url: `${BASE}/Department/${dept}/Users?Name=ExternalId${query}`, payload: body, token });
  const members = async (externalId: string) => {
    const rows = await t.store.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('users.external_id')
      .where('memberships.department_id', '=', depts[externalId])
      .execute();
    return rows.map((r) => r.external_id).sort();
  };
  const counts = async () => ({
    users: Number((await t.store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    memberships: Number((await t.store.db.selectFrom('memberships').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  });

  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    for (const ext of ['B1', 'B2', 'B3']) {
      depts[ext] = (await t.call({ method: 'POST', url: `${BASE}/Department`, payload: { Name: `Dept ${ext}`, ExternalId: ext }, token })).json().Id;
    }
  });
  afterAll(() => t.dispose());

  it('inserts, then updates, the listed users by UserId, in request order (seed 003)', async () => {
    const users = [
      { UserId: 'E1', Name: 'Alice', Email: 'alice@example.com' },
      { UserId: 'E2', Name: 'Bob', Username: 'bob' },
      { UserId: 'E3', Name: 'Carol', Is_Active: false },
    ];
    const first = await bulk('B1', { Extra: [BY_EXTERNAL_ID], Users: users });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = first.json();
    expect(body.Meta).toEqual({ TotalItems: 3, CurrentPage: 1, PageSize: 3, Type: 'User' });
    expect(body.Data.map((u: { External_Id: string }) => u.External_Id)).toEqual(['E1', 'E2', 'E3']);
    expect(body.Data[2]).toMatchObject({ Name: 'Carol', Is_Active: false, DepartmentId: { Id: depts.B1, ExternalId: 'B1', Type: 'Department' } });
    const before = await counts();

    const second = await bulk('B1', { Extra: [BY_EXTERNAL_ID], Users: [{ UserId: 'E2', Name: 'Robert' }, { UserId: 'E1', Email: 'alice@new.example.com' }] });
    expect(second.statusCode, second.body).toBe(200);
    expect(second.json().Data.map((u: { Id: number }) => u.Id)).toEqual([body.Data[1].Id, body.Data[0].Id]);
    expect(second.json().Data[0]).toMatchObject({ Name: 'Robert', Username: 'bob' });
    expect(second.json().Data[1]).toMatchObject({ Name: 'Alice', Email: 'alice@new.example.com' });
    expect(await counts()).toEqual(before);
    expect(await members('B1')).toEqual(['E1', 'E2', 'E3']);
  });

  it('matches by Id, by default on UserId as Id, and accepts POST', async () => {
    const e1 = (await t.call({ method: 'GET', url: `${BASE}/User/E1?Name=External_Id`, token })).json();
    const response = await t.call({
      method: 'POST',
      url: `${BASE}/Department/${b64('B2')}/Users?Name=ExternalId`,
      payload: { Users: [{ Id: e1.Id, MobilePhone: '+358 1' }, { UserId: String(e1.Id + 1) }] },
      token,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().Data[0]).toMatchObject({ Id: e1.Id, MobilePhone: '+358 1', Name: 'Alice' });
    expect(response.json().Data[1].External_Id).toBe('E2');
    expect(await members('B2')).toEqual(['E1', 'E2']);
  });

  it('DeleteNotExists leaves exactly the listed users, in this department only', async () => {
    await bulk('B3', { Extra: [BY_EXTERNAL_ID], Users: [{ UserId: 'E1' }, { UserId: 'E3' }] });
    const b2Before = await members('B2');
    const response = await bulk('B1', { Extra: [BY_EXTERNAL_ID], Users: [{ UserId: 'E3' }, { UserId: 'E4', Name: 'Dan' }] }, '&deletenotexists=TRUE');
    expect(response.statusCode, response.body).toBe(200);
    expect(await members('B1')).toEqual(['E3', 'E4']);
    expect(await members('B2')).toEqual(b2Before);
    expect(await members('B3')).toEqual(['E1', 'E3']);
    // Users stay.
    expect((await t.call({ method: 'GET', url: `${BASE}/User/E2?Name=External_Id`, token })).statusCode).toBe(200);

    expect((await bulk('B1', { Extra: [BY_EXTERNAL_ID], Users: [{ UserId: 'E1' }] }, '&DeleteNotExists=0')).statusCode).toBe(200);
    expect(await members('B1')).toEqual(['E1', 'E3', 'E4']);
    expect((await bulk('B1', { Extra: [BY_EXTERNAL_ID], Users: [{ UserId: 'E4' }] }, '&DeleteNotExists=1')).statusCode).toBe(200);
    expect(await members('B1')).toEqual(['E4']);
    expect((await bulk('B1', { Users: [] }, '&DeleteNotExists=true')).statusCode).toBe(200);
    expect(await members('B1')).toEqual([]);
    expect(expectError(await bulk('B1', { Users: [] }, '&DeleteNotExists=yes'), 400)[0]).toMatch(/^Query parameter 'DeleteNotExists': must be true, false, 1 or 0/);
  });

  it('writes nothing when one record breaks an Extra rule, and names it', async () => {
    const before = await counts();
    const response = await bulk('B1', {
      Extra: [BY_EXTERNAL_ID, { Name: 'Email', Pattern: '@example\\.com$' }],
      Users: [
        { UserId: 'N1', Name: 'New One', Email: 'one@example.com' },
        { UserId: 'E1', Name: 'Alice Renamed' },
        { UserId: 'N2', Name: 'New Two', Email: 'two@elsewhere.org' },
      ],
    }, '&DeleteNotExists=true');
    expect(expectError(response, 400)).toEqual(['Users[2].Email: does not match the pattern of Extra[1]']);
    expect(await counts()).toEqual(before);
    expect((await t.call({ method: 'GET', url: `${BASE}/User/E1?Name=External_Id`, token })).json().Name).toBe('Alice');
  });

  it('lists every failing record: Required, Min, Max, Unique in the request and in the store, full validation', async () => {
    const before = await counts();
    const response = await bulk('B2', {
      IsFullValidation: true,
      Extra: [
        BY_EXTERNAL_ID,
        { Name: 'Email', Required: true, Unique: true },
        { Name: 'Name', Min: '3', Max: '10' },
        { Name: 'MobilePhone', Min: '100', Max: '200' },
        { Name: 'Username', Min: '2021-01-01', Max: '2021-12-31' },
      ],
      Users: [
        { UserId: 'R0', Name: 'Ok Person', Email: 'ok@example.com' },
        { UserId: 'R1', Name: 'Xy', Email: 'dup@example.com' },
        { UserId: 'R2', Name: 'A name far too long', Email: 'dup@example.com' },
        { UserId: 'R3', Name: 'Phone', Email: 'p@example.com', MobilePhone: '250' },
        { UserId: 'R4', Name: 'Dated', Email: 'd@example.com', Username: '2020-06-01' },
        { UserId: 'R5', Name: 'No mail' },
        { UserId: 'R6', Name: 'Taken', Email: 'alice@new.example.com' },
        { UserId: 'R7', Name: 'Bad mail', Email: 'not-an-address' },
      ],
    });
    const errors = expectError(response, 400);
    expect(errors).toEqual([
      'Users[1].Name: must be at least 3 characters long',
      "Users[1].Email, Users[2].Email: 'dup@example.com' is given for more than one user (must be unique)",
      'Users[2].Name: must be at most 10 characters long',
      'Users[3].MobilePhone: must be at most 200',
      'Users[4].Username: must be on or after 2021-01-01',
      'Users[5].Email: is required',
      expect.stringMatching(/^Users\[6\]\.Email: 'alice@new\.example\.com' is already used by another user \(Id \d+\)$/),
      'Users[7].Email: must be an e-mail address',
    ]);
    expect(await counts()).toEqual(before);
  });

  it('applies DefaultValue to empty values, and drops one that does not fit the type', async () => {
    const response = await bulk('B3', {
      Extra: [BY_EXTERNAL_ID, { Name: 'Is_Active', DefaultValue: 'false' }, { Name: 'MobilePhone', DefaultValue: '+000' }, { Name: 'Name', DefaultValue: 'Unnamed' }],
      Users: [{ UserId: 'D1' }, { UserId: 'D2', Is_Active: true, MobilePhone: '' }],
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().Data[0]).toMatchObject({ External_Id: 'D1', Name: 'Unnamed', Is_Active: false, MobilePhone: '+000' });
    expect(response.json().Data[1]).toMatchObject({ External_Id: 'D2', Is_Active: true, MobilePhone: '+000' });
    const cleaned = await bulk('B3', { Extra: [BY_EXTERNAL_ID, { Name: 'Is_Active', DefaultValue: 'maybe' }], Users: [{ UserId: 'D3', Name: 'Kept default' }] });
    expect(cleaned.json().Data[0].Is_Active).toBe(true);
  });

  it('refuses bad rules, bad patterns, and patterns that would hang the server', async () => {
    const cases: [object, RegExp][] = [
      [{ Name: 'Colour' }, /^Extra\[0\]\.Name: unknown field 'Colour'/],
      [{ Name: 'UserId', FieldName: 'Password' }, /^Extra\[0\]\.FieldName: unknown field 'Password' for a User/],
      [{ Name: 'Email', FieldName: 'Name' }, /^Extra\[0\]\.FieldName: only UserId refers to another field/],
      [{ Name: 'Email', Pattern: '([a-z' }, /^Extra\[0\]\.Pattern: not a valid regular expression/],
      [{ Name: 'Email', Min: 'soon' }, /^Extra\[0\]\.Min: 'soon' is neither a number nor an ISO 8601 date/],
    ];
    for (const [rule, message] of cases) {
      expect(expectError(await bulk('B1', { Extra: [rule], Users: [{ Name: 'X', Email: 'x@example.com' }] }), 400)[0]).toMatch(message);
    }
    const twice = expectError(await bulk('B1', { Extra: [{ Name: 'Email' }, { Name: 'email' }], Users: [] }), 400);
    expect(twice).toEqual(["Extra[1].Name: 'Email' already has a rule (Extra[0])"]);

    const before = await counts();
    const started = Date.now();
    const evil = await bulk('B1', {
      Extra: [{ Name: 'Name', Pattern: '^(a+)+$' }],
      Users: [{ Name: `${'a'.repeat(40)}!` }, { Name: `${'a'.repeat(45)}!` }],
    });
    expect(expectError(evil, 400)).toEqual(['Extra[0].Pattern: takes too long to evaluate; simplify the regular expression']);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await counts()).toEqual(before);
    // The server still answers.
    expect((await t.call({ method: 'GET', url: `${BASE}/Departments`, token })).statusCode).toBe(200);
  });

  it('refuses ambiguous, missing and repeated users, and taken unique values, naming each record', async () => {
    await bulk('B3', { Users: [{ Name: 'Twin', Email: 'twin@example.com' }, { Name: 'Twin', Email: 'twin@example.com' }] });
    const response = await bulk('B2', {
      Extra: [{ Name: 'UserId', FieldName: 'Email' }],
      Users: [
        { UserId: 'twin@example.com' },
        { Id: 987654 },
        { Id: 'abc' },
        { UserId: 'fresh@example.com', Name: 'Fresh' },
        { UserId: 'fresh@example.com', Name: 'Fresh again' },
        { Name: 'Steals username', Username: 'BOB' },
        { Name: 'Steals external id', External_Id: 'E1' },
        { Email: 'nameless@example.com' },
      ],
    });
    const errors = expectError(response, 400);
    expect(errors).toEqual([
      "Users[0].UserId: There are multiple rows in the database for the same value (Email 'twin@example.com')",
      'Users[1].Id: no user has Id 987654',
      "Users[2].Id: 'abc' is not a valid Id (a positive integer)",
      'Users[3].UserId, Users[4].UserId: the same user is given more than once',
      expect.stringMatching(/^Users\[5\]\.Username: 'BOB' is already used by another user \(Id \d+\)$/),
      expect.stringMatching(/^Users\[6\]\.External_Id: 'E1' is already used by another user \(Id \d+\)$/),
      'Users[7].Name: is required to create a user',
    ]);
  });

  it('checks the body shape first, naming the record', async () => {
    expect(expectError(await bulk('B1', { Users: [{ Name: 'ok' }, { Name: 5 }] }), 400)).toEqual(['Users[1].Name: must be text']);
    expect(expectError(await bulk('B1', { Extra: [] }), 400)).toEqual(['Users: is required']);
    expectError(await bulk('NOPE', { Users: [] }), 404);
  });
});
