/**
 * The panels' plain question, answered by Node's HTTP server before Fastify's request pipeline.
 *
 * A decision is a ~50-byte body and a one-line answer, asked thousands of times a second. What
 * Fastify does around it (the request and reply objects, the child logger, the hook runner, the
 * content-type parser, Ajv, the reply's serialiser) cost the server ~13 µs of the ~52 µs each
 * decision took, while the decision itself costs under 1 µs when its facts are kept. Here the
 * plain case costs what Node's own HTTP parsing and writing cost, and everything else goes to the
 * Fastify route (decisions.ts) exactly as it came, which answers it as it always has:
 * - anything but a POST to exactly this path: another route, or a query string (`?key=`);
 * - a server that is closing (Fastify answers 503);
 * - no device key configured, or a Bearer token that is not it (401);
 * - a body not sent as `application/json` with a Content-Length within the limit: chunked,
 *   content-encoded, another media type, or too large.
 * A body read here that does not hold exactly what the route's schema accepts (not JSON, not an
 * object, a field missing or of another type, an unknown identifier type, a number longer than
 * 1000, any `\u0000` escape) is handed to the route together with its bytes (`replayedBody`, the
 * route's preParsing hook), so that its 400 is the route's own.
 *
 * The answer has the headers Fastify gives it, and with `info` logging on, the request logs the
 * same two lines as Fastify's (`incoming request`, `request completed`, with a `reqId`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { sameSecret } from '../../auth/secrets.ts';
import type { AccessDecisions, Decision } from '../../directory/access-decisions.ts';
import type { IdentifierTypeName } from '../../directory/identifiers.ts';

/** The route's path (decisions.ts registers it whole). */
export const DECISION_PATH = '/api/v1/access/remote/validate';

/** The longest body read here; a panel's question is ~60 bytes. Longer ones go to Fastify. */
const MAX_BODY_BYTES = 4096;
const MAX_NUMBER_LENGTH = 1000;
/** The types a panel presents (the route's schema enum; `inputCode` is the spec's other spelling). */
export const PRESENTED_TYPES = ['card', 'input_code', 'inputCode', 'qr'] as const satisfies readonly IdentifierTypeName[];
export type PresentedType = (typeof PRESENTED_TYPES)[number];

/** The store failed: logged, and the panel decides itself (`{"handled":false}`). */
export function decisionFailed(log: FastifyBaseLogger, error: unknown): void {
  log.error({ err: error }, 'access decision failed; the panel decides itself');
}

const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);
const TYPES = new Set<string>(PRESENTED_TYPES);

/** The answers, as Fastify's serialiser writes them for the route's response schema. */
const GRANTED = [0, 1, 2].map((lock) => `{"handled":true,"access":{"granted":true,"lock_number":${lock}}}`);
const REFUSED = '{"handled":true,"access":{"granted":false}}';
const NOT_HANDLED = '{"handled":false}';

const REPLAY = Symbol('gatehouse.decisionBody');
type Replayed = IncomingMessage & { [REPLAY]?: Buffer };

/** The body this path read and handed on, as a stream for the route's preParsing hook. */
export function replayedBody(raw: IncomingMessage): Readable | undefined {
  const body = (raw as Replayed)[REPLAY];
  return body === undefined ? undefined : Readable.from([body], { objectMode: false });
}

export interface DecisionFastPathOptions {
  decisions: AccessDecisions;
  /** GATEHOUSE_DEVICE_KEY; undefined: every question goes to Fastify, which refuses it. */
  deviceKey: string | undefined;
  /** The app's body limit: a body over it is Fastify's to refuse. */
  bodyLimit: number;
  log: FastifyBaseLogger;
  /** The app's request ids (the `reqId` of log lines). */
  genReqId: () => string;
  /** True once the app is closing: Fastify then answers 503. */
  closing: () => boolean;
}

