/**
 * The panels' plain question, answered on the connection itself, before Node's HTTP parser and
 * Fastify's request pipeline.
 *
 * A decision is a ~200-byte request and a one-line answer, asked tens of thousands of times a
 * second. Measured under 50 panels, Node's HTTP objects (IncomingMessage, ServerResponse, their
 * streams and events) cost a server ~10 µs of user CPU per request, Fastify's pipeline ~13 µs
 * more, and the decision itself under 1 µs when its facts are kept. On a two-core machine that
 * shares its cores with the panels' side, each of those microseconds shows in the p99.
 *
 * So a new connection is read here first. Each request on it that is, byte for byte, the plain
 * question is answered here:
 * - the request line `POST /api/v1/access/remote/validate HTTP/1.1`;
 * - well-formed header lines (a token, a colon, a value without control characters), among them
 *   exactly one `Host`, `Content-Length` (at most 4 KB, and within the body limit),
 *   `Content-Type: application/json` (`; charset=utf-8` allowed) and
 *   `Authorization: Bearer <device key>` (compared in constant time), at most one `Connection`
 *   (`keep-alive` or `close`), and none of `Transfer-Encoding`, `Content-Encoding`, `Expect`,
 *   `Upgrade`, `TE` or `Trailer`;
 * - a body that holds what the route's schema accepts: a JSON object with `identifier_number`
 *   (a text of at most 1000 characters) and `identifier_type` (one of PRESENTED_TYPES), and no
 *   `\u0000` escape (the route refuses NUL in any text of a body).
 * The answer has the bytes Node and Fastify would send (status line, the same headers in the same
 * order, `Keep-Alive` with the server's timeout), requests sent back to back are answered in order,
 * and with `info` logging on each logs the same two lines as Fastify's, with a `reqId`.
 *
 * The first request that is anything else hands the connection, with every byte not yet answered,
 * to Node's HTTP server, which parses it as it parses any connection: Fastify then answers it and
 * everything after it on that connection (`?key=`, a wrong key, a bad body, another route, a
 * closing app). Nothing is answered here that Node's parser would read differently: what is not
 * exactly the plain form is Node's.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import { sameSecret } from '../../auth/secrets.ts';
import type { AccessDecisions, Decision } from '../../directory/access-decisions.ts';
import type { IdentifierTypeName } from '../../directory/identifiers.ts';

/** The route's path (decisions.ts registers it whole). */
export const DECISION_PATH = '/api/v1/access/remote/validate';

/** The longest body read here; a panel's question is ~60 bytes. Longer ones go to Node and Fastify. */
const MAX_BODY_BYTES = 4096;
/** The longest request head read here (Node's own limit is 16 KB). */
const MAX_HEAD_BYTES = 4096;
const MAX_NUMBER_LENGTH = 1000;
/** Answers not yet sent, in bytes, before the connection stops being read (a panel that does not read). */
const MAX_UNSENT_BYTES = 64 * 1024;
/** The types a panel presents (the route's schema enum; `inputCode` is the spec's other spelling). */
export const PRESENTED_TYPES = ['card', 'input_code', 'inputCode', 'qr'] as const satisfies readonly IdentifierTypeName[];
export type PresentedType = (typeof PRESENTED_TYPES)[number];

/** The store failed: logged, and the panel decides itself (`{"handled":false}`). */
export function decisionFailed(log: FastifyBaseLogger, error: unknown): void {
  log.error({ err: error }, 'access decision failed; the panel decides itself');
}

const REQUEST_LINE = Buffer.from(`POST ${DECISION_PATH} HTTP/1.1\r\n`, 'latin1');
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const TYPES = new Set<string>(PRESENTED_TYPES);
/** RFC 9110 token: what a header name is made of. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Control characters Node's parser refuses in a header value (tab is allowed). */
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
/** Headers that change how the request is framed or answered: such a request is Node's. */
const FRAMING = new Set(['transfer-encoding', 'content-encoding', 'expect', 'upgrade', 'te', 'trailer']);

