/**
 * The panels' plain question is answered before Fastify's pipeline on a served app; every other
 * request to the decision route reaches the route, bodies included, and is answered as `inject`
 * answers it (decisions.test.ts runs the whole contract both ways).
 */
import { PassThrough } from 'node:stream';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionFastPath } from '../../../src/api/access/decision-fast-path.ts';
import { loggerOptions } from '../../../src/logging.ts';
import { startTestApp, type HttpAnswer, type TestApp } from '../../helpers/app.ts';
import { cardBody, send } from '../../helpers/access.ts';
import { STORE_KINDS } from '../../helpers/stores.ts';

const KEY = 'panel-device-key-2';
const PATH = '/api/v1/access/remote/validate';
const GRANTED = { handled: true, access: { granted: true, lock_number: 1 } };
const REFUSED = { handled: true, access: { granted: false } };

const seen = (answer: HttpAnswer | { statusCode: number; body: string; headers: Record<string, unknown> }) => ({
  status: answer.statusCode,
  type: answer.headers['content-type'],
  body: answer.body,
});

describe.each(STORE_KINDS)('the panels\u2019 fast path (%s)', (kind) => {
  let t: TestApp;
  /** Requests to the decision path that Fastify's pipeline saw. */
  let reachedFastify = 0;
  const lines: Array<Record<string, any>> = [];
  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    t = await startTestApp(kind, { deviceKey: KEY }, undefined, {
      listen: true,
      logger: loggerOptions('info', stream),
      prepare: (app) =>
        app.addHook('onRequest', (request, _reply, done) => {
          if (request.url.startsWith(PATH)) reachedFastify += 1;
          done();
        }),
    });
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('700', { lock: 'first' }));
  });
  afterAll(() => t.dispose());

  /** A question over the socket, and how many of them Fastify's pipeline saw. */
  async function overSocket(options: { url?: string; payload?: object | string; headers?: Record<string, string>; token?: string | null }) {
    const before = reachedFastify;
    const answer = await t.callOverHttp({ method: 'POST', url: PATH, token: KEY, ...options });
    return { answer, viaFastify: reachedFastify - before };
  }

  it('answers the plain question without Fastify, with the headers Fastify gives', async () => {
    // Fastify's own server settings hold (its keep-alive timeout of 72 s, not Node's 5 s).
    const headers = { 'content-type': 'application/json', connection: 'keep-alive' };
    const body = JSON.stringify({ identifier_number: '700', identifier_type: 'card', extra: { ignored: true } });
    const plain = await overSocket({ payload: body, headers });
    const routed = await overSocket({ url: `${PATH}?key=${KEY}`, payload: body, headers, token: null });
    expect([plain.viaFastify, routed.viaFastify]).toEqual([0, 1]);
    expect(plain.answer.json()).toEqual(GRANTED);
    for (const header of ['content-type', 'content-length', 'connection', 'keep-alive']) {
      expect({ header, value: plain.answer.headers[header] }).toEqual({ header, value: routed.answer.headers[header] });
    }
    expect(plain.answer.headers['keep-alive']).toBe('timeout=72');
    const unknown = await overSocket({ payload: { identifier_number: '701', identifier_type: 'inputCode' }, headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
    expect([unknown.viaFastify, unknown.answer.json()]).toEqual([0, REFUSED]);
  });

  it('hands every other request to the route untouched, which answers it', async () => {
    const body = JSON.stringify({ identifier_number: '700', identifier_type: 'card' });
    const cases: Array<{ name: string; url?: string; headers?: Record<string, string>; token?: string | null; status: number }> = [
      { name: 'key parameter', url: `${PATH}?key=${KEY}`, token: null, status: 200 },
      { name: 'trailing slash', url: `${PATH}/`, status: 200 },
      { name: 'lower-case bearer', token: null, headers: { authorization: `bearer ${KEY}` }, status: 200 },
      { name: 'wrong key', token: 'wrong', status: 401 },
      { name: 'no key', token: null, status: 401 },
      { name: 'text body', headers: { 'content-type': 'text/plain' }, status: 400 },
      { name: 'chunked body', headers: { 'transfer-encoding': 'chunked' }, status: 200 },
    ];
    for (const { name, status, ...options } of cases) {
      const { answer, viaFastify } = await overSocket({ payload: body, ...options, headers: { 'content-type': 'application/json', ...options.headers } });
      expect({ name, viaFastify, status: answer.statusCode }).toEqual({ name, viaFastify: 1, status });
      if (status === 200) expect({ name, body: answer.json() }).toEqual({ name, body: GRANTED });
    }
  });

  it('hands a body it cannot answer to the route, which answers it as inject does', async () => {
    const bodies = [
      'not json',
      '',
      'null',
      '[]',
      '{"identifier_type":"card"}',
      '{"identifier_number":700,"identifier_type":"card"}',
      '{"identifier_number":"700","identifier_type":"face_id"}',
      '{"identifier_number":"700","identifier_type":"card","note":"a\\u0000b"}',
      JSON.stringify({ identifier_number: '7'.repeat(1001), identifier_type: 'card' }),
      '\uFEFF{"identifier_number":"700","identifier_type":"card"}',
    ];
    for (const payload of bodies) {
      const { answer, viaFastify } = await overSocket({ payload, headers: { 'content-type': 'application/json' } });
      const injected = await t.call({ method: 'POST', url: PATH, payload, headers: { 'content-type': 'application/json' }, token: KEY });
      expect({ payload, viaFastify, ...seen(answer) }).toEqual({ payload, viaFastify: 1, ...seen(injected) });
    }
  });

  it('logs the two request lines Fastify logs, once per request', async () => {
    lines.length = 0;
    await overSocket({ payload: { identifier_number: '700', identifier_type: 'card' } });
    await overSocket({ payload: '{"identifier_number":7}', headers: { 'content-type': 'application/json' } });
    await overSocket({ url: `${PATH}?key=${KEY}`, payload: { identifier_number: '700', identifier_type: 'card' }, token: null });
    const requests = lines.filter((line) => line.msg === 'incoming request' || line.msg === 'request completed');
    expect(requests.map((line) => line.msg)).toEqual(Array(3).fill(['incoming request', 'request completed']).flat());
    const [fast, replayed, routed] = [0, 2, 4].map((i) => requests.slice(i, i + 2));
    for (const pair of [fast, replayed, routed]) {
      expect(pair[0].reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(pair[1].reqId).toBe(pair[0].reqId);
      expect(typeof pair[1].responseTime).toBe('number');
    }
    expect(fast[0].req).toEqual({ method: 'POST', url: PATH, remoteAddress: '127.0.0.1' });
    expect(fast[1].res).toEqual({ statusCode: 200 });
    expect(replayed[1].res).toEqual({ statusCode: 400 });
    expect(Object.keys(fast[0]).sort()).toEqual(Object.keys(routed[0]).sort());
    expect(Object.keys(fast[1]).sort()).toEqual(Object.keys(routed[1]).sort());
  });
});

describe('the panels\u2019 fast path, by itself', () => {
  const request = (headers: Record<string, string>, method = 'POST') => {
    const req = new PassThrough() as unknown as http.IncomingMessage;
    Object.assign(req, { method, url: PATH, headers: { 'content-type': 'application/json', 'content-length': '2', authorization: `Bearer ${KEY}`, ...headers } });
    return req;
  };
  const path = (closing: boolean, deviceKey: string | undefined) =>
    decisionFastPath({
      decisions: { decide: () => ({ granted: false }) },
      deviceKey,
      bodyLimit: 1 << 20,
      log: { isLevelEnabled: () => false } as never,
      genReqId: () => 'id',
      closing: () => closing,
    });

  it('leaves to Fastify what comes in while the app closes, and everything when no key is set', () => {
    const handedOn: string[] = [];
    const res = {} as http.ServerResponse;
    path(true, KEY)(request({}), res, () => handedOn.push('closing'));
    path(false, undefined)(request({}), res, () => handedOn.push('no key'));
    path(false, KEY)(request({ 'content-length': '5000' }), res, () => handedOn.push('too long'));
    path(false, KEY)(request({ 'content-encoding': 'gzip' }), res, () => handedOn.push('encoded'));
    path(false, KEY)(request({}, 'PUT'), res, () => handedOn.push('put'));
    path(false, KEY)(request({}), res, () => handedOn.push('plain'));
    expect(handedOn).toEqual(['closing', 'no key', 'too long', 'encoded', 'put']);
  });
});
