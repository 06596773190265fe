import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { apartmentBody, cardBody, infos, profileBody, send, userBody, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const USERS_BULK = '/api/v1/access/users/items/link';

describe.each(STORE_KINDS)('links between users and access objects (%s)', (kind) => {
  let t: TestApp;
  let profile: number;
  let apartment: number;
  beforeAll(async () => {
    t = await startTestApp(kind);
    profile = (await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { name: 'Day', link_id: uuid(900) }))).uid;
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { name: 'Night', link_id: uuid(901) }));
    apartment = (await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(1, { link_id: uuid(950) }))).uid;
    await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(2, { link_id: uuid(951) }));
  });
  afterAll(() => t.dispose());

  const newUser = async (name: string) => (await send(t, 'POST', '/api/v1/access/users/item', userBody(name))).item_uid as number;
  const getUser = (uid: number) => send(t, 'GET', `/api/v1/access/users/item/${uid}`, undefined, 200, t.managerToken);
  const userByLink = async (linkId: string) => {
    const list = await send(t, 'GET', `/api/v1/access/users/items/link?filter_field=link_id&filter_value=${linkId}`);
    return getUser(list.list_items[0].item_uid);
  };

  it('attaches and detaches time profiles (U9), idempotently', async () => {
    const user = await newUser('Ann');
    const url = `/api/v1/access/user/${user}/timeprofile/${profile}`;
    expect(await send(t, 'POST', url)).toEqual({});
    expect(await send(t, 'POST', url)).toEqual({});
    expect((await getUser(user)).time_profiles).toEqual([{ uid: profile, link_id: uuid(900), name: 'Day' }]);
    expect(await send(t, 'DELETE', url)).toEqual({});
    expect(await send(t, 'DELETE', url)).toEqual({});
    expect((await getUser(user)).time_profiles).toEqual([]);

    expect(await send(t, 'POST', `/api/v1/access/user/${user}/timeprofile/9999`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'POST', `/api/v1/access/user/9999/timeprofile/${profile}`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'POST', `/api/v1/access/user/${user}/timeprofile/x`, undefined, 400)).toEqual({
      error: 'Wrong path parameter `timeprofile-uid`',
    });
    expect(await send(t, 'POST', url, undefined, 403, t.managerToken)).toEqual({ error: 'Administrator rights required' });
  });

  it('binds identifiers to one user at a time (U10) and shows them in the user', async () => {
    const ann = await newUser('Ann B');
    const bob = await newUser('Bob');
    const { uid: card } = await send(t, 'POST', '/api/v1/access/identifier', cardBody('1001', { link_id: uuid(1) }));
    await send(t, 'POST', `/api/v1/access/user/${ann}/identifier/${card}`);
    await send(t, 'POST', `/api/v1/access/user/${ann}/identifier/${card}`);
    const shown = (await getUser(ann)).identifiers;
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ uid: card, user_uid: ann, identifier_type: 'card', identifier_number: '1001', link_id: uuid(1) });
    expect(shown[0]).toEqual(await send(t, 'GET', `/api/v1/access/identifier/item/${card}`));

    // Binding to Bob moves it; unbinding from Ann then changes nothing.
    await send(t, 'POST', `/api/v1/access/user/${bob}/identifier/${card}`);
    expect((await getUser(ann)).identifiers).toEqual([]);
    await send(t, 'DELETE', `/api/v1/access/user/${ann}/identifier/${card}`);
    expect((await getUser(bob)).identifiers.map((i: { uid: number }) => i.uid)).toEqual([card]);
    await send(t, 'DELETE', `/api/v1/access/user/${bob}/identifier/${card}`);
    expect((await send(t, 'GET', `/api/v1/access/identifier/item/${card}`)).user_uid).toBeNull();
    expect(await send(t, 'DELETE', `/api/v1/access/user/${bob}/identifier/9999`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'POST', `/api/v1/access/user/0/identifier/${card}`, undefined, 400)).toEqual({
      error: 'Wrong path parameter `user-uid`',
    });
  });

  it('adds users to apartments (U11)', async () => {
    const user = await newUser('Carl');
    await send(t, 'POST', `/api/v1/apartment/item/${apartment}/user/${user}`);
    await send(t, 'POST', `/api/v1/apartment/item/${apartment}/user/${user}`);
    expect((await getUser(user)).apartments).toEqual([{ uid: apartment, link_id: uuid(950), name: 'Flat 1' }]);
    await send(t, 'DELETE', `/api/v1/apartment/item/${apartment}/user/${user}`);
    expect((await getUser(user)).apartments).toEqual([]);
    expect(await send(t, 'POST', `/api/v1/apartment/item/9999/user/${user}`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'POST', `/api/v1/apartment/item/abc/user/${user}`, undefined, 400)).toEqual({
      error: 'Wrong path parameter `apartment-uid`',
    });
  });

  it('unbinds identifiers and drops links when a user is deleted', async () => {
    const user = await newUser('Dora');
    const { uid: card } = await send(t, 'POST', '/api/v1/access/identifier', cardBody('1002'));
    await send(t, 'POST', `/api/v1/access/user/${user}/identifier/${card}`);
    await send(t, 'POST', `/api/v1/access/user/${user}/timeprofile/${profile}`);
    await send(t, 'POST', `/api/v1/apartment/item/${apartment}/user/${user}`);

    await send(t, 'DELETE', `/api/v1/access/users/item/${user}`);
    expect(await send(t, 'GET', `/api/v1/access/identifier/item/${card}`)).toMatchObject({ uid: card, user_uid: null });
    const db = t.store.db;
    expect(await db.selectFrom('user_time_profiles').selectAll().where('user_id', '=', user).execute()).toEqual([]);
    expect(await db.selectFrom('user_apartments').selectAll().where('user_id', '=', user).execute()).toEqual([]);
    await send(t, 'GET', `/api/v1/access/timeprofile/item/${profile}`);
  });

  describe('link lists in the bulk user sync', () => {
    it('replaces the kinds given, skips links that name nothing and reports the first missing kind', async () => {
      await send(t, 'POST', '/api/v1/access/identifier/items/link', {
        list_items: [20, 21, 22].map((n) => ({ ...cardBody(String(2000 + n)), link_id: uuid(n) })),
      });
      const answer = await send(t, 'POST', USERS_BULK, {
        list_items: [
          {
            ...userBody('Eve'),
            link_id: uuid(100),
            time_profiles: { link_ids: [uuid(900), uuid(999)] },
            apartments: { link_ids: [uuid(998)] },
            identifiers: { link_ids: [uuid(20)] },
          },
          { ...userBody('Fay'), link_id: uuid(101), apartments: { link_ids: [uuid(998)] }, identifiers: { link_ids: [uuid(997)] } },
          { ...userBody('Gus'), link_id: uuid(102), identifiers: { link_ids: [uuid(997), uuid(21)] } },
          { ...userBody('Hal'), link_id: uuid(103), time_profiles: { link_ids: [uuid(901)] }, apartments: { link_ids: [uuid(951)] } },
        ],
      });
      expect(answer.result).toEqual([
        { link_id: uuid(100), success: true, extended_info: 'bound_time_profile_doesnt_exist', has_dublicates: false },
        { link_id: uuid(101), success: true, extended_info: 'bound_apartment_doesnt_exist', has_dublicates: false },
        { link_id: uuid(102), success: true, extended_info: 'bound_identifier_doesnt_exist', has_dublicates: false },
        { link_id: uuid(103), success: true, extended_info: 'created', has_dublicates: false },
      ]);
      const eve = await userByLink(uuid(100));
      expect(eve.time_profiles).toEqual([{ uid: profile, link_id: uuid(900), name: 'Day' }]);
      expect(eve.apartments).toEqual([]);
      expect(eve.identifiers.map((i: { link_id: string }) => i.link_id)).toEqual([uuid(20)]);
      expect((await userByLink(uuid(102))).identifiers.map((i: { link_id: string }) => i.link_id)).toEqual([uuid(21)]);
      expect((await userByLink(uuid(103))).apartments).toEqual([{ uid: apartment + 1, link_id: uuid(951), name: 'Flat 2' }]);

      // Only the kinds given are replaced: Eve keeps her identifiers, swaps her profile.
      expect(infos(await send(t, 'POST', USERS_BULK, { list_items: [{ ...userBody('Eve'), link_id: uuid(100), time_profiles: { link_ids: [uuid(901)] } }] }))).toEqual([
        'updated',
      ]);
      const again = await userByLink(uuid(100));
      expect(again.time_profiles.map((p: { link_id: string }) => p.link_id)).toEqual([uuid(901)]);
      expect(again.identifiers.map((i: { link_id: string }) => i.link_id)).toEqual([uuid(20)]);

      // Identifiers: the list replaces the user's; one listed for two users goes to the last.
      await send(t, 'POST', USERS_BULK, {
        list_items: [
          { ...userBody('Eve'), link_id: uuid(100), identifiers: { link_ids: [uuid(22)] } },
          { ...userBody('Gus'), link_id: uuid(102), identifiers: { link_ids: [uuid(21), uuid(22)] } },
        ],
      });
      expect((await userByLink(uuid(100))).identifiers).toEqual([]);
      expect((await userByLink(uuid(102))).identifiers.map((i: { link_id: string }) => i.link_id)).toEqual([uuid(21), uuid(22)]);
      const unbound = await send(t, 'GET', `/api/v1/access/identifier/items?filter_field=link_id&filter_value=${uuid(20)}`);
      expect(unbound.list_items[0].user_uid).toBeNull();
    });

    it('unbinds the identifiers of users deleted by link_id', async () => {
      await send(t, 'POST', '/api/v1/access/identifier/items/link', { list_items: [{ ...cardBody('3000'), link_id: uuid(30) }] });
      await send(t, 'POST', USERS_BULK, { list_items: [{ ...userBody('Ivy'), link_id: uuid(110), identifiers: { link_ids: [uuid(30)] } }] });
      expect(infos(await send(t, 'DELETE', USERS_BULK, { link_ids: [uuid(110)] }))).toEqual(['deleted']);
      const card = await send(t, 'GET', `/api/v1/access/identifier/items?filter_field=link_id&filter_value=${uuid(30)}`);
      expect(card.list_items[0]).toMatchObject({ identifier_number: '3000', user_uid: null });
    });
  });
});