/** The answers, as Fastify's serialiser writes them for the route's response schema. */
const GRANTED = [0, 1, 2].map((lock) => `{"handled":true,"access":{"granted":true,"lock_number":${lock}}}`);
const REFUSED = '{"handled":true,"access":{"granted":false}}';
const NOT_HANDLED = '{"handled":false}';

export interface DecisionFastPathOptions {
  decisions: AccessDecisions;
  /** GATEHOUSE_DEVICE_KEY; undefined: every connection goes to Node, and Fastify refuses it. */
  deviceKey: string | undefined;
  /** The app's body limit: a body over it is Fastify's to refuse. */
  bodyLimit: number;
  log: FastifyBaseLogger;
  /** The app's request ids (the `reqId` of log lines). */
  genReqId: () => string;
}

/** Fastify's logger when logging is off (`logger: false`) has no isLevelEnabled: nothing is enabled. */
function infoEnabled(log: FastifyBaseLogger): boolean {
  const enabled = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return enabled?.call(log, 'info') === true;
}

/** Node's Date header, made once a second. */
let dateSecond = -1;
let dateText = '';
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(second * 1000).toUTCString();
  }
  return dateText;
}

/** The body's question, or undefined when it is not exactly what the route's schema accepts. */
function questionOf(text: string): { type: PresentedType; number: string } | undefined {
  // JSON text holds a NUL only as an escape; the route refuses NUL in any text of the body.
  if (text.includes('\\u0000')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const { identifier_number: number, identifier_type: type } = body as Record<string, unknown>;
  // Length in UTF-16 units is never below Ajv's maxLength count (code points).
  if (typeof number !== 'string' || number.length > MAX_NUMBER_LENGTH || typeof type !== 'string' || !TYPES.has(type)) return undefined;
  return { type: type as PresentedType, number };
}

/** What a request's head says, when it is the plain question's; undefined when it is not. */
interface Head {
  length: number;
  close: boolean;
}

/**
 * Reads the header lines of `head` (the text after the request line, up to the blank line).
 * Undefined: the request is not exactly the plain question's form, and is Node's to read.
 */
function readHead(head: string, authorization: string, maxBytes: number): Head | undefined {
  let length: number | undefined;
  let type: string | undefined;
  let given: string | undefined;
  let host = false;
  let connection: string | undefined;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) return undefined;
    // Only spaces and tabs around a value are not part of it (as Node reads it).
    let from = colon + 1;
    let to = line.length;
    while (from < to && (line.charCodeAt(from) === 32 || line.charCodeAt(from) === 9)) from += 1;
    while (to > from && (line.charCodeAt(to - 1) === 32 || line.charCodeAt(to - 1) === 9)) to -= 1;
    const value = line.slice(from, to);
    // A lone CR or LF inside a line, or any other control character, is Node's to refuse.
    if (CONTROL.test(value)) return undefined;
    const field = name.toLowerCase();
    switch (field) {
      case 'content-length':
        if (length !== undefined || !/^\d{1,5}$/.test(value)) return undefined;
        length = Number(value);
        break;
      case 'content-type':
        if (type !== undefined) return undefined;
        type = value.toLowerCase();
        break;
      case 'authorization':
        if (given !== undefined) return undefined;
        given = value;
        break;
      case 'host':
        if (host) return undefined;
        host = true;
        break;
      case 'connection':
        if (connection !== undefined) return undefined;
        connection = value.toLowerCase();
        break;
      default:
        if (FRAMING.has(field)) return undefined;
    }
  }
  if (length === undefined || length > maxBytes || !host || type === undefined || !JSON_TYPES.has(type)) return undefined;
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') return undefined;
  if (given === undefined || !sameSecret(given, authorization)) return undefined;
  return { length, close: connection === 'close' };
}

/** Answers panels' connections; `close()` ends the idle ones when the app closes. */
export interface DecisionFastPath {
  /** Takes a new connection; `node` is the server's own connection listener. */
  connection(socket: Socket, node: (socket: Socket) => void): void;
  /** From now on every connection and request is Node's; idle panels' connections are closed. */
  close(): void;
}

