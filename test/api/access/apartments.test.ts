import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { apartmentBody, infos, send, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const address = (room: number, building = 1) => ({ building, unit: 0, floor: 1, room });

describe.each(STORE_KINDS)('apartments (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it('creates, reads, replaces and deletes an apartment', async () => {
    const { uid } = await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(1, { residents: { count: 3 }, link_id: uuid(1) }));
    expect(await send(t, 'GET', `/api/v1/apartment/item/${uid}`, undefined, 200, t.managerToken)).toEqual({
      uid,
      link_id: uuid(1),
      apartment_name: 'Flat 1',
      apartment_address: address(1),
      residents: { count: 3 },
    });
    // residents and link_id are kept when absent.
    await send(t, 'PATCH', `/api/v1/apartment/item/${uid}`, { apartment_name: 'Penthouse', apartment_address: address(2) });
    expect(await send(t, 'GET', `/api/v1/apartment/item/${uid}`)).toEqual({
      uid,
      link_id: uuid(1),
      apartment_name: 'Penthouse',
      apartment_address: address(2),
      residents: { count: 3 },
    });
    // Its own address is not a clash.
    await send(t, 'PATCH', `/api/v1/apartment/item/${uid}`, apartmentBody(2, { residents: { count: 0 }, link_id: null }));
    expect(await send(t, 'GET', `/api/v1/apartment/item/${uid}`)).toMatchObject({ link_id: null, residents: { count: 0 } });
    expect(await send(t, 'DELETE', `/api/v1/apartment/item/${uid}`)).toEqual({});
    expect(await send(t, 'GET', `/api/v1/apartment/item/${uid}`, undefined, 404)).toEqual({ error: 'Entity not found' });
  });

  it('keeps the logical address and the link_id unique', async () => {
    await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(10, { link_id: uuid(10) }));
    const { uid } = await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(11));
    expect(await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(10), 400)).toEqual({
      error: 'Apartment with that Logical Address already exist',
    });
    expect(await send(t, 'PATCH', `/api/v1/apartment/item/${uid}`, apartmentBody(10), 400)).toEqual({
      error: 'Apartment with that Logical Address already exist',
    });
    expect(await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(12, { link_id: uuid(10) }), 400)).toEqual({
      error: 'Apartment with that link_id already exist',
    });
    // Same room in another building is another address.
    await send(t, 'POST', '/api/v1/apartment/item', { ...apartmentBody(10), apartment_address: address(10, 2) });
  });

  it.each([
    [{ ...apartmentBody(1), apartment_name: ' Flat' }, 'Wrong JSON body: value `apartment_name` is out of range'],
    [{ ...apartmentBody(1), apartment_name: 'Flat\n' }, 'Wrong JSON body: value `apartment_name` is out of range'],
    [{ ...apartmentBody(1), apartment_name: '' }, 'Wrong JSON body: value `apartment_name` is out of range'],
    [{ ...apartmentBody(1), apartment_name: undefined }, 'Wrong JSON body: no value for `apartment_name`'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), building: 0 } }, 'Wrong JSON body: value `apartment_address.building` is out of range'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), building: 10000 } }, 'Wrong JSON body: value `apartment_address.building` is out of range'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), unit: 100 } }, 'Wrong JSON body: value `apartment_address.unit` is out of range'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), floor: 99 } }, 'Wrong JSON body: value `apartment_address.floor` is out of range'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), room: -1 } }, 'Wrong JSON body: value `apartment_address.room` is out of range'],
    [{ ...apartmentBody(1), apartment_address: { ...address(1), room: '1' } }, 'Wrong JSON body: value `apartment_address.room` was of the wrong type'],
    [{ ...apartmentBody(1), apartment_address: { building: 1, unit: 0, floor: 1 } }, 'Wrong JSON body: no value for `apartment_address.room`'],
    [{ ...apartmentBody(1), residents: { count: -1 } }, 'Wrong JSON body: value `residents.count` is out of range'],
  ])('refuses %j', async (body, error) => {
    expect(await send(t, 'POST', '/api/v1/apartment/item', body, 400)).toEqual({ error });
  });

  it('lists by address fields', async () => {
    await send(t, 'POST', '/api/v1/apartment/item', { ...apartmentBody(1), apartment_address: address(1, 77) });
    await send(t, 'POST', '/api/v1/apartment/item', { ...apartmentBody(2), apartment_address: address(2, 77) });
    const page = await send(
      t,
      'GET',
      '/api/v1/apartment/items?filter_field=apartment_address.building&filter_format=number&filter_value=77&sort_field=apartment_address.room&sort_type=desc',
    );
    expect(page.list_items.map((a: { apartment_address: { room: number } }) => a.apartment_address.room)).toEqual([2, 1]);
    expect(await send(t, 'GET', '/api/v1/apartment/items?filter_field=building&filter_value=1', undefined, 400)).toEqual({
      error: 'Wrong query parameter `filter_field`',
    });
  });

  describe('bulk', () => {
    const url = '/api/v1/apartment/items/link';
    const item = (n: number, room: number, building = 50) => ({ ...apartmentBody(room), apartment_address: address(room, building), link_id: uuid(n) });

    it('creates, updates, and adopts an unlinked apartment at the same address', async () => {
      const { uid } = await send(t, 'POST', '/api/v1/apartment/item', { ...apartmentBody(9), apartment_address: address(9, 50) });
      const answer = await send(t, 'POST', url, { list_items: [item(200, 1), item(201, 9), item(200, 2)] });
      expect(answer.result).toEqual([
        { link_id: uuid(200), success: true, extended_info: 'created', has_dublicates: false },
        { link_id: uuid(201), success: true, extended_info: 'updated', has_dublicates: false },
        { link_id: uuid(200), success: true, extended_info: 'updated', has_dublicates: false },
      ]);
      expect((await send(t, 'GET', `/api/v1/apartment/item/${uid}`)).link_id).toBe(uuid(201));
      const moved = await send(t, 'GET', `/api/v1/apartment/items?filter_field=link_id&filter_value=${uuid(200)}`);
      expect(moved.list_items[0].apartment_address).toEqual(address(2, 50));
    });

    it('lets apartments swap addresses within one request', async () => {
      await send(t, 'POST', url, { list_items: [item(210, 1, 60), item(211, 2, 60)] });
      const swap = [item(210, 3, 60), item(211, 1, 60), item(210, 2, 60)];
      expect(infos(await send(t, 'POST', url, { list_items: swap }))).toEqual(['updated', 'updated', 'updated']);
      const list = await send(t, 'GET', '/api/v1/apartment/items?filter_field=apartment_address.building&filter_value=60&sort_field=link_id');
      expect(list.list_items.map((a: { apartment_address: { room: number } }) => a.apartment_address.room)).toEqual([2, 1]);
    });

    it('fails the whole request when an address belongs to another linked apartment', async () => {
      await send(t, 'POST', url, { list_items: [item(220, 1, 70)] });
      expect(await send(t, 'POST', url, { list_items: [item(221, 5, 70), item(222, 1, 70)] }, 400)).toEqual({
        error: 'Apartment with that Logical Address already exist: `list_items[1].apartment_address`',
      });
      expect((await send(t, 'GET', `/api/v1/apartment/items?filter_field=link_id&filter_value=${uuid(221)}`)).list_items).toEqual([]);
      expect(await send(t, 'POST', url, { list_items: [item(223, 1), { ...item(224, 2), apartment_name: ' x' }] }, 400)).toEqual({
        error: 'Wrong JSON body: value `list_items[1].apartment_name` is out of range',
      });
    });

    it('deletes by link_id', async () => {
      await send(t, 'POST', url, { list_items: [item(230, 1, 80)] });
      expect(infos(await send(t, 'DELETE', url, { link_ids: [uuid(230), uuid(231)] }))).toEqual(['deleted', 'entity_not_found']);
      expect(await send(t, 'POST', '/api/v1/apartment/link/delete', { link_ids: 'x' }, 400)).toEqual({
        error: { code: 'not_valid', message: 'Data validation error', data: { link_ids: 'must be an array of uuid strings' } },
      });
    });
  });
});
