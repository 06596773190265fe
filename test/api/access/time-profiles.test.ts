import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { infos, profileBody, send, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const P = 'repeat_options.repeat_format';

function weekly(options: unknown, looper: unknown = 1) {
  return profileBody(1_700_000_000, 1_700_003_600, {
    repeat_options: {
      repeat_enable: true,
      repeat_format: {
        repeat_type: 'custom',
        repeat_end: { format: 'never' },
        repeat_custom: { repeat_point_type: 'week', repeat_looper: looper, repeat_options: options },
      },
    },
  });
}

describe.each(STORE_KINDS)('time profiles (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
  });
  afterAll(() => t.dispose());

  it('creates, reads (cleaned of unknown properties), replaces and deletes a profile', async () => {
    const body = weekly(['MON', 'WED']);
    body.repeat_options.repeat_format.unknown = 'dropped';
    const { uid } = await send(t, 'POST', '/api/v1/access/timeprofile', { ...body, link_id: uuid(1), extra: true });
    expect(uid).toBeGreaterThan(0);

    const read = await send(t, 'GET', `/api/v1/access/timeprofile/item/${uid}`, undefined, 200, t.managerToken);
    expect(read).toEqual({
      uid,
      link_id: uuid(1),
      name: 'Office hours',
      time_options: body.time_options,
      repeat_options: {
        repeat_enable: true,
        repeat_format: {
          repeat_type: 'custom',
          repeat_end: { format: 'never' },
          repeat_custom: { repeat_point_type: 'week', repeat_looper: 1, repeat_options: ['MON', 'WED'] },
        },
      },
    });

    // Without link_id the profile keeps it; null removes it.
    await send(t, 'PATCH', `/api/v1/access/timeprofile/item/${uid}`, profileBody(10, 20, { name: 'Night' }));
    expect(await send(t, 'GET', `/api/v1/access/timeprofile/item/${uid}`)).toMatchObject({
      link_id: uuid(1),
      name: 'Night',
      time_options: { date_from: 10, date_to: 20 },
      repeat_options: { repeat_enable: false },
    });
    await send(t, 'PATCH', `/api/v1/access/timeprofile/item/${uid}`, profileBody(10, 20, { link_id: null }));
    expect((await send(t, 'GET', `/api/v1/access/timeprofile/item/${uid}`)).link_id).toBeNull();

    expect(await send(t, 'DELETE', `/api/v1/access/timeprofile/item/${uid}`)).toEqual({});
    expect(await send(t, 'GET', `/api/v1/access/timeprofile/item/${uid}`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'DELETE', `/api/v1/access/timeprofile/item/${uid}`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'PATCH', `/api/v1/access/timeprofile/item/${uid}`, profileBody(1, 2), 404)).toEqual({ error: 'Entity not found' });
  });

  it.each([
    [profileBody(20, 10), 'Wrong JSON body: value `time_options.date_to` is out of range'],
    [profileBody(1.5, 10), 'Wrong JSON body: value `time_options.date_from` is out of range'],
    [profileBody(-1, 10), 'Wrong JSON body: value `time_options.date_from` is out of range'],
    [profileBody('1' as never, 10), 'Wrong JSON body: value `time_options.date_from` was of the wrong type'],
    [{ ...profileBody(1, 10), time_options: undefined }, 'Wrong JSON body: no value for `time_options`'],
    [{ ...profileBody(1, 10), repeat_options: { repeat_enable: true } }, `Wrong JSON body: no value for \`${P}\``],
    [{ ...profileBody(1, 10), repeat_options: { repeat_enable: 'yes' } }, 'Wrong JSON body: value `repeat_options.repeat_enable` was of the wrong type'],
    [weekly(['MON'], 0), `Wrong JSON body: value \`${P}.repeat_custom.repeat_looper\` is out of range`],
    [weekly(['MON'], 1001), `Wrong JSON body: value \`${P}.repeat_custom.repeat_looper\` is out of range`],
    [weekly(['MON'], 2.5), `Wrong JSON body: value \`${P}.repeat_custom.repeat_looper\` is out of range`],
    [weekly(['MON', 'mon']), `Wrong JSON body: value \`${P}.repeat_custom.repeat_options[1]\` is out of range`],
    [weekly(['MON', 'MON']), `Wrong JSON body: value \`${P}.repeat_custom.repeat_options[1]\` is out of range`],
    [weekly([]), `Wrong JSON body: value \`${P}.repeat_custom.repeat_options\` is out of range`],
    [weekly({ format: 'dayNumbers', range: [1] }), `Wrong JSON body: value \`${P}.repeat_custom.repeat_options\` was of the wrong type`],
    [{ ...profileBody(1, 10), name: '' }, 'Wrong JSON body: value `name` is out of range'],
    [{ ...profileBody(1, 10), name: null }, 'Wrong JSON body: no value for `name`'],
    [{ ...profileBody(1, 10), link_id: 'nope' }, 'Wrong JSON body: value `link_id` is out of range'],
    [[], 'Wrong JSON body'],
  ])('refuses a bad single write, naming the field: %j', async (body, error) => {
    expect(await send(t, 'POST', '/api/v1/access/timeprofile', body, 400)).toEqual({ error });
    expect(await send(t, 'PATCH', '/api/v1/access/timeprofile/item/1', body, 400)).toEqual({ error });
  });

  it('checks rights, path parameters and link_id uniqueness', async () => {
    expect(await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2), 403, t.managerToken)).toEqual({
      error: 'Administrator rights required',
    });
    expect(await send(t, 'GET', '/api/v1/access/timeprofile/items', undefined, 401, null)).toEqual({ error: 'Log In' });
    expect(await send(t, 'GET', '/api/v1/access/timeprofile/item/abc', undefined, 400)).toEqual({
      error: 'Wrong path parameter `uid`',
    });
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { link_id: uuid(2) }));
    expect(await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { link_id: uuid(2) }), 400)).toEqual({
      error: 'Time profile with that link_id already exist',
    });
    const { uid } = await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2));
    expect(await send(t, 'PATCH', `/api/v1/access/timeprofile/item/${uid}`, profileBody(1, 2, { link_id: uuid(2) }), 400)).toEqual({
      error: 'Time profile with that link_id already exist',
    });
  });

  it('lists with the §6 options', async () => {
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { name: 'Cleaners Zeta' }));
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { name: 'cleaners alpha' }));
    const page = await send(
      t,
      'GET',
      '/api/v1/access/timeprofile/items?filter_field=name&filter_type=contains&filter_value=CLEANERS&sort_field=name&sort_type=desc&limit=1',
    );
    expect(page.list_option.pagination).toEqual({ total_items: 2, items_limit: 1, total_pages: 2, current_page: 1 });
    expect(page.list_option.sort).toEqual({ field: 'name', asc: false, available_fields: ['uid', 'link_id', 'name'] });
    expect(page.list_items.map((p: { name: string }) => p.name)).toEqual(['cleaners alpha']);
    expect(await send(t, 'GET', '/api/v1/access/timeprofile/items?sort_field=rules', undefined, 400)).toEqual({
      error: 'Wrong query parameter `sort_field`',
    });
  });

  describe('bulk', () => {
    const url = '/api/v1/access/timeprofile/items/link';

    it('creates, updates, and fails only the items whose rules break their bounds', async () => {
      const body = {
        list_items: [
          { ...profileBody(1, 2), link_id: uuid(100) },
          { ...profileBody(5, 2), link_id: uuid(101) },
          { ...weekly(['MON'], 0), link_id: uuid(102) },
          { ...profileBody(3, 4, { name: 'Renamed' }), link_id: uuid(100) },
        ],
      };
      const answer = await send(t, 'POST', url, body);
      expect(answer.result).toEqual([
        { link_id: uuid(100), success: true, extended_info: 'created', has_dublicates: false },
        { link_id: uuid(101), success: false, extended_info: 'invalid_time_rules_settings', has_dublicates: false },
        { link_id: uuid(102), success: false, extended_info: 'invalid_time_rules_settings', has_dublicates: false },
        { link_id: uuid(100), success: true, extended_info: 'updated', has_dublicates: false },
      ]);
      const list = await send(t, 'GET', `/api/v1/access/timeprofile/items?filter_field=link_id&filter_value=${uuid(100)}`);
      expect(list.list_items).toHaveLength(1);
      expect(list.list_items[0]).toMatchObject({ name: 'Renamed', time_options: { date_from: 3, date_to: 4 } });
      expect((await send(t, 'GET', `/api/v1/access/timeprofile/items?filter_field=link_id&filter_value=${uuid(101)}`)).list_items).toEqual([]);
      expect(infos(await send(t, 'POST', url, { list_items: [{ ...profileBody(1, 2), link_id: uuid(100) }] }))).toEqual(['updated']);
    });

    it('fails the whole request on a structural error, naming the first failing item', async () => {
      const list_items = [
        { ...profileBody(1, 2), link_id: uuid(110) },
        { ...profileBody(1, 2), link_id: uuid(111), time_options: { is_all_day: false, date_from: 'x', date_to: 2 } },
        { ...profileBody(1, 2), link_id: 'bad' },
      ];
      expect(await send(t, 'POST', url, { list_items }, 400)).toEqual({
        error: 'Wrong JSON body: value `list_items[1].time_options.date_from` was of the wrong type',
      });
      expect(await send(t, 'POST', url, { list_items: [list_items[0], { ...list_items[0], name: undefined }] }, 400)).toEqual({
        error: 'Wrong JSON body: no value for `list_items[1].name`',
      });
      expect(await send(t, 'POST', url, { list_items: [list_items[0], list_items[2]] }, 400)).toEqual({
        error: 'Wrong JSON body: value `list_items[1].link_id` is out of range',
      });
      expect((await send(t, 'GET', `/api/v1/access/timeprofile/items?filter_field=link_id&filter_value=${uuid(110)}`)).list_items).toEqual([]);
      expect(await send(t, 'POST', url, { list_items: [] }, 400)).toEqual({ error: 'List cannot be empty' });
      expect(await send(t, 'POST', url, { items: [] }, 400)).toEqual({ error: 'Wrong JSON body: no value for `list_items`' });
      expect(await send(t, 'POST', url, 'text', 400)).toEqual({ error: 'Wrong JSON body' });
    });

    it('deletes by link_id on both routes, with nested errors', async () => {
      await send(t, 'POST', url, { list_items: [120, 121].map((n) => ({ ...profileBody(1, 2), link_id: uuid(n) })) });
      expect(await send(t, 'POST', '/api/v1/access/timeprofile/link/delete', { link_ids: [uuid(120), uuid(129)] })).toEqual({
        result: [
          { link_id: uuid(120), success: true, extended_info: 'deleted' },
          { link_id: uuid(129), success: false, extended_info: 'entity_not_found' },
        ],
      });
      expect(infos(await send(t, 'DELETE', '/api/v1/access/timeprofile/items/link', { link_ids: [uuid(121), uuid(121)] }))).toEqual([
        'deleted',
        'entity_not_found',
      ]);
      expect(await send(t, 'DELETE', '/api/v1/access/timeprofile/items/link', { link_ids: [] }, 400)).toEqual({
        error: { code: 'bad_request', message: 'List cannot be empty' },
      });
      expect(await send(t, 'POST', '/api/v1/access/timeprofile/link/delete', { link_ids: ['x'] }, 400)).toEqual({
        error: { code: 'not_valid', message: 'Data validation error', data: { 'link_ids[0]': 'must be a uuid string of at most 36 characters' } },
      });
      expect(await send(t, 'POST', '/api/v1/access/timeprofile/link/delete', { link_ids: [uuid(1)] }, 401, null)).toEqual({
        error: { code: 'invalid_authentication', message: 'Invalid authentication' },
      });
    });
  });
});
