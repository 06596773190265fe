import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type HttpCall, type TestApp } from '../../helpers/app.ts';
import { cardBody, nowSeconds, profileBody, send, userBody, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const KEY = 'panel-device-key-1';
const GRANTED = (lock_number: number) => ({ handled: true, access: { granted: true, lock_number } });
const REFUSED = { handled: true, access: { granted: false } };

/**
 * Each case through Fastify's `inject` and through a real socket: a served app answers the plain
 * question before Fastify (decision-fast-path.ts), and must answer it the same.
 */
const CASES = STORE_KINDS.flatMap((kind) => (['inject', 'socket'] as const).map((via) => [kind, via] as const));
const asker = (t: TestApp, via: 'inject' | 'socket') => (options: HttpCall) =>
  via === 'inject' ? t.call(options as Parameters<TestApp['call']>[0]) : t.callOverHttp(options);

describe.each(CASES)('access decisions (%s, %s)', (kind, via) => {
  let t: TestApp;
  let ask: ReturnType<typeof asker>;
  beforeAll(async () => {
    t = await startTestApp(kind, { deviceKey: KEY }, undefined, { listen: via === 'socket' });
    ask = asker(t, via);
  });
  afterAll(() => t.dispose());

  async function validate(number: string, type = 'card') {
    const response = await ask({
      method: 'POST',
      url: '/api/v1/access/remote/validate',
      payload: { identifier_number: number, identifier_type: type },
      token: KEY,
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }
  const card = async (number: string, extra: Record<string, unknown> = {}) =>
    (await send(t, 'POST', '/api/v1/access/identifier', cardBody(number, extra))).uid as number;
  const passesUsed = async (uid: number) => (await send(t, 'GET', `/api/v1/access/identifier/item/${uid}`)).valid.passes.used;

  it('accepts the device key as a Bearer token or a key parameter, and nothing else', async () => {
    await card('100');
    const body = { identifier_number: '100', identifier_type: 'card' };
    const call = (url: string, token: string | null) => ask({ method: 'POST', url, payload: body, token });
    expect((await call('/api/v1/access/remote/validate', KEY)).json()).toEqual(GRANTED(1));
    expect((await call(`/api/v1/access/remote/validate?key=${KEY}`, null)).json()).toEqual(GRANTED(1));
    for (const [url, token] of [
      ['/api/v1/access/remote/validate', null],
      ['/api/v1/access/remote/validate', 'wrong'],
      ['/api/v1/access/remote/validate?key=wrong', null],
      ['/api/v1/access/remote/validate', t.adminToken],
    ] as const) {
      const response = await call(url, token);
      expect({ url, token, status: response.statusCode, body: response.json() }).toEqual({ url, token, status: 401, body: { error: 'Log In' } });
    }
  });

  it('names the field of a bad body', async () => {
    const call = (payload: unknown) =>
      ask({ method: 'POST', url: '/api/v1/access/remote/validate', payload: payload as object, token: KEY });
    expect((await call({ identifier_number: '1', identifier_type: 'face_id' })).json()).toEqual({
      error: 'Wrong JSON body: value `identifier_type` is out of range',
    });
    expect((await call({ identifier_type: 'card' })).json()).toEqual({ error: 'Wrong JSON body: no value for `identifier_number`' });
    expect((await call({ identifier_type: 'card', identifier_number: 5 })).json()).toEqual({
      error: 'Wrong JSON body: value `identifier_number` was of the wrong type',
    });
  });

  it('grants a known identifier with the lock number of its lock, and refuses an unknown one', async () => {
    await card('201', { lock: 'first' });
    await card('ab:cd:02', { lock: 'second' });
    await card('203', { lock: 'all' });
    await send(t, 'POST', '/api/v1/access/identifier', { identifier_type: 'input_code', identifier_number: '0042', lock: 'first' });
    await send(t, 'POST', '/api/v1/access/identifier', { identifier_type: 'qr', identifier_number: uuid(204), lock: 'second' });
    expect(await validate('201')).toEqual(GRANTED(1));
    expect(await validate('000201')).toEqual(GRANTED(1));
    expect(await validate('AB-CD-02')).toEqual(GRANTED(2));
    expect(await validate('203')).toEqual(GRANTED(0));
    expect(await validate('0042', 'input_code')).toEqual(GRANTED(1));
    expect(await validate('42', 'input_code')).toEqual(REFUSED);
    expect(await validate(uuid(204).toUpperCase(), 'qr')).toEqual(GRANTED(2));
    expect(await validate('999999')).toEqual(REFUSED);
    expect(await validate('not a card number')).toEqual(REFUSED);
    expect(await validate('0042')).toEqual(REFUSED); // a card 0042 is not the PIN code 0042
  });

  it('grants inside the validity window only', async () => {
    const now = nowSeconds();
    await card('301', { valid: { time: { is_permanent: false, from: now - 60, to: now + 3600 } } });
    await card('302', { valid: { time: { is_permanent: false, from: now - 7200, to: now - 3600 } } });
    await card('303', { valid: { time: { is_permanent: false, from: now + 3600, to: now + 7200 } } });
    expect(await validate('301')).toEqual(GRANTED(1));
    expect(await validate('302')).toEqual(REFUSED);
    expect(await validate('303')).toEqual(REFUSED);
  });

  it("grants inside an attached time profile's window only, the identifier's and its owner's", async () => {
    const now = nowSeconds();
    const inside = { ...profileBody(now - 3600, now + 3600), link_id: uuid(400) };
    const outside = { ...profileBody(now + 3600, now + 7200), link_id: uuid(401) };
    await send(t, 'POST', '/api/v1/access/timeprofile/items/link', { list_items: [inside, outside] });

    await card('401', { time_profiles: { link_ids: [uuid(400)] } });
    await card('402', { time_profiles: { link_ids: [uuid(401)] } });
    await card('403', { time_profiles: { link_ids: [uuid(401), uuid(400)] } });
    expect(await validate('401')).toEqual(GRANTED(1));
    expect(await validate('402')).toEqual(REFUSED);
    expect(await validate('403')).toEqual(GRANTED(1));

    // The owner's profiles count too: outside its window, its identifiers are refused.
    const owner = (await send(t, 'POST', '/api/v1/access/users/item', userBody('Owner'))).item_uid;
    const mine = await card('404');
    await send(t, 'POST', `/api/v1/access/user/${owner}/identifier/${mine}`);
    expect(await validate('404')).toEqual(GRANTED(1));
    const { uid: later } = await send(t, 'GET', `/api/v1/access/timeprofile/items?filter_field=link_id&filter_value=${uuid(401)}`).then(
      (page) => page.list_items[0],
    );
    await send(t, 'POST', `/api/v1/access/user/${owner}/timeprofile/${later}`);
    expect(await validate('404')).toEqual(REFUSED);
    const { uid: current } = (await send(t, 'GET', `/api/v1/access/timeprofile/items?filter_field=link_id&filter_value=${uuid(400)}`))
      .list_items[0];
    await send(t, 'POST', `/api/v1/access/user/${owner}/timeprofile/${current}`);
    expect(await validate('404')).toEqual(GRANTED(1));
    // Both must hold: the owner is inside, the identifier's own profile is not.
    await send(t, 'PATCH', `/api/v1/access/identifier/item/${mine}`, cardBody('404', { time_profiles: { link_ids: [uuid(401)] } }));
    expect(await validate('404')).toEqual(REFUSED);
  });

  it('uses one pass per grant, none per refusal, and refuses once they are used up', async () => {
    const now = nowSeconds();
    const limited = await card('501', { valid: { passes: { is_permanent: false, max_passes: 2 } } });
    expect(await validate('501')).toEqual(GRANTED(1));
    expect(await passesUsed(limited)).toBe(1);
    expect(await validate('501')).toEqual(GRANTED(1));
    expect(await validate('501')).toEqual(REFUSED);
    expect(await passesUsed(limited)).toBe(2);

    // The same limit rewritten keeps the count; a new limit starts again.
    await send(t, 'PATCH', `/api/v1/access/identifier/item/${limited}`, cardBody('501', { valid: { passes: { is_permanent: false, max_passes: 2 } } }));
    expect(await validate('501')).toEqual(REFUSED);
    await send(t, 'PATCH', `/api/v1/access/identifier/item/${limited}`, cardBody('501', { valid: { passes: { is_permanent: false, max_passes: 1 } } }));
    expect(await validate('501')).toEqual(GRANTED(1));
    expect(await validate('501')).toEqual(REFUSED);

    const expired = await card('502', {
      valid: { time: { is_permanent: false, from: now - 100, to: now - 50 }, passes: { is_permanent: false, max_passes: 3 } },
    });
    expect(await validate('502')).toEqual(REFUSED);
    expect(await passesUsed(expired)).toBe(0);
  });

  it('never grants more passes than allowed to concurrent panels', async () => {
    const uid = await card('601', { valid: { passes: { is_permanent: false, max_passes: 5 } } });
    const answers = await Promise.all(Array.from({ length: 20 }, () => validate('601')));
    expect(answers.filter((a) => a.access.granted)).toHaveLength(5);
    expect(answers.filter((a) => !a.access.granted)).toHaveLength(15);
    expect(await passesUsed(uid)).toBe(5);
  });
});

describe.each(CASES)('access decisions without a decision (%s, %s)', (kind, via) => {
  it('refuses every caller when no device key is configured', async () => {
    const t = await startTestApp(kind, { deviceKey: undefined }, undefined, { listen: via === 'socket' });
    try {
      const response = await asker(t, via)({
        method: 'POST',
        url: '/api/v1/access/remote/validate?key=',
        payload: { identifier_number: '1', identifier_type: 'card' },
        token: 'anything',
      });
      expect([response.statusCode, response.json()]).toEqual([401, { error: 'Log In' }]);
    } finally {
      await t.dispose();
    }
  });

  it('answers handled:false when the store cannot answer', async () => {
    const t = await startTestApp(kind, { deviceKey: KEY }, undefined, { listen: via === 'socket' });
    try {
      await send(t, 'POST', '/api/v1/access/identifier', cardBody('1'));
      await t.store.close();
      const response = await asker(t, via)({
        method: 'POST',
        url: '/api/v1/access/remote/validate',
        payload: { identifier_number: '1', identifier_type: 'card' },
        token: KEY,
      });
      expect([response.statusCode, response.json()]).toEqual([200, { handled: false }]);
    } finally {
      await t.dispose();
    }
  });
});
