/**
 * Access decisions keep the facts of a presented number until the store's data may have changed:
 * a panel asking again costs no query, and no change — through this process, or committed by
 * another process on the same store — is missed by the next decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../helpers/app.ts';
import { cardBody, nowSeconds, profileBody, send, userBody, uuid } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const KEY = 'panel-device-key-cache';
const GRANTED = (lock_number: number) => ({ handled: true, access: { granted: true, lock_number } });
const REFUSED = { handled: true, access: { granted: false } };

async function validate(t: TestApp, number: string, type = 'card') {
  const response = await t.call({
    method: 'POST',
    url: '/api/v1/access/remote/validate',
    payload: { identifier_number: number, identifier_type: type },
    token: KEY,
  });
  expect(response.statusCode).toBe(200);
  return response.json();
}

/** Polls until `check` holds (PostgreSQL's change listener connects, and notifications arrive, asynchronously). */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within 3 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(STORE_KINDS)('cached decision facts (%s)', (kind) => {
  let t: TestApp;
  let other: TestApp;
  let queries = 0;
  beforeAll(async () => {
    t = await startTestApp(kind, { deviceKey: KEY }, undefined, { onQuery: () => (queries += 1) });
    // A second server process on the same store: its own connections (and, on PostgreSQL, listener).
    other = await startTestApp(kind, { deviceKey: KEY }, t.location);
  });
  afterAll(async () => {
    await other.stop();
    await t.dispose();
  });

  /** The decision for `number`, and how many queries it cost. */
  async function decide(number: string, type = 'card') {
    const before = queries;
    const answer = await validate(t, number, type);
    return { answer, queries: queries - before };
  }

  /** Presents `number` until its facts are kept (a decision that costs no query), expecting `answer` throughout. */
  async function cached(number: string, answer: unknown, type = 'card') {
    await eventually(async () => {
      const result = await decide(number, type);
      expect(result.answer).toEqual(answer);
      return result.queries === 0;
    }, `${number} answered from the cache`);
  }

  it('answers a number asked about again without a query, known or unknown', async () => {
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('7001'));
    await cached('7001', GRANTED(1));
    await cached('7999', REFUSED);
  });

  it('keeps the facts of each presented type apart: a PIN code is not the card with its digits', async () => {
    await send(t, 'POST', '/api/v1/access/identifier', { identifier_type: 'input_code', identifier_number: '7020', lock: 'second' });
    await cached('7020', REFUSED);
    await cached('7020', GRANTED(2), 'input_code');
    expect(await decide('7020')).toEqual({ answer: REFUSED, queries: 0 });
    expect(await decide('7020', 'input_code')).toEqual({ answer: GRANTED(2), queries: 0 });
    expect(await decide('7020', 'inputCode')).toEqual({ answer: GRANTED(2), queries: 0 });
  });

  it('panels asking about the same number at once share one read', async () => {
    await cached('7001', GRANTED(1)); // the store can tell its data version (PostgreSQL's listener is up)
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('7005'));
    const before = queries;
    const answers = await Promise.all(Array.from({ length: 20 }, () => validate(t, '7005')));
    expect(answers).toEqual(Array.from({ length: 20 }, () => GRANTED(1)));
    expect(queries - before).toBe(1);
  });

  it('keeps its facts through a write that is refused, or that only reads', async () => {
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('7010'));
    await cached('7010', GRANTED(1));
    // The same number again: refused, the transaction rolled back, nothing changed.
    expect(await send(t, 'POST', '/api/v1/access/identifier', cardBody('7010', { lock: 'all' }), 400)).toEqual({
      error: 'Identifier with that type and number already exist',
    });
    expect(await t.store.transaction(async (tx) => (await tx.selectFrom('identifiers').select('id').execute()).length > 0)).toBe(true);
    expect(await decide('7010')).toEqual({ answer: GRANTED(1), queries: 0 });
  });

  it('sees every change made through the API at the next decision', async () => {
    const uid = (await send(t, 'POST', '/api/v1/access/identifier', cardBody('7002'))).uid as number;
    await cached('7002', GRANTED(1));
    await send(t, 'PATCH', `/api/v1/access/identifier/item/${uid}`, cardBody('7002', { lock: 'second' }));
    expect((await decide('7002')).answer).toEqual(GRANTED(2));

    // An unknown number, kept as unknown, then registered.
    await cached('7003', REFUSED);
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('7003', { lock: 'all' }));
    expect((await decide('7003')).answer).toEqual(GRANTED(0));

    // The owner's time profile: attached, then edited to a window that has passed.
    const now = nowSeconds();
    const profile = (await send(t, 'POST', '/api/v1/access/timeprofile', { ...profileBody(now - 3600, now + 3600), link_id: uuid(7100) })).uid;
    const owner = (await send(t, 'POST', '/api/v1/access/users/item', userBody('Cached owner'))).item_uid;
    await send(t, 'POST', `/api/v1/access/user/${owner}/identifier/${uid}`);
    await send(t, 'POST', `/api/v1/access/user/${owner}/timeprofile/${profile}`);
    await cached('7002', GRANTED(2));
    await send(t, 'PATCH', `/api/v1/access/timeprofile/item/${profile}`, profileBody(now - 7200, now - 3600));
    expect((await decide('7002')).answer).toEqual(REFUSED);

    // The owner deleted (the card stays, without the owner's profile), then the card itself.
    await cached('7002', REFUSED);
    await send(t, 'DELETE', `/api/v1/access/users/item/${owner}`);
    expect((await decide('7002')).answer).toEqual(GRANTED(2));
    await send(t, 'DELETE', `/api/v1/access/identifier/item/${uid}`);
    expect((await decide('7002')).answer).toEqual(REFUSED);
  });

  it("sees another process's commits", async () => {
    const uid = (await send(t, 'POST', '/api/v1/access/identifier', cardBody('7004'))).uid as number;
    await cached('7004', GRANTED(1));
    await send(other, 'PATCH', `/api/v1/access/identifier/item/${uid}`, cardBody('7004', { lock: 'all' }));
    await eventually(async () => JSON.stringify((await decide('7004')).answer) === JSON.stringify(GRANTED(0)), 'the other process\'s edit seen');
    await cached('7004', GRANTED(0));
    await send(other, 'DELETE', `/api/v1/access/identifier/item/${uid}`);
    await eventually(async () => JSON.stringify((await decide('7004')).answer) === JSON.stringify(REFUSED), 'the other process\'s delete seen');
  });
});
