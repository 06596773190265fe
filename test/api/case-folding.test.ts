/** `contains` (panel) and `Like` (platform) ignore the case of every letter, not only ASCII, on both stores. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apartmentBody, profileBody } from '../helpers/access.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { STORE_KINDS } from '../helpers/stores.ts';
import { BASE, CLIENT, tokenFor } from './platform/helpers.ts';

describe.each(STORE_KINDS)('Case-insensitive text matching beyond ASCII (%s)', (kind) => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp(kind, { clientId: CLIENT.id, clientSecret: CLIENT.secret });
    token = await tokenFor(t);
    await t.call({ method: 'POST', url: '/api/v1/access/timeprofile', payload: profileBody(0, 10, { name: 'ÉCOLE Öffnungszeiten' }) });
    await t.call({ method: 'POST', url: '/api/v1/apartment/item', payload: apartmentBody(1, { apartment_name: 'Château' }) });
    await t.call({ method: 'POST', url: `${BASE}/Department`, payload: { Name: 'Éclair' }, token });
  });
  afterAll(() => t.dispose());

  it('panel contains', async () => {
    const names = async (url: string) => {
      const response = await t.call({ method: 'GET', url });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().list_items.length;
    };
    expect(await names(`/api/v1/access/timeprofile/items?filter_field=name&filter_type=contains&filter_value=${encodeURIComponent('école ö')}`)).toBe(1);
    expect(await names(`/api/v1/apartment/items?filter_field=apartment_name&filter_type=contains&filter_value=${encodeURIComponent('CHÂTEAU')}`)).toBe(1);
  });

  it('platform Like', async () => {
    for (const filter of ['Name Like %é%', 'Name Like ÉCLAIR']) {
      const response = await t.call({ method: 'GET', url: `${BASE}/Departments?Filters=${encodeURIComponent(filter)}`, token });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json().Data.map((d: { Name: string }) => d.Name), filter).toEqual(['Éclair']);
    }
  });
});