export function decisionFastPath(server: Server, options: DecisionFastPathOptions): DecisionFastPath {
  const { decisions, deviceKey, log, genReqId } = options;
  const maxBytes = Math.min(MAX_BODY_BYTES, options.bodyLimit);
  const authorization = deviceKey === undefined ? undefined : `Bearer ${deviceKey}`;
  const open = new Set<PanelConnection>();
  let closing = false;

  const answer = (decision: Decision) => (decision.granted ? GRANTED[decision.lockNumber] : REFUSED);

  /** One connection while its requests are plain questions. */
  class PanelConnection {
    /** Bytes read and not yet answered (a request's start, or requests sent back to back). */
    private pending: Buffer | undefined = undefined;
    /** An answer that waits for the store: nothing after it is read until it is sent. */
    private waiting = false;
    /** The panel ended its side (it sends nothing more). */
    private endedByPanel = false;
    private readonly onData = (chunk: Buffer) => this.read(chunk);
    private readonly onEnd = () => this.ended();
    private readonly onTimeout = () => this.socket.destroy();
    private readonly onDrain = () => this.socket.resume();
    private readonly onError = () => this.socket.destroy();
    private readonly onClose = () => open.delete(this);

    constructor(
      private readonly socket: Socket,
      private readonly node: (socket: Socket) => void,
    ) {
      open.add(this);
      socket.on('data', this.onData);
      socket.on('end', this.onEnd);
      socket.on('error', this.onError);
      socket.on('close', this.onClose);
      socket.on('drain', this.onDrain);
      // Node's keep-alive timeout for an idle panel (and for one that stops mid-request).
      socket.setTimeout(server.keepAliveTimeout, this.onTimeout);
    }

    get idle(): boolean {
      return !this.waiting && this.pending === undefined;
    }

    /** Answers every whole plain question in the bytes read so far, in order. */
    read(chunk: Buffer | undefined): void {
      const bytes = chunk === undefined ? this.pending : this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
      if (bytes === undefined) return;
      if (this.waiting) {
        this.pending = bytes;
        return;
      }
      let out = '';
      let at = 0;
      while (at < bytes.length) {
        if (closing) return this.handOff(out, bytes.subarray(at));
        const start = at;
        // Not the plain request line, as far as it has come: Node's.
        const line = Math.min(REQUEST_LINE.length, bytes.length - start);
        if (bytes.compare(REQUEST_LINE, 0, line, start, start + line) !== 0) return this.handOff(out, bytes.subarray(start));
        const headEnd = bytes.indexOf('\r\n\r\n', start, 'latin1');
        if (headEnd < 0) {
          if (bytes.length - start > MAX_HEAD_BYTES) return this.handOff(out, bytes.subarray(start));
          break;
        }
        if (headEnd - start > MAX_HEAD_BYTES) return this.handOff(out, bytes.subarray(start));
        const head = readHead(bytes.toString('latin1', start + REQUEST_LINE.length, headEnd), authorization as string, maxBytes);
        if (head === undefined) return this.handOff(out, bytes.subarray(start));
        const bodyStart = headEnd + 4;
        if (bytes.length < bodyStart + head.length) break;
        const question = questionOf(bytes.toString('utf8', bodyStart, bodyStart + head.length));
        if (question === undefined) return this.handOff(out, bytes.subarray(start));
        at = bodyStart + head.length;
        const logged = this.logIncoming();
        const { close } = head;
        let decision: Decision | Promise<Decision>;
        try {
          decision = decisions.decide(question.type, question.number);
        } catch (error) {
          decision = Promise.reject(error);
        }
        if (decision instanceof Promise) {
          // The answer waits for the store; what follows waits for the answer.
          this.write(out);
          out = '';
          this.waiting = true;
          if (at < bytes.length) this.pending = bytes.subarray(at);
          decision.then(
            (made) => this.answered(answer(made), close, logged),
            (error: unknown) => {
              decisionFailed(logged?.log ?? log.child({ reqId: genReqId() }), error);
              this.answered(NOT_HANDLED, close, logged);
            },
          );
          return;
        }
        out += this.response(answer(decision), close, logged);
        // Node, too, reads nothing after a request that closes the connection.
        if (close) return this.finish(out);
      }
      if (at < bytes.length) this.pending = bytes.subarray(at);
      this.write(out);
    }

    /** An answer that waited for the store is in: sent, then what came meanwhile is read. */
    private answered(body: string, close: boolean, logged: RequestLog | undefined): void {
      this.waiting = false;
      if (this.socket.destroyed) return;
      // The app closed meanwhile: this answer is the connection's last.
      if (close || closing) return this.finish(this.response(body, true, logged));
      this.write(this.response(body, false, logged));
      this.read(undefined);
      if (this.endedByPanel && !this.waiting) this.ended();
    }

    /** The panel ended its side: once its questions are answered, so does the server. */
    private ended(): void {
      this.endedByPanel = true;
      if (this.waiting) return;
      // A request cut short has no one to answer.
      if (this.pending !== undefined) this.socket.destroy();
      else this.socket.end();
    }

    private write(out: string): void {
      if (out.length === 0) return;
      if (!this.socket.write(out, 'latin1') && this.socket.writableLength > MAX_UNSENT_BYTES) this.socket.pause();
    }

    /** Sends the last answers of a `Connection: close` panel and ends the connection. */
    private finish(out: string): void {
      this.pending = undefined;
      this.socket.removeListener('data', this.onData);
      this.socket.end(out, 'latin1');
    }

    private response(body: string, close: boolean, logged: RequestLog | undefined): string {
      if (logged) logged.log.info({ res: { statusCode: 200 }, responseTime: performance.now() - logged.start }, 'request completed');
      // Node's order: the route's headers, then Date, Connection and Keep-Alive.
      const connection = close ? 'Connection: close\r\n' : `Connection: keep-alive\r\nKeep-Alive: timeout=${Math.floor(server.keepAliveTimeout / 1000)}\r\n`;
      return `HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${body.length}\r\nDate: ${httpDate()}\r\n${connection}\r\n${body}`;
    }

    private logIncoming(): RequestLog | undefined {
      if (!infoEnabled(log)) return undefined;
      const logged = { log: log.child({ reqId: genReqId() }), start: performance.now() };
      logged.log.info({ req: { method: 'POST', url: DECISION_PATH, ip: this.socket.remoteAddress } }, 'incoming request');
      return logged;
    }

    /**
     * The connection becomes Node's from `rest` on (a request that is not the plain question, and
     * all after it), once the answers in `out` are written.
     */
    private handOff(out: string, rest: Buffer): void {
      this.write(out);
      const socket = this.socket;
      open.delete(this);
      for (const [event, listener] of [
        ['data', this.onData],
        ['end', this.onEnd],
        ['error', this.onError],
        ['close', this.onClose],
        ['drain', this.onDrain],
      ] as const) {
        socket.removeListener(event, listener);
      }
      socket.setTimeout(0);
      socket.removeListener('timeout', this.onTimeout);
      // Paused, the bytes wait in the socket's buffer while Node's parser takes the socket over;
      // resumed, they reach it first, before anything the panel sends next.
      socket.pause();
      socket.unshift(rest);
      this.node(socket);
      socket.resume();
    }

    /** When the app closes: an idle connection is closed; a busy one after its answer. */
    shut(): void {
      if (this.idle) this.socket.destroy();
    }
  }

  return {
    connection(socket, node) {
      if (closing || authorization === undefined) node(socket);
      else new PanelConnection(socket, node);
    },
    close() {
      closing = true;
      for (const connection of open) connection.shut();
    },
  };
}

/** Request logging of one question, as Fastify's log controller writes it. */
interface RequestLog {
  log: FastifyBaseLogger;
  start: number;
}
