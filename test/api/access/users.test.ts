/** Users of the panel dialect (access-api.md §3, seeds 000, 001, 002), on every store. */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const uuid = () => crypto.randomUUID();

function fields(overrides: Record<string, unknown> = {}) {
  return { name: 'Ann Smith', info: 'flat 12', auth_factors: ['card'], lock_number: 0, is_custom_user_access: false, ...overrides };
}

describe.each(STORE_KINDS)('access users (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  const create = async (overrides: Record<string, unknown> = {}) => {
    const response = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields(overrides) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { item_uid: number; has_dublicates: boolean };
  };
  const get = (uid: number) => t.call({ method: 'GET', url: `/api/v1/access/users/item/${uid}` });
  const bulk = (items: unknown[], token?: string | null) =>
    t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: items }, token });
  const count = async () => {
    const response = await t.call({ method: 'GET', url: '/api/v1/access/users/items?limit=1' });
    return response.json().list_option.pagination.total_items as number;
  };

  describe('U1 create (seed 002)', () => {
    it('returns item_uid and has_dublicates, and the user reads back', async () => {
      const created = await create({ name: 'Unique Person 1', auth_factors: ['qr', { type: 'card' }, 'qr'], lock_number: 2 });
      expect(created).toEqual({ item_uid: expect.any(Number), has_dublicates: false });
      expect(created.item_uid).toBeGreaterThanOrEqual(1);
      const read = await get(created.item_uid);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toMatchObject({
        item_uid: created.item_uid,
        link_id: null,
        name: 'Unique Person 1',
        info: 'flat 12',
        auth_factors: ['card', 'qr'],
        lock_number: 2,
        is_custom_user_access: false,
        has_dublicates: false,
        identifiers: [],
        time_profiles: [],
        apartments: [],
      });
    });

    it('flags a duplicate name ignoring case and surrounding spaces, and allows it', async () => {
      const first = await create({ name: 'Dup Name' });
      const second = await create({ name: '  dup NAME ' });
      expect(first.has_dublicates).toBe(false);
      expect(second.has_dublicates).toBe(true);
      expect((await get(first.item_uid)).json().has_dublicates).toBe(true);
    });

    it.each([
      [{ name: undefined }, 'Wrong JSON body: no value for `name`'],
      [{ info: undefined }, 'Wrong JSON body: no value for `info`'],
      [{ name: null }, 'Wrong JSON body: no value for `name`'],
      [{ lock_number: '1' }, 'Wrong JSON body: value `lock_number` was of the wrong type'],
      [{ lock_number: 3 }, 'Wrong JSON body: value `lock_number` is out of range'],
      [{ lock_number: 1.5 }, 'Wrong JSON body: value `lock_number` is out of range'],
      [{ is_custom_user_access: 'yes' }, 'Wrong JSON body: value `is_custom_user_access` was of the wrong type'],
      [{ name: '' }, 'Wrong JSON body: value `name` is out of range'],
      [{ name: 'x'.repeat(101) }, 'Wrong JSON body: value `name` is out of range'],
      [{ info: 'x'.repeat(256) }, 'Wrong JSON body: value `info` is out of range'],
      [{ auth_factors: [] }, 'auth_factors must contain at least one item'],
      [{ auth_factors: 'card' }, 'Wrong JSON body: value `auth_factors` was of the wrong type'],
      [{ auth_factors: ['card', 'retina'] }, 'Wrong JSON body: value `auth_factors[1]` is out of range'],
      [{ auth_factors: [7] }, 'Wrong JSON body: value `auth_factors[0]` was of the wrong type'],
      [{ auth_factors: [{}] }, 'Wrong JSON body: no value for `auth_factors[0].type`'],
      [{ auth_factors: [{ type: 'retina' }] }, 'Wrong JSON body: value `auth_factors[0].type` is out of range'],
    ])('refuses %j with the exact error and writes nothing', async (override, message) => {
      const before = await count();
      const response = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields(override) });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: message });
      expect(await count()).toBe(before);
    });

    it.each([
      ['no body', undefined, undefined],
      ['not JSON', '{"name": ', 'application/json'],
      ['an array', '[]', 'application/json'],
      ['a string', '"x"', 'application/json'],
      ['null', 'null', 'application/json'],
      ['another content type', 'name=x', 'text/plain'],
    ])('answers %s with Wrong JSON body', async (_what, payload, type) => {
      const response = await t.call({
        method: 'POST',
        url: '/api/v1/access/users/item',
        payload,
        headers: type ? { 'content-type': type } : {},
      });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Wrong JSON body' });
    });

    it('ignores unknown properties', async () => {
      const response = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: { ...fields({ name: 'Extra Props' }), colour: 'red' } });
      expect(response.statusCode).toBe(200);
    });

    it('never writes unknown properties, even ones named like stored columns', async () => {
      const taken = uuid();
      await bulk([fields({ name: 'Linked', link_id: taken })]);
      const columns = { link_id: taken, username: 'boss', email: 'e@example.com', external_id: 'X1', is_active: 0, created_at: 'then', last_login: 'now', id: 99 };
      const response = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: { ...fields({ name: 'Columns' }), ...columns } });
      expect(response.statusCode, response.body).toBe(200);
      const uid = response.json().item_uid;
      expect(uid).not.toBe(99);
      expect((await get(uid)).json()).toMatchObject({ item_uid: uid, link_id: null, name: 'Columns' });
      const platform = await t.call({ method: 'GET', url: `/Endpoint/rest/api/v1/User/${uid}` });
      expect(platform.json()).toMatchObject({ Username: null, Email: null, External_Id: null, Is_Active: true, Last_Login: '1900-01-01T00:00:00Z' });
      expect(platform.json().Creation_Date).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('needs a token (401) and admin rights (403)', async () => {
      const none = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields(), token: null });
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: 'Log In' });
      const unknown = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields(), token: 'not-a-token' });
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json()).toEqual({ error: 'Log In' });
      const manager = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields(), token: t.managerToken });
      expect(manager.statusCode).toBe(403);
      expect(manager.json()).toEqual({ error: 'Administrator rights required' });
    });

    it('checks authentication before the body', async () => {
      const response = await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: '{', headers: { 'content-type': 'application/json' }, token: null });
      expect(response.statusCode).toBe(401);
    });
  });

  describe('U2–U4 read, replace, delete', () => {
    it('a manager may read', async () => {
      const { item_uid } = await create({ name: 'Readable' });
      const response = await t.call({ method: 'GET', url: `/api/v1/access/users/item/${item_uid}`, token: t.managerToken });
      expect(response.statusCode).toBe(200);
      expect(response.json().name).toBe('Readable');
    });

    it('PATCH replaces the five fields and reports has_dublicates', async () => {
      const { item_uid } = await create({ name: 'Before Patch' });
      await create({ name: 'Patch Target' });
      const response = await t.call({
        method: 'PATCH',
        url: `/api/v1/access/users/item/${item_uid}`,
        payload: fields({ name: 'patch target', info: 'new', auth_factors: ['face_id'], lock_number: 1, is_custom_user_access: true }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ has_dublicates: true });
      expect((await get(item_uid)).json()).toMatchObject({
        name: 'patch target',
        info: 'new',
        auth_factors: ['face_id'],
        lock_number: 1,
        is_custom_user_access: true,
      });
    });

    it('PATCH needs all five fields', async () => {
      const { item_uid } = await create({ name: 'Partial Patch' });
      const response = await t.call({ method: 'PATCH', url: `/api/v1/access/users/item/${item_uid}`, payload: { name: 'x' } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatch(/^Wrong JSON body: no value for `(info|auth_factors|lock_number|is_custom_user_access)`$/);
      expect((await get(item_uid)).json().name).toBe('Partial Patch');
    });

    it('DELETE removes the user; later reads are 404', async () => {
      const { item_uid } = await create({ name: 'To Delete' });
      const response = await t.call({ method: 'DELETE', url: `/api/v1/access/users/item/${item_uid}` });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({});
      const again = await get(item_uid);
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ error: 'Entity not found' });
      const twice = await t.call({ method: 'DELETE', url: `/api/v1/access/users/item/${item_uid}` });
      expect(twice.statusCode).toBe(404);
    });

    it.each(['abc', '0', '-1', '1.5', '99999999999'])('a path uid %s is a 400 naming user-uid', async (uid) => {
      for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
        const response = await t.call({ method, url: `/api/v1/access/users/item/${uid}`, payload: method === 'PATCH' ? fields() : undefined });
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: 'Wrong path parameter `user-uid`' });
      }
    });

    it('an unknown uid is 404 on PATCH, and the path is checked before the body', async () => {
      const missing = await t.call({ method: 'PATCH', url: '/api/v1/access/users/item/2000000000', payload: fields() });
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ error: 'Entity not found' });
      const both = await t.call({ method: 'PATCH', url: '/api/v1/access/users/item/abc', payload: { name: 5 } });
      expect(both.json()).toEqual({ error: 'Wrong path parameter `user-uid`' });
    });

    it('a manager may not write', async () => {
      const { item_uid } = await create({ name: 'Protected' });
      for (const method of ['PATCH', 'DELETE'] as const) {
        const response = await t.call({ method, url: `/api/v1/access/users/item/${item_uid}`, payload: fields(), token: t.managerToken });
        expect(response.statusCode).toBe(403);
        expect(response.json()).toEqual({ error: 'Administrator rights required' });
      }
    });
  });

  describe('U6 bulk create/update by link_id (seed 000)', () => {
    it('returns created, updated (by link_id), updated (by name), has_dublicates in order', async () => {
      const existingLink = uuid();
      await bulk([{ link_id: existingLink, ...fields({ name: 'Linked Already' }) }]);
      const byName = await create({ name: 'Matched By Name' });
      await create({ name: 'Ambiguous' });
      await create({ name: 'ambiguous ' });

      const links = [uuid(), existingLink, uuid(), uuid()];
      const response = await bulk([
        { link_id: links[0], ...fields({ name: 'Brand New Person' }) },
        { link_id: links[1], ...fields({ name: 'Linked Renamed', info: 'updated info' }) },
        { link_id: links[2], ...fields({ name: ' matched by NAME', lock_number: 2 }) },
        { link_id: links[3], ...fields({ name: 'AMBIGUOUS' }) },
      ]);
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({
        result: [
          { link_id: links[0], success: true, extended_info: 'created', has_dublicates: false },
          { link_id: links[1], success: true, extended_info: 'updated', has_dublicates: false },
          { link_id: links[2], success: true, extended_info: 'updated', has_dublicates: false },
          { link_id: links[3], success: true, extended_info: 'has_dublicates', has_dublicates: true },
        ],
      });
      const matched = (await get(byName.item_uid)).json();
      expect(matched).toMatchObject({ link_id: links[2], name: ' matched by NAME', lock_number: 2 });

      const listed = await t.call({ method: 'GET', url: `/api/v1/access/users/items/link?filter_field=link_id&filter_value=${links[1]}` });
      expect(listed.json().list_items).toEqual([expect.objectContaining({ link_id: links[1], name: 'Linked Renamed', info: 'updated info' })]);
    });

    it('a later sync that renames a user moves its name key; one that keeps the name keeps it', async () => {
      const link = uuid();
      await bulk([{ link_id: link, ...fields({ name: 'Rename Before' }) }]);
      await bulk([{ link_id: link, ...fields({ name: 'Rename After', info: 'renamed' }) }]);
      expect((await create({ name: 'rename after' })).has_dublicates).toBe(true);
      expect((await create({ name: 'rename before' })).has_dublicates).toBe(false);
      const kept = uuid();
      await bulk([{ link_id: kept, ...fields({ name: 'Name Kept' }) }]);
      const again = await bulk([{ link_id: kept, ...fields({ name: 'Name Kept', info: 'only info changed', lock_number: 2 }) }]);
      expect(again.json().result[0]).toEqual({ link_id: kept, success: true, extended_info: 'updated', has_dublicates: false });
      const listed = await t.call({ method: 'GET', url: `/api/v1/access/users/items/link?filter_field=link_id&filter_value=${kept}` });
      expect(listed.json().list_items[0]).toMatchObject({ name: 'Name Kept', info: 'only info changed', lock_number: 2 });
      expect((await create({ name: ' name kept' })).has_dublicates).toBe(true);
    });

    it('a batch that renames a user away from a name and gives that name to another counts both', async () => {
      const [x, y, z] = [uuid(), uuid(), uuid()];
      await bulk([
        { link_id: x, ...fields({ name: 'Shared Then Left' }) },
        { link_id: y, ...fields({ name: 'Shared Then Left' }) },
      ]);
      // x leaves the name, z takes it: y still carries it, so z has a duplicate; x's new name has none.
      const moved = await bulk([
        { link_id: x, ...fields({ name: 'Left For Another' }) },
        { link_id: z, ...fields({ name: 'shared then left' }) },
      ]);
      expect(moved.json().result.map((r: { has_dublicates: boolean }) => r.has_dublicates)).toEqual([false, true]);
      // y leaves too, and x comes back in the same batch: x shares it with z.
      const back = await bulk([
        { link_id: y, ...fields({ name: 'Gone Elsewhere' }) },
        { link_id: x, ...fields({ name: 'Shared Then Left' }) },
      ]);
      expect(back.json().result.map((r: { has_dublicates: boolean }) => r.has_dublicates)).toEqual([false, true]);
    });

    it('a repeated link_id in one request is applied again (second is updated)', async () => {
      const link = uuid();
      const response = await bulk([
        { link_id: link, ...fields({ name: 'Repeat One' }) },
        { link_id: link, ...fields({ name: 'Repeat Two' }) },
      ]);
      expect(response.json().result.map((r: { extended_info: string }) => r.extended_info)).toEqual(['created', 'updated']);
      const listed = await t.call({ method: 'GET', url: `/api/v1/access/users/items/link?filter_field=link_id&filter_value=${link}` });
      expect(listed.json().list_items).toHaveLength(1);
      expect(listed.json().list_items[0].name).toBe('Repeat Two');
    });

    it('a stored user whose link_id comes twice in one request is updated twice, and stays one user', async () => {
      const link = uuid();
      await bulk([{ link_id: link, ...fields({ name: 'Stored Twice', info: 'first' }) }]);
      const response = await bulk([
        { link_id: link, ...fields({ name: 'Stored Twice', info: 'second' }) },
        { link_id: link, ...fields({ name: 'Stored Twice Renamed', info: 'third' }) },
      ]);
      expect(response.json().result).toEqual([
        { link_id: link, success: true, extended_info: 'updated', has_dublicates: false },
        { link_id: link, success: true, extended_info: 'updated', has_dublicates: false },
      ]);
      const listed = await t.call({ method: 'GET', url: `/api/v1/access/users/items/link?filter_field=link_id&filter_value=${link}` });
      expect(listed.json().list_items).toHaveLength(1);
      expect(listed.json().list_items[0]).toMatchObject({ name: 'Stored Twice Renamed', info: 'third', has_dublicates: false });
    });

    it('has_dublicates follows the order of the items', async () => {
      const a = uuid();
      const b = uuid();
      const response = await bulk([
        { link_id: a, ...fields({ name: 'Twin In Batch' }) },
        { link_id: b, ...fields({ name: 'twin in batch' }) },
      ]);
      expect(response.json().result).toEqual([
        { link_id: a, success: true, extended_info: 'created', has_dublicates: false },
        { link_id: b, success: true, extended_info: 'created', has_dublicates: true },
      ]);
    });

    it('checks the whole body first: a bad item names its path and nothing is applied', async () => {
      const before = await count();
      const good = uuid();
      const cases: [unknown[], string][] = [
        [[{ link_id: good, ...fields() }, { link_id: uuid(), ...fields({ name: undefined }) }], 'Wrong JSON body: no value for `list_items[1].name`'],
        [[{ link_id: good, ...fields() }, { ...fields() }], 'Wrong JSON body: no value for `list_items[1].link_id`'],
        [[{ link_id: 'not-a-uuid', ...fields() }], 'Wrong JSON body: value `list_items[0].link_id` is out of range'],
        [[{ link_id: good, ...fields({ lock_number: 'x' }) }], 'Wrong JSON body: value `list_items[0].lock_number` was of the wrong type'],
        [[{ link_id: good, ...fields({ auth_factors: [] }) }], 'auth_factors must contain at least one item'],
        [[{ link_id: good, ...fields() }, 'x'], 'Wrong JSON body: value `list_items[1]` was of the wrong type'],
      ];
      for (const [items, message] of cases) {
        const response = await bulk(items);
        expect(response.statusCode).toBe(400);
        expect(response.json()).toEqual({ error: message });
      }
      const empty = await bulk([]);
      expect(empty.json()).toEqual({ error: 'List cannot be empty' });
      const missing = await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: {} });
      expect(missing.json()).toEqual({ error: 'Wrong JSON body: no value for `list_items`' });
      expect(await count()).toBe(before);
    });

    it('needs admin rights', async () => {
      const none = await bulk([{ link_id: uuid(), ...fields() }], null);
      expect(none.statusCode).toBe(401);
      expect(none.json()).toEqual({ error: 'Log In' });
      const manager = await bulk([{ link_id: uuid(), ...fields() }], t.managerToken);
      expect(manager.statusCode).toBe(403);
      expect(manager.json()).toEqual({ error: 'Administrator rights required' });
    });
  });

  describe('U8 bulk delete by link_id (seed 001)', () => {
    it('returns deleted and entity_not_found in order, on both routes', async () => {
      const a = uuid();
      const b = uuid();
      await bulk([{ link_id: a, ...fields({ name: 'Del A' }) }, { link_id: b, ...fields({ name: 'Del B' }) }]);
      const missing = uuid();
      const first = await t.call({ method: 'DELETE', url: '/api/v1/access/users/items/link', payload: { link_ids: [a, missing] } });
      expect(first.statusCode).toBe(200);
      expect(first.json()).toEqual({
        result: [
          { link_id: a, success: true, extended_info: 'deleted' },
          { link_id: missing, success: false, extended_info: 'entity_not_found' },
        ],
      });
      const second = await t.call({ method: 'POST', url: '/api/v1/access/users/link/delete', payload: { link_ids: [b, a] } });
      expect(second.json()).toEqual({
        result: [
          { link_id: b, success: true, extended_info: 'deleted' },
          { link_id: a, success: false, extended_info: 'entity_not_found' },
        ],
      });
    });

    it('uses the nested error style', async () => {
      const url = '/api/v1/access/users/items/link';
      const notValid = (data: Record<string, string>) => ({ error: { code: 'not_valid', message: 'Data validation error', data } });
      expect((await t.call({ method: 'DELETE', url, payload: { link_ids: [] } })).json()).toEqual({
        error: { code: 'bad_request', message: 'List cannot be empty' },
      });
      const wrongType = await t.call({ method: 'DELETE', url, payload: { link_ids: 'x' } });
      expect(wrongType.statusCode).toBe(400);
      expect(wrongType.json()).toEqual(notValid({ link_ids: 'must be an array of uuid strings' }));
      expect((await t.call({ method: 'DELETE', url, payload: {} })).json()).toEqual(notValid({ link_ids: 'is required' }));
      expect((await t.call({ method: 'DELETE', url, payload: { link_ids: [uuid(), uuid(), 'nope'] } })).json()).toEqual(
        notValid({ 'link_ids[2]': 'must be a uuid string of at most 36 characters' }),
      );
      expect((await t.call({ method: 'DELETE', url, payload: '{', headers: { 'content-type': 'application/json' } })).json()).toEqual(
        notValid({ body: 'must be a JSON object' }),
      );
      const noToken = await t.call({ method: 'DELETE', url, payload: { link_ids: [uuid()] }, token: null });
      expect(noToken.statusCode).toBe(401);
      expect(noToken.json()).toEqual({ error: { code: 'invalid_authentication', message: 'Invalid authentication' } });
      const manager = await t.call({ method: 'POST', url: '/api/v1/access/users/link/delete', payload: { link_ids: [uuid()] }, token: t.managerToken });
      expect(manager.statusCode).toBe(403);
      expect(manager.json()).toEqual({ error: { code: 'permission_denied', message: 'Administrator rights required' } });
    });
  });

  describe('U5/U7 lists (§6)', () => {
    let listTest: TestApp;
    beforeAll(async () => {
      listTest = await startTestApp(kind);
      const items = Array.from({ length: 25 }, (_, i) => ({
        link_id: i < 20 ? `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` : undefined,
        ...fields({ name: `Person ${String(i).padStart(2, '0')}`, info: i % 2 === 0 ? 'even' : 'odd', lock_number: i % 3 }),
      }));
      await listTest.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: items.filter((i) => i.link_id) } });
      for (const item of items.filter((i) => !i.link_id)) {
        const { link_id: _ignored, ...rest } = item;
        await listTest.call({ method: 'POST', url: '/api/v1/access/users/item', payload: rest });
      }
    });
    afterAll(() => listTest.dispose());
    const list = (query: string, path = 'items') => listTest.call({ method: 'GET', url: `/api/v1/access/users/${path}?${query}` });

    it('pages with the defaults and says so in list_option', async () => {
      const response = await list('');
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.list_option).toEqual({
        pagination: { total_items: 25, items_limit: 10, total_pages: 3, current_page: 1 },
        filter: {},
        sort: { field: 'item_uid', asc: true, available_fields: ['item_uid', 'link_id', 'name', 'info', 'lock_number', 'is_custom_user_access'] },
      });
      expect(body.list_items).toHaveLength(10);
      expect(body.list_items[0]).toEqual({
        item_uid: expect.any(Number),
        link_id: '00000000-0000-4000-8000-000000000000',
        name: 'Person 00',
        info: 'even',
        auth_factors: ['card'],
        lock_number: 0,
        is_custom_user_access: false,
        has_dublicates: false,
      });
      const third = (await list('page_number=3')).json();
      expect(third.list_items.map((u: { name: string }) => u.name)).toEqual(['Person 20', 'Person 21', 'Person 22', 'Person 23', 'Person 24']);
      expect((await list('page_number=9')).json().list_items).toEqual([]);
    });

    it('sorts by a listed field in either direction', async () => {
      const body = (await list('sort_field=name&sort_type=desc&limit=3')).json();
      expect(body.list_items.map((u: { name: string }) => u.name)).toEqual(['Person 24', 'Person 23', 'Person 22']);
      expect(body.list_option.sort).toMatchObject({ field: 'name', asc: false });
    });

    it('filters equal and contains (ignoring case), by string, number and boolean', async () => {
      const contains = (await list('filter_field=name&filter_type=contains&filter_value=SON 1&limit=100')).json();
      expect(contains.list_items).toHaveLength(10);
      expect(contains.list_option.filter).toEqual({ field: 'name', type: 'contains', format: 'string', value: 'SON 1' });
      const equal = (await list('filter_field=info&filter_value=odd&limit=100')).json();
      expect(equal.list_option.pagination.total_items).toBe(12);
      const number = (await list('filter_field=lock_number&filter_format=number&filter_value=2&limit=100')).json();
      expect(number.list_items.every((u: { lock_number: number }) => u.lock_number === 2)).toBe(true);
      expect(number.list_option.pagination.total_items).toBe(8);
      const bool = (await list('filter_field=is_custom_user_access&filter_format=boolean&filter_value=true')).json();
      expect(bool.list_option.pagination.total_items).toBe(0);
      const wildcard = (await list('filter_field=name&filter_type=contains&filter_value=%25')).json();
      expect(wildcard.list_option.pagination.total_items).toBe(0);
    });

    it('U7 lists only users with a link_id', async () => {
      const body = (await list('limit=100', 'items/link')).json();
      expect(body.list_option.pagination.total_items).toBe(20);
      expect(body.list_items.every((u: { link_id: string | null }) => u.link_id !== null)).toBe(true);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['page_number=0', 'page_number'],
      ['sort_field=password', 'sort_field'],
      ['sort_field=name;drop table users', 'sort_field'],
      ['sort_type=up', 'sort_type'],
      ['filter_field=secret&filter_value=1', 'filter_field'],
      ['filter_field=name&filter_type=like&filter_value=x', 'filter_type'],
      ['filter_field=lock_number&filter_type=contains&filter_value=1', 'filter_type'],
      ['filter_field=lock_number&filter_value=one', 'filter_value'],
      ['filter_field=name&filter_format=number&filter_value=1', 'filter_format'],
      ['filter_field=name&filter_format=date&filter_value=1', 'filter_format'],
      ['filter_field=name', 'filter_value'],
    ])('%s is a 400 naming %s', async (query, name) => {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: `Wrong query parameter \`${name}\`` });
    });

    it('ignores unknown query parameters', async () => {
      const response = await list('colour=red&limit=1');
      expect(response.statusCode).toBe(200);
      expect(response.json().list_items).toHaveLength(1);
    });
  });

  it('number_of_entities_exceeded at the user capacity', async () => {
    const capped = await startTestApp(kind, { maxUsers: 3 });
    try {
      const a = uuid();
      const response = await capped.call({
        method: 'POST',
        url: '/api/v1/access/users/items/link',
        payload: {
          list_items: [
            { link_id: a, ...fields({ name: 'Cap 1' }) },
            { link_id: uuid(), ...fields({ name: 'Cap 2' }) },
            { link_id: a, ...fields({ name: 'Cap 1 again' }) },
          ],
        },
      });
      expect(response.json().result.map((r: { extended_info: string }) => r.extended_info)).toEqual(['created', 'created', 'updated']);
      const third = await capped.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields({ name: 'Cap 3' }) });
      expect(third.statusCode).toBe(200);
      const over = await capped.call({ method: 'POST', url: '/api/v1/access/users/item', payload: fields({ name: 'Cap 4' }) });
      expect(over.statusCode).toBe(400);
      expect(over.json()).toEqual({ error: 'Number of entities exceeded' });
      const link = uuid();
      const bulkOver = await capped.call({
        method: 'POST',
        url: '/api/v1/access/users/items/link',
        payload: { list_items: [{ link_id: link, ...fields({ name: 'cap 2' }) }, { link_id: a, ...fields({ name: 'Cap 1 still' }) }] },
      });
      expect(bulkOver.json().result).toEqual([
        { link_id: link, success: false, extended_info: 'number_of_entities_exceeded', has_dublicates: true },
        { link_id: a, success: true, extended_info: 'updated', has_dublicates: false },
      ]);
    } finally {
      await capped.dispose();
    }
  });

  it('too many items is a 400 and writes nothing', async () => {
    const small = await startTestApp(kind, { maxBulkItems: 2 });
    try {
      const items = [1, 2, 3].map((i) => ({ link_id: uuid(), ...fields({ name: `Many ${i}` }) }));
      const response = await small.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: items } });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ error: 'Wrong JSON body: too many items in `list_items` (max 2)' });
      const listed = await small.call({ method: 'GET', url: '/api/v1/access/users/items' });
      expect(listed.json().list_option.pagination.total_items).toBe(0);
    } finally {
      await small.dispose();
    }
  });
});