/** Request logging of one question, as Fastify's log controller writes it. */
interface RequestLog {
  log: FastifyBaseLogger;
  start: number;
}

/** Fastify's logger when logging is off (`logger: false`) has no isLevelEnabled: nothing is enabled. */
function infoEnabled(log: FastifyBaseLogger): boolean {
  const enabled = (log as { isLevelEnabled?: (level: string) => boolean }).isLevelEnabled;
  return enabled?.call(log, 'info') === true;
}

/**
 * `(req, res, fastify)`: answers the question, or hands it to `fastify` (the app's own handler)
 * untouched.
 */
export function decisionFastPath(options: DecisionFastPathOptions) {
  const { decisions, deviceKey, log, genReqId, closing } = options;
  const maxBytes = Math.min(MAX_BODY_BYTES, options.bodyLimit);
  const authorization = deviceKey === undefined ? undefined : `Bearer ${deviceKey}`;

  function send(res: ServerResponse, body: string, logged: RequestLog | undefined): void {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
    if (logged) logged.log.info({ res: { statusCode: 200 }, responseTime: performance.now() - logged.start }, 'request completed');
  }

  const answer = (decision: Decision) => (decision.granted ? GRANTED[decision.lockNumber] : REFUSED);

  function failed(res: ServerResponse, error: unknown, logged: RequestLog | undefined): void {
    decisionFailed(logged?.log ?? log.child({ reqId: genReqId() }), error);
    send(res, NOT_HANDLED, logged);
  }

  /**
   * Answers a body that holds what the route's schema accepts, and says whether it did. `start`:
   * when the request came, for its log lines (undefined: request logging is off).
   */
  function decide(req: IncomingMessage, res: ServerResponse, text: string, start: number | undefined): boolean {
    // JSON text holds a NUL only as an escape; the route refuses NUL in any text of the body.
    if (text.includes('\\u0000')) return false;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return false;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
    const { identifier_number: number, identifier_type: type } = body as Record<string, unknown>;
    // Length in UTF-16 units is never below Ajv's maxLength count (code points).
    if (typeof number !== 'string' || number.length > MAX_NUMBER_LENGTH || typeof type !== 'string' || !TYPES.has(type)) return false;
    let logged: RequestLog | undefined;
    if (start !== undefined) {
      logged = { log: log.child({ reqId: genReqId() }), start };
      logged.log.info({ req: { method: req.method, url: req.url, ip: req.socket.remoteAddress } }, 'incoming request');
    }
    try {
      const decision = decisions.decide(type as PresentedType, number);
      if (decision instanceof Promise) {
        decision.then(
          (made) => send(res, answer(made), logged),
          (error: unknown) => failed(res, error, logged),
        );
      } else {
        send(res, answer(decision), logged);
      }
    } catch (error) {
      failed(res, error, logged);
    }
    return true;
  }

  return function fastPath(req: IncomingMessage, res: ServerResponse, fastify: (req: IncomingMessage, res: ServerResponse) => void): void {
    const headers = req.headers;
    const length = Number(headers['content-length']);
    if (
      req.method !== 'POST' ||
      req.url !== DECISION_PATH ||
      authorization === undefined ||
      headers['transfer-encoding'] !== undefined ||
      headers['content-encoding'] !== undefined ||
      !(length <= maxBytes) ||
      !JSON_TYPES.has(headers['content-type']?.toLowerCase() ?? '') ||
      typeof headers.authorization !== 'string' ||
      !sameSecret(headers.authorization, authorization) ||
      closing()
    ) {
      fastify(req, res);
      return;
    }
    const start = infoEnabled(log) ? performance.now() : undefined;
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
    });
    // An aborted request has no one to answer.
    req.on('error', () => undefined);
    req.on('end', () => {
      const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received);
      if (received === length && decide(req, res, bytes.toString('utf8'), start)) return;
      (req as Replayed)[REPLAY] = bytes;
      fastify(req, res);
    });
  };
}
