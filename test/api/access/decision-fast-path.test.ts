/**
 * The panels' plain question is answered on its connection, before Node's HTTP parser and
 * Fastify's pipeline, on a served app; every other request to the decision route reaches the
 * route, bodies included, and is answered as `inject` answers it (decisions.test.ts runs the whole
 * contract both ways). Requests sent back to back are answered in order, whoever answers them.
 */
import http from 'node:http';
import { PassThrough } from 'node:stream';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decisionFastPath } from '../../../src/api/access/decision-fast-path.ts';
import type { AccessDecisions, Decision } from '../../../src/directory/access-decisions.ts';
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

/** An answer as it came over the wire: its status, header names in order, headers, body. */
interface RawAnswer {
  status: number;
  names: string[];
  headers: Record<string, string>;
  body: string;
}

/** The whole answers in `raw`, in order. */
function answersIn(raw: string): RawAnswer[] {
  const answers: RawAnswer[] = [];
  let at = 0;
  for (;;) {
    const end = raw.indexOf('\r\n\r\n', at);
    if (end < 0) return answers;
    const lines = raw.slice(at, end).split('\r\n');
    const fields = lines.slice(1).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]);
    const headers = Object.fromEntries(fields.map(([name, value]) => [name.toLowerCase(), value]));
    // Node's own 400 is chunked and empty; every other answer here has a Content-Length.
    const last = headers['transfer-encoding'] === 'chunked' ? raw.indexOf('0\r\n\r\n', end + 4) : -1;
    const length = last >= 0 ? last + 5 - (end + 4) : Number(headers['content-length'] ?? 0);
    if (raw.length < end + 4 + length) return answers;
    answers.push({ status: Number(lines[0].split(' ')[1]), names: fields.map(([name]) => name), headers, body: raw.slice(end + 4, end + 4 + length) });
    at = end + 4 + length;
  }
}

