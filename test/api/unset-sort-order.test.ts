/** Both stores sort unset (NULL) values the same way: after every value, first with DESC. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userBody, uuid } from '../helpers/access.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS } from '../helpers/stores.ts';
import { BASE, CLIENT, tokenFor } from './platform/helpers.ts';

describe.each(STORE_KINDS)('Unset values in sorted lists (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    // Ids 1..4: two users without a link_id / Email, two with.
    await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('NoLink1') });
    await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: [userBody('Linked1', { link_id: uuid(2) })] } });
    await t.call({ method: 'POST', url: '/api/v1/access/users/item', payload: userBody('NoLink2') });
    await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: [userBody('Linked2', { link_id: uuid(1) })] } });
    const dept = (await t.call({ method: 'POST', url: `${BASE}/Department`, payload: { Name: 'Sales' }, token })).json().Id;
    await t.call({ method: 'POST', url: `${BASE}/Department/${dept}/User`, payload: { Id: 2, Email: 'b@example.com' }, token });
    await t.call({ method: 'POST', url: `${BASE}/Department/${dept}/User`, payload: { Id: 4, Email: 'a@example.com' }, token });
    await t.call({ method: 'POST', url: `${BASE}/Department`, payload: { Name: 'Support', ExternalId: 'S1' }, token });
  });
  afterAll(() => t.dispose());

  it('panel lists: sort_field with nulls', async () => {
    const names = async (sortType: string) => {
      const response = await t.call({ method: 'GET', url: `/api/v1/access/users/items?sort_field=link_id&sort_type=${sortType}` });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().list_items.map((u: { name: string }) => u.name);
    };
    expect(await names('asc')).toEqual(['Linked2', 'Linked1', 'NoLink1', 'NoLink2']);
    expect(await names('desc')).toEqual(['NoLink2', 'NoLink1', 'Linked1', 'Linked2']);
  });

  it('platform lists: Orders with nulls', async () => {
    const names = async (orders: string, path = '/Users') => {
      const response = await t.call({ method: 'GET', url: `${BASE}${path}?Fields=Name&Orders=${encodeURIComponent(orders)}`, token });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().Data.map((u: { Name: string }) => u.Name);
    };
    expect(await names('Email')).toEqual(['Linked2', 'Linked1', 'NoLink1', 'NoLink2']);
    expect(await names('Email DESC')).toEqual(['NoLink1', 'NoLink2', 'Linked1', 'Linked2']);
    expect(await names('ExternalId', '/Departments')).toEqual(['Support', 'Sales']);
    expect(await names('ExternalId DESC', '/Departments')).toEqual(['Sales', 'Support']);
  });
});
