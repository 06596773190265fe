import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { apartmentBody, cardBody, infos, profileBody, send, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const CREATE = '/api/v1/access/identifier';
const ITEM = '/api/v1/access/identifier/item';
const BULK = '/api/v1/access/identifier/items/link';
const TAKEN = { error: 'Identifier with that type and number already exist' };

describe.each(STORE_KINDS)('identifiers (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind);
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(1, 2, { link_id: uuid(900) }));
    await send(t, 'POST', '/api/v1/access/timeprofile', profileBody(3, 4, { link_id: uuid(901) }));
    await send(t, 'POST', '/api/v1/apartment/item', apartmentBody(1, { link_id: uuid(950) }));
  });
  afterAll(() => t.dispose());

  const byLinkId = async (linkId: string) =>
    (await send(t, 'GET', `/api/v1/access/identifier/items?filter_field=link_id&filter_value=${linkId}`)).list_items[0];

  it('creates, reads, replaces and deletes an identifier', async () => {
    const body = {
      identifier_owner: { name: 'Ann', type: 'guest' },
      identifier_type: 'card',
      identifier_number: '0001234',
      lock: 'second',
      valid: { time: { is_permanent: false, from: 100, to: 200 }, passes: { is_permanent: false, max_passes: 3 } },
      link_id: uuid(1),
      apartment_link_id: uuid(950),
      time_profiles: { link_ids: [uuid(900), uuid(901)] },
      unknown: 'ignored',
    };
    const { uid } = await send(t, 'POST', CREATE, body);
    const view = {
      uid,
      link_id: uuid(1),
      user_uid: null,
      identifier_owner: { name: 'Ann', type: 'guest' },
      identifier_type: 'card',
      identifier_number: '0001234',
      lock: 'second',
      valid: { time: { is_permanent: false, from: 100, to: 200 }, passes: { is_permanent: false, max_passes: 3, used: 0 } },
      apartment_link_id: uuid(950),
      time_profiles: { link_ids: [uuid(900), uuid(901)] },
    };
    expect(await send(t, 'GET', `${ITEM}/${uid}`, undefined, 200, t.managerToken)).toEqual(view);

    // Absent link fields are kept; defaults fill owner and validity.
    await send(t, 'PATCH', `${ITEM}/${uid}`, { identifier_type: 'input_code', identifier_number: '0042', lock: 'all' });
    expect(await send(t, 'GET', `${ITEM}/${uid}`)).toEqual({
      ...view,
      identifier_owner: { name: '', type: 'owner' },
      identifier_type: 'inputCode',
      identifier_number: '0042',
      lock: 'all',
      valid: { time: { is_permanent: true, from: null, to: null }, passes: { is_permanent: true, max_passes: null, used: 0 } },
    });
    // Null and an empty list remove them.
    await send(t, 'PATCH', `${ITEM}/${uid}`, { ...cardBody('1234'), link_id: null, apartment_link_id: null, time_profiles: { link_ids: [] } });
    expect(await send(t, 'GET', `${ITEM}/${uid}`)).toMatchObject({ link_id: null, apartment_link_id: null, time_profiles: { link_ids: [] } });

    expect(await send(t, 'DELETE', `${ITEM}/${uid}`)).toEqual({});
    expect(await send(t, 'GET', `${ITEM}/${uid}`, undefined, 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'PATCH', `${ITEM}/${uid}`, cardBody('1'), 404)).toEqual({ error: 'Entity not found' });
    expect(await send(t, 'GET', `${ITEM}/0`, undefined, 400)).toEqual({ error: 'Wrong path parameter `identifier-uid`' });
    expect(await send(t, 'POST', CREATE, cardBody('99'), 403, t.managerToken)).toEqual({ error: 'Administrator rights required' });
  });

  it.each([
    ['card', '4294967295'],
    ['card', '0a:1b:2c:3d'],
    ['ukey', '01-02-03-04-05-06-07-08'],
    ['inputCode', '000111'],
    ['input_code', '9876'],
    ['qr', '5f0c2a1e-7b9d-4c3e-8f6a-2d1b0c9e8a7f'],
    ['license_plate', 'AA 1234 BB'],
  ])('accepts a %s numbered %s', async (type, number) => {
    const { uid } = await send(t, 'POST', CREATE, { identifier_type: type, identifier_number: number, lock: 'first' });
    expect((await send(t, 'GET', `${ITEM}/${uid}`)).identifier_number).toBe(number);
  });

  it.each([
    [cardBody('12345678901'), 'Wrong JSON body: value `identifier_number` is out of range'],
    [cardBody('12ab'), 'Wrong JSON body: value `identifier_number` is out of range'],
    [cardBody('ab:cd-ef'), 'Wrong JSON body: value `identifier_number` is out of range'],
    [{ ...cardBody('1'), identifier_type: 'inputCode', identifier_number: '12 34' }, 'Wrong JSON body: value `identifier_number` is out of range'],
    [{ ...cardBody('1'), identifier_type: 'qr' }, 'Wrong JSON body: value `identifier_number` is out of range'],
    [{ ...cardBody('1'), identifier_type: 'license_plate', identifier_number: ' ' }, 'Wrong JSON body: value `identifier_number` is out of range'],
    [{ ...cardBody('1'), identifier_type: 'face_id' }, 'Wrong JSON body: value `identifier_number` is out of range'],
    [{ ...cardBody('1'), identifier_type: 'face_id', identifier_number: undefined }, 'Wrong JSON body: no value for `face_image`'],
    [{ ...cardBody('1'), identifier_number: null }, 'Wrong JSON body: no value for `identifier_number`'],
    [{ ...cardBody('1'), identifier_number: 12 }, 'Wrong JSON body: value `identifier_number` was of the wrong type'],
    [{ ...cardBody('1'), identifier_type: 'badge' }, 'Wrong JSON body: value `identifier_type` is out of range'],
    [{ ...cardBody('1'), identifier_type: undefined }, 'Wrong JSON body: no value for `identifier_type`'],
    [{ ...cardBody('1'), lock: undefined }, 'Wrong JSON body: no value for `lock`'],
    [{ ...cardBody('1'), lock: 'both' }, 'Wrong JSON body: value `lock` is out of range'],
    [{ ...cardBody('1'), identifier_owner: { name: 'A', type: 'tenant' } }, 'Wrong JSON body: value `identifier_owner.type` is out of range'],
    [{ ...cardBody('1'), identifier_owner: { name: 'x'.repeat(101), type: 'owner' } }, 'Wrong JSON body: value `identifier_owner.name` is out of range'],
    [{ ...cardBody('1'), valid: { time: { is_permanent: false, from: 10 } } }, 'Wrong JSON body: no value for `valid.time.to`'],
    [{ ...cardBody('1'), valid: { time: { is_permanent: false, from: 10, to: 9 } } }, 'Wrong JSON body: value `valid.time.to` is out of range'],
    [{ ...cardBody('1'), valid: { time: { is_permanent: false, from: -1, to: 9 } } }, 'Wrong JSON body: value `valid.time.from` is out of range'],
    [{ ...cardBody('1'), valid: { time: { from: 1, to: 9 } } }, 'Wrong JSON body: no value for `valid.time.is_permanent`'],
    [{ ...cardBody('1'), valid: { passes: { is_permanent: false } } }, 'Wrong JSON body: no value for `valid.passes.max_passes`'],
    [{ ...cardBody('1'), valid: { passes: { is_permanent: false, max_passes: 0 } } }, 'Wrong JSON body: value `valid.passes.max_passes` is out of range'],
    [{ ...cardBody('1'), valid: { passes: { is_permanent: false, max_passes: 1.5 } } }, 'Wrong JSON body: value `valid.passes.max_passes` is out of range'],
    [{ ...cardBody('1'), time_profiles: { link_ids: ['x'] } }, 'Wrong JSON body: value `time_profiles.link_ids[0]` is out of range'],
    [{ ...cardBody('1'), apartment_link_id: 5 }, 'Wrong JSON body: value `apartment_link_id` was of the wrong type'],
    ['not an object', 'Wrong JSON body'],
  ])('refuses %j', async (body, error) => {
    expect(await send(t, 'POST', CREATE, body, 400)).toEqual({ error });
  });

  it('keeps type + number unique, comparing numbers as the same card would read', async () => {
    await send(t, 'POST', CREATE, cardBody('00555'));
    expect(await send(t, 'POST', CREATE, cardBody('555'), 400)).toEqual(TAKEN);
    await send(t, 'POST', CREATE, { ...cardBody('555'), identifier_type: 'ukey' });
    await send(t, 'POST', CREATE, cardBody('de:ad:be:ef'));
    expect(await send(t, 'POST', CREATE, cardBody('DE-AD-BE-EF'), 400)).toEqual(TAKEN);
    await send(t, 'POST', CREATE, { ...cardBody('1'), identifier_type: 'license_plate', identifier_number: 'ka 777 x' });
    expect(await send(t, 'POST', CREATE, { ...cardBody('1'), identifier_type: 'license_plate', identifier_number: 'KA777X' }, 400)).toEqual(TAKEN);
    await send(t, 'POST', CREATE, { ...cardBody('1'), identifier_type: 'input_code', identifier_number: '0555' });

    const { uid } = await send(t, 'POST', CREATE, cardBody('556'));
    expect(await send(t, 'PATCH', `${ITEM}/${uid}`, cardBody('555'), 400)).toEqual(TAKEN);
    await send(t, 'PATCH', `${ITEM}/${uid}`, { ...cardBody('0556'), lock: 'second' });
  });

  it('refuses links that name nothing and a link_id that is taken', async () => {
    expect(await send(t, 'POST', CREATE, { ...cardBody('7001'), time_profiles: { link_ids: [uuid(900), uuid(999)] } }, 400)).toEqual({
      error: 'Wrong JSON body: value `time_profiles.link_ids[1]` is out of range',
    });
    expect(await send(t, 'POST', CREATE, { ...cardBody('7001'), apartment_link_id: uuid(999) }, 400)).toEqual({
      error: 'Wrong JSON body: value `apartment_link_id` is out of range',
    });
    await send(t, 'POST', CREATE, { ...cardBody('7002'), link_id: uuid(7) });
    expect(await send(t, 'POST', CREATE, { ...cardBody('7003'), link_id: uuid(7) }, 400)).toEqual({
      error: 'Identifier with that link_id already exist',
    });
    expect(await send(t, 'GET', '/api/v1/access/identifier/items?filter_field=identifier_number&filter_value=7001')).toMatchObject({
      list_items: [],
    });
  });

  it('lists with the §6 options', async () => {
    await send(t, 'POST', CREATE, { ...cardBody('1'), identifier_type: 'qr', identifier_number: uuid(801) });
    await send(t, 'POST', CREATE, { ...cardBody('1'), identifier_type: 'qr', identifier_number: uuid(802) });
    const page = await send(
      t,
      'GET',
      '/api/v1/access/identifier/items?filter_field=identifier_number&filter_type=contains&filter_value=0000-4000-8000-00000000&sort_field=identifier_number&sort_type=desc',
      undefined,
      200,
      t.managerToken,
    );
    expect(page.list_items.map((i: { identifier_number: string }) => i.identifier_number)).toEqual([uuid(802), uuid(801)]);
    expect(page.list_option.filter).toEqual({
      field: 'identifier_number',
      type: 'contains',
      format: 'string',
      value: '0000-4000-8000-00000000',
    });
    const qr = await send(t, 'GET', '/api/v1/access/identifier/items?filter_field=identifier_type&filter_value=qr');
    expect(qr.list_items.every((i: { identifier_type: string }) => i.identifier_type === 'qr')).toBe(true);
    expect(qr.list_option.pagination.total_items).toBe(3);
    expect(await send(t, 'GET', '/api/v1/access/identifier/items?limit=0', undefined, 400)).toEqual({
      error: 'Wrong query parameter `limit`',
    });
  });

  describe('bulk', () => {
    it('creates, updates, adopts an unlinked identifier with the same number, and refuses a number another holds', async () => {
      const { uid } = await send(t, 'POST', CREATE, cardBody('8000'));
      await send(t, 'POST', CREATE, { ...cardBody('8001'), link_id: uuid(81) });
      const answer = await send(t, 'POST', BULK, {
        list_items: [
          { ...cardBody('8002'), link_id: uuid(80) },
          { ...cardBody('08000'), link_id: uuid(82) },
          { ...cardBody('8001'), link_id: uuid(83) },
          { ...cardBody('8002'), link_id: uuid(84) },
          { ...cardBody('8003', { lock: 'all' }), link_id: uuid(80) },
          { ...cardBody('8002'), link_id: uuid(84) },
        ],
      });
      expect(answer.result).toEqual([
        { link_id: uuid(80), success: true, extended_info: 'created', has_dublicates: false },
        { link_id: uuid(82), success: true, extended_info: 'updated', has_dublicates: false },
        { link_id: uuid(83), success: false, extended_info: 'number_taken_by_another_identifier', has_dublicates: false },
        { link_id: uuid(84), success: false, extended_info: 'number_taken_by_another_identifier', has_dublicates: false },
        { link_id: uuid(80), success: true, extended_info: 'updated', has_dublicates: false },
        { link_id: uuid(84), success: true, extended_info: 'created', has_dublicates: false },
      ]);
      expect(await send(t, 'GET', `${ITEM}/${uid}`)).toMatchObject({ link_id: uuid(82), identifier_number: '08000' });
      expect(await byLinkId(uuid(80))).toMatchObject({ identifier_number: '8003', lock: 'all' });
      expect(await byLinkId(uuid(84))).toMatchObject({ identifier_number: '8002' });
      expect(await byLinkId(uuid(83))).toBeUndefined();
    });

    it('skips links that name nothing and reports the first kind missing', async () => {
      const answer = await send(t, 'POST', BULK, {
        list_items: [
          { ...cardBody('8100'), link_id: uuid(90), time_profiles: { link_ids: [uuid(900), uuid(999)] }, apartment_link_id: uuid(998) },
          { ...cardBody('8101'), link_id: uuid(91), time_profiles: { link_ids: [uuid(901)] }, apartment_link_id: uuid(998) },
          { ...cardBody('8102'), link_id: uuid(92), time_profiles: { link_ids: [uuid(901)] }, apartment_link_id: uuid(950) },
        ],
      });
      expect(answer.result.map((r: { success: boolean }) => r.success)).toEqual([true, true, true]);
      expect(infos(answer)).toEqual(['bound_time_profile_doesnt_exist', 'bound_apartment_doesnt_exist', 'created']);
      expect(await byLinkId(uuid(90))).toMatchObject({ time_profiles: { link_ids: [uuid(900)] }, apartment_link_id: null });
      expect(await byLinkId(uuid(92))).toMatchObject({ time_profiles: { link_ids: [uuid(901)] }, apartment_link_id: uuid(950) });
    });

    it('lets identifiers swap numbers within one request', async () => {
      await send(t, 'POST', BULK, { list_items: [{ ...cardBody('8200'), link_id: uuid(95) }, { ...cardBody('8201'), link_id: uuid(96) }] });
      const swap = [
        { ...cardBody('8202'), link_id: uuid(95) },
        { ...cardBody('8200'), link_id: uuid(96) },
        { ...cardBody('8201'), link_id: uuid(95) },
      ];
      expect(infos(await send(t, 'POST', BULK, { list_items: swap }))).toEqual(['updated', 'updated', 'updated']);
      expect((await byLinkId(uuid(95))).identifier_number).toBe('8201');
      expect((await byLinkId(uuid(96))).identifier_number).toBe('8200');
    });

    it('checks the whole body first: a bad item fails the request and nothing is written', async () => {
      const list_items = [{ ...cardBody('8300'), link_id: uuid(97) }, { ...cardBody('83x'), link_id: uuid(98) }];
      expect(await send(t, 'POST', BULK, { list_items }, 400)).toEqual({
        error: 'Wrong JSON body: value `list_items[1].identifier_number` is out of range',
      });
      expect(await send(t, 'POST', BULK, { list_items: [list_items[0], { ...list_items[0], link_id: undefined }] }, 400)).toEqual({
        error: 'Wrong JSON body: no value for `list_items[1].link_id`',
      });
      expect(await byLinkId(uuid(97))).toBeUndefined();
      expect(await send(t, 'POST', BULK, { list_items: [] }, 400)).toEqual({ error: 'List cannot be empty' });
    });

    it('deletes by link_id', async () => {
      await send(t, 'POST', BULK, { list_items: [{ ...cardBody('8400'), link_id: uuid(99) }] });
      expect(infos(await send(t, 'DELETE', BULK, { link_ids: [uuid(99), uuid(99)] }))).toEqual(['deleted', 'entity_not_found']);
      expect(infos(await send(t, 'POST', '/api/v1/access/identifier/link/delete', { link_ids: [uuid(99)] }))).toEqual(['entity_not_found']);
      expect(await send(t, 'DELETE', BULK, { link_ids: [uuid(1)] }, 403, t.managerToken)).toEqual({
        error: { code: 'permission_denied', message: 'Administrator rights required' },
      });
    });
  });
});

describe.each(STORE_KINDS)('identifier capacity (%s)', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { maxIdentifiers: 2 });
  });
  afterAll(() => t.dispose());

  it('refuses identifiers beyond the capacity, in single writes and per bulk item', async () => {
    await send(t, 'POST', CREATE, cardBody('1'));
    const answer = await send(t, 'POST', BULK, {
      list_items: [
        { ...cardBody('2'), link_id: uuid(1) },
        { ...cardBody('3'), link_id: uuid(2) },
        { ...cardBody('4'), link_id: uuid(1) },
      ],
    });
    expect(answer.result[1]).toEqual({ link_id: uuid(2), success: false, extended_info: 'number_of_identifiers_exceeded', has_dublicates: false });
    expect(infos(answer)).toEqual(['created', 'number_of_identifiers_exceeded', 'updated']);
    expect(await send(t, 'POST', CREATE, cardBody('5'), 400)).toEqual({ error: 'Number of identifiers exceeded' });
    await send(t, 'DELETE', `${ITEM}/1`);
    await send(t, 'POST', CREATE, cardBody('5'));
  });
});