/** A request's bytes, as a panel sends it (Host, Content-Type, Authorization, Content-Length). */
function question(number: string, options: { key?: string; headers?: string[]; body?: string; line?: string } = {}): string {
  const body = options.body ?? JSON.stringify({ identifier_number: number, identifier_type: 'card' });
  const headers = options.headers ?? ['Host: 127.0.0.1', 'Content-Type: application/json', `Authorization: Bearer ${options.key ?? KEY}`, `Content-Length: ${Buffer.byteLength(body)}`];
  return `${options.line ?? `POST ${PATH} HTTP/1.1`}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Sends `writes` on one connection (a few milliseconds apart) and reads until `count` answers are
 * in (100 Continue included) or the server closes the connection.
 */
function exchange(port: number, writes: string[], count: number): Promise<{ answers: RawAnswer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let raw = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers: answersIn(raw), closed });
    };
    const timer = setTimeout(done, 5000);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      raw += chunk;
      if (answersIn(raw).length >= count) setTimeout(done, 20);
    });
    socket.on('end', () => {
      closed = true;
      done();
    });
    socket.on('error', reject);
    socket.on('connect', async () => {
      for (const write of writes) {
        socket.write(write, 'latin1');
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

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
    // Every header and its order: 'answers with the bytes Fastify sends'.
    expect(plain.answer.headers['keep-alive']).toBe('timeout=72');
    const unknown = await overSocket({ payload: { identifier_number: '701', identifier_type: 'inputCode' }, headers: { 'content-type': 'Application/JSON; charset=UTF-8' } });
    expect([unknown.viaFastify, unknown.answer.json()]).toEqual([0, REFUSED]);
  });

  /** Answers to `writes` on one connection, and how many requests Fastify's pipeline saw. */
  async function onOneConnection(writes: string[], count: number) {
    const before = reachedFastify;
    const { port } = t.app.server.address() as net.AddressInfo;
    const result = await exchange(port, writes, count);
    return { ...result, viaFastify: reachedFastify - before };
  }

  it('answers questions sent back to back in order, and hands the connection to Node at the first other request', async () => {
    const fast = await onOneConnection([question('700') + question('999') + question('700')], 3);
    expect(fast.answers.map((a) => [a.status, JSON.parse(a.body)])).toEqual([
      [200, GRANTED],
      [200, REFUSED],
      [200, GRANTED],
    ]);
    expect(fast.viaFastify).toBe(0);
    // The second is Fastify's (401), and so is the third: the connection is Node's from the second on.
    const mixed = await onOneConnection([question('700') + question('700', { key: 'wrong' }) + question('700')], 3);
    expect(mixed.answers.map((a) => [a.status, JSON.parse(a.body)])).toEqual([
      [200, GRANTED],
      [401, { error: 'Log In' }],
      [200, GRANTED],
    ]);
    expect(mixed.viaFastify).toBe(2);
  });

  it('reads a question that comes in pieces, and answers after a store read in order', async () => {
    const text = question('700');
    const pieces = [text.slice(0, 3), text.slice(3, 60), text.slice(60, text.length - 5), text.slice(text.length - 5)];
    const split = await onOneConnection(pieces, 1);
    expect([split.viaFastify, split.answers.map((a) => JSON.parse(a.body))]).toEqual([0, [GRANTED]]);
    // A write drops the kept facts: the first question reads the store, the second waits for it.
    await send(t, 'POST', '/api/v1/access/identifier', cardBody('702', { lock: 'all' }));
    const afterWrite = await onOneConnection([question('702') + question('700') + question('703')], 3);
    expect([afterWrite.viaFastify, afterWrite.answers.map((a) => JSON.parse(a.body))]).toEqual([
      0,
      [{ handled: true, access: { granted: true, lock_number: 0 } }, GRANTED, REFUSED],
    ]);
  });

  it('answers with the bytes Fastify sends, and closes the connection when asked to', async () => {
    const routedLine = `POST ${PATH}?key=${KEY} HTTP/1.1`;
    for (const connection of ['keep-alive', 'close']) {
      const body = JSON.stringify({ identifier_number: '700', identifier_type: 'card' });
      const headers = (auth: string[]) => ['Host: 127.0.0.1', 'Content-Type: application/json', `Connection: ${connection}`, ...auth, `Content-Length: ${body.length}`];
      const fast = await onOneConnection([question('700', { headers: headers([`Authorization: Bearer ${KEY}`]), body })], 1);
      const routed = await onOneConnection([question('700', { line: routedLine, headers: headers([]), body })], 1);
      expect([fast.viaFastify, routed.viaFastify]).toEqual([0, 1]);
      const [mine, theirs] = [fast.answers[0], routed.answers[0]];
      expect({ connection, names: mine.names, headers: { ...mine.headers, date: 'now' }, body: mine.body }).toEqual({
        connection,
        names: theirs.names,
        headers: { ...theirs.headers, date: 'now' },
        body: theirs.body,
      });
      expect(mine.headers.date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect([fast.closed, routed.closed]).toEqual([connection === 'close', connection === 'close']);
    }
  });

  it('leaves every request that is not exactly the plain form to Node', async () => {
    const body = JSON.stringify({ identifier_number: '700', identifier_type: 'card' });
    const plain = ['Host: 127.0.0.1', 'Content-Type: application/json', `Authorization: Bearer ${KEY}`, `Content-Length: ${body.length}`];
    const padded = JSON.stringify({ identifier_number: '700', identifier_type: 'card', note: 'x'.repeat(5000) });
    const cases: Array<{ name: string; request: string; status: number[]; viaFastify: number }> = [
      { name: 'HTTP/1.0', request: question('700', { line: `POST ${PATH} HTTP/1.0` }), status: [200], viaFastify: 1 },
      { name: 'no Host', request: question('700', { headers: plain.slice(1) }), status: [400], viaFastify: 0 },
      { name: 'two Content-Lengths', request: question('700', { headers: [...plain, `Content-Length: ${body.length}`] }), status: [400], viaFastify: 0 },
      { name: 'space before the colon', request: question('700', { headers: [...plain.slice(0, 3), `Content-Length : ${body.length}`] }), status: [400], viaFastify: 0 },
      { name: 'Expect', request: question('700', { headers: [...plain, 'Expect: 100-continue'] }), status: [100, 200], viaFastify: 1 },
      { name: 'Connection: upgrade', request: question('700', { headers: [...plain, 'Connection: upgrade'] }), status: [200], viaFastify: 1 },
      { name: 'over 4 KB', request: question('700', { body: padded, headers: [...plain.slice(0, 3), `Content-Length: ${padded.length}`] }), status: [200], viaFastify: 1 },
      { name: 'key with a NUL', request: question('700', { headers: [...plain.slice(0, 2), `Authorization: Bearer ${KEY}\u0000`, plain[3]] }), status: [400], viaFastify: 0 },
    ];
    for (const { name, request, status, viaFastify } of cases) {
      const seenNow = await onOneConnection([request], status.length);
      expect({ name, status: seenNow.answers.map((a) => a.status), viaFastify: seenNow.viaFastify }).toEqual({ name, status, viaFastify });
    }
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


describe.each(STORE_KINDS)('the panels\u2019 connections when the app closes (%s)', (kind) => {
  it('are let go when idle, so that the close does not wait for them', async () => {
    const t = await startTestApp(kind, { deviceKey: KEY }, undefined, { listen: true });
    try {
      const { port } = t.app.server.address() as net.AddressInfo;
      const socket = net.connect(port, '127.0.0.1');
      const closed = new Promise<boolean>((resolve) => socket.on('close', () => resolve(true)));
      const answered = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
      socket.write(question('700'));
      expect(await answered).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      // Node's server waits for every open connection; a kept-alive panel would hold it 72 s.
      const closing = t.app.close().then(() => true);
      const late = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3000));
      expect(await Promise.race([closing, late])).toBe(true);
      expect(await Promise.race([closed, late])).toBe(true);
    } finally {
      await t.dispose();
    }
  });
});

describe('the panels\u2019 fast path, by itself', () => {
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('answers in order while an answer waits for the store, hands on the exact bytes, and lets idle panels go', async () => {
    let release: () => void = () => undefined;
    const slow = new Promise<Decision>((resolve) => (release = () => resolve({ granted: true, lockNumber: 2 })));
    const decisions = { decide: (_type: string, number: string) => (number === 'slow' ? slow : { granted: false }) } as unknown as AccessDecisions;
    const path = decisionFastPath(http.createServer(), {
      decisions,
      deviceKey: KEY,
      bodyLimit: 1 << 20,
      log: { isLevelEnabled: () => false } as never,
      genReqId: () => 'id',
    });
    /** What reached "Node" (here: a listener that keeps the bytes), per connection handed on. */
    const handed: string[] = [];
    const listener = net.createServer((socket) =>
      path.connection(socket, (node) => {
        const at = handed.push('') - 1;
        node.setEncoding('latin1');
        node.on('data', (chunk: string) => (handed[at] += chunk));
      }),
    );
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = listener.address() as net.AddressInfo;
      const panel = net.connect(port, '127.0.0.1');
      let raw = '';
      panel.setEncoding('latin1');
      panel.on('data', (chunk: string) => (raw += chunk));
      const closed = new Promise<void>((resolve) => panel.on('close', () => resolve()));
      await new Promise((resolve) => panel.on('connect', resolve));

      // The second question comes while the first waits for the store: it waits too.
      panel.write(question('slow'));
      await pause(20);
      panel.write(question('other'));
      await pause(20);
      expect(answersIn(raw)).toEqual([]);
      release();
      await pause(20);
      expect(answersIn(raw).map((a) => JSON.parse(a.body))).toEqual([{ handled: true, access: { granted: true, lock_number: 2 } }, REFUSED]);

      // The first request that is not the plain question goes on with its bytes and all after it.
      const rest = question('other', { key: 'wrong' }) + 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
      panel.write(question('other') + rest);
      await pause(20);
      expect(answersIn(raw)).toHaveLength(3);
      expect(handed).toEqual([rest]);

      // Closing: an idle panel's connection goes; a new one is Node's from its first byte.
      const idle = net.connect(port, '127.0.0.1');
      const idleClosed = new Promise<void>((resolve) => idle.on('close', () => resolve()));
      idle.on('error', () => undefined);
      // Read, or the server's close never shows (a socket that is not read sees no end).
      idle.resume();
      await new Promise((resolve) => idle.on('connect', resolve));
      idle.write(question('other'));
      await pause(20);
      path.close();
      await idleClosed;
      const late = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => late.on('connect', resolve));
      late.write(question('other'));
      await pause(20);
      expect(handed).toEqual([rest, question('other')]);
      late.destroy();
      panel.destroy();
      await closed;
    } finally {
      listener.close();
    }
  });
});
