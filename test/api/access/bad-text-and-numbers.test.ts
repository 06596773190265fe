/**
 * Bad input that only PostgreSQL used to refuse (NUL in text, numbers past int4): a 400 naming
 * the field on both stores, never a 500, and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { apartmentBody, profileBody, userBody, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

describe.each(STORE_KINDS)('Panel dialect: NUL in text and numbers past int4 (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  const expect400 = async (options: Parameters<TestApp['call']>[0], error: string) => {
    const response = await t.call(options);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({ error });
  };

  it('refuses NUL in body text, naming the field, and writes nothing', async () => {
    await expect400({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('A\u0000B') }, 'Wrong JSON body: value `name` is out of range');
    await expect400({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('Ann', { info: '\u0000' }) }, 'Wrong JSON body: value `info` is out of range');
    await expect400({ method: 'POST', url: '/api/v1/access/timeprofile', payload: profileBody(0, 10, { name: 'x\u0000' }) }, 'Wrong JSON body: value `name` is out of range');
    await expect400({ method: 'POST', url: '/api/v1/apartment/item', payload: apartmentBody(1, { apartment_name: 'F\u0000' }) }, 'Wrong JSON body: value `apartment_name` is out of range');
    await expect400(
      { method: 'POST', url: '/api/v1/accounts', payload: { username: 'x\u0000', password: 'password-123', account_type: 'manager' } },
      'Wrong JSON body: value `username` is out of range',
    );
    // In a bulk: the first failing item is named, and the valid item before it is not applied.
    await expect400(
      {
        method: 'POST',
        url: '/api/v1/access/users/items/link',
        payload: { list_items: [userBody('Fine', { link_id: uuid(1) }), userBody('Bad\u0000', { link_id: uuid(2) })] },
      },
      'Wrong JSON body: value `list_items[1].name` is out of range',
    );
    const users = await t.call({ method: 'GET', url: '/api/v1/access/users/items' });
    expect(users.json().list_option.pagination.total_items).toBe(0);
  });

  it('refuses NUL in path and query parameters', async () => {
    await expect400({ method: 'DELETE', url: '/api/v1/accounts/x%00' }, 'Wrong path parameter `username`');
    await expect400(
      { method: 'GET', url: '/api/v1/access/users/items?filter_field=name&filter_value=a%00' },
      'Wrong query parameter `filter_value`',
    );
    const login = await t.app.inject({ method: 'GET', url: '/api/v1/login?username=ad%00min&password=0123456789abcdef0123456789abcdef' });
    expect(login.statusCode, login.body).toBe(400);
  });

  it('filters a number field by a value past int4 as matching nothing', async () => {
    await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('Ann') });
    for (const url of [
      '/api/v1/access/users/items?filter_field=item_uid&filter_value=2147483648',
      '/api/v1/access/users/items?filter_field=lock_number&filter_format=number&filter_value=-99999999999',
      '/api/v1/access/identifier/items?filter_field=uid&filter_value=99999999999',
      '/api/v1/access/timeprofile/items?filter_field=uid&filter_value=99999999999',
      '/api/v1/apartment/items?filter_field=apartment_address.building&filter_value=99999999999',
    ]) {
      const response = await t.call({ method: 'GET', url });
      expect(response.statusCode, `${url}: ${response.body}`).toBe(200);
      expect(response.json().list_items).toEqual([]);
    }
    const one = await t.call({ method: 'GET', url: '/api/v1/access/users/items?filter_field=lock_number&filter_value=0' });
    expect(one.json().list_items.map((u: { name: string }) => u.name)).toEqual(['Ann']);
  });

  it('answers a page far past the end with no items', async () => {
    for (const page of ['1000000000', '2147483648', '9007199254740']) {
      const response = await t.call({ method: 'GET', url: `/api/v1/access/users/items?limit=1000&page_number=${page}` });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().list_items).toEqual([]);
      expect(response.json().list_option.pagination.current_page).toBe(Number(page));
    }
    await expect400({ method: 'GET', url: '/api/v1/access/users/items?page_number=9007199254740993' }, 'Wrong query parameter `page_number`');
  });

  it('reads integers in paths and queries as decimal digits only', async () => {
    const uid = (await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('Hex') })).json().item_uid;
    expect((await t.call({ method: 'GET', url: `/api/v1/access/users/item/${uid}` })).statusCode).toBe(200);
    const hex = `0x${uid.toString(16)}`;
    for (const written of [hex, `${uid}e0`, `${uid}.0`, `%20${uid}`, `+${uid}`]) {
      await expect400({ method: 'GET', url: `/api/v1/access/users/item/${written}` }, 'Wrong path parameter `user-uid`');
    }
    await expect400({ method: 'GET', url: '/api/v1/access/users/items?limit=1e1' }, 'Wrong query parameter `limit`');
    await expect400({ method: 'GET', url: '/api/v1/access/users/items?page_number=0x2' }, 'Wrong query parameter `page_number`');
  });
});
