/** A link_id is a UUID, and UUIDs are case-insensitive on input (RFC 4122 §3): both cases name one record. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardBody, profileBody, userBody } from '../../helpers/access.ts';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const UPPER = 'ABCDEF00-0000-4000-8000-00000000000A';
const lower = (n: number) => `abcdef00-0000-4000-8000-00000000000${n.toString(16)}`;

describe.each(STORE_KINDS)('link_id in another case (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it('matches the same user, profile and identifier, and deletes it', async () => {
    const first = await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: [userBody('Zed', { link_id: UPPER })] } });
    expect(first.json().result[0]).toEqual({ link_id: lower(10), success: true, extended_info: 'created', has_dublicates: false });
    const again = await t.call({ method: 'POST', url: '/api/v1/access/users/items/link', payload: { list_items: [userBody('Zed', { link_id: lower(10) })] } });
    expect(again.json().result[0]).toEqual({ link_id: lower(10), success: true, extended_info: 'updated', has_dublicates: false });
    expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items' })).json().list_items.map((u: { link_id: string }) => u.link_id)).toEqual([lower(10)]);
    for (const url of ['/api/v1/access/users/items', '/api/v1/access/users/items/link']) {
      const found = await t.call({ method: 'GET', url: `${url}?filter_field=link_id&filter_value=${UPPER}` });
      expect(found.json().list_items.map((u: { name: string }) => u.name), url).toEqual(['Zed']);
    }

    await t.call({ method: 'POST', url: '/api/v1/access/timeprofile', payload: profileBody(0, 10, { link_id: 'ABCDEF00-0000-4000-8000-00000000000B' }) });
    await t.call({ method: 'POST', url: '/api/v1/access/identifier/items/link', payload: { list_items: [cardBody('42', { link_id: 'ABCDEF00-0000-4000-8000-00000000000C' })] } });
    const linked = await t.call({
      method: 'POST',
      url: '/api/v1/access/users/items/link',
      payload: { list_items: [userBody('Zed', { link_id: UPPER, time_profiles: { link_ids: [lower(11)] }, identifiers: { link_ids: [lower(12)] } })] },
    });
    expect(linked.json().result[0].extended_info).toBe('updated');
    const uid = (await t.call({ method: 'GET', url: '/api/v1/access/users/items' })).json().list_items[0].item_uid;
    const user = (await t.call({ method: 'GET', url: `/api/v1/access/users/item/${uid}` })).json();
    expect(user.time_profiles.map((p: { link_id: string }) => p.link_id)).toEqual([lower(11)]);
    expect(user.identifiers).toHaveLength(1);

    const deleted = await t.call({ method: 'POST', url: '/api/v1/access/users/link/delete', payload: { link_ids: [lower(10)] } });
    expect(deleted.json().result).toEqual([{ link_id: lower(10), success: true, extended_info: 'deleted' }]);
    expect((await t.call({ method: 'GET', url: '/api/v1/access/users/items' })).json().list_items).toEqual([]);
  });
});
