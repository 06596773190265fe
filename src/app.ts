/**
 * buildApp: the HTTP server over an opened store — both dialects, health checks, OpenAPI and
 * the docs page. main.ts opens the store and listens; tests call buildApp and `inject`.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import crypto from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { decisionFastPath, type DecisionFastPath } from './api/access/decision-fast-path.ts';
import { decisionRoutes } from './api/access/decisions.ts';
import { accessApi } from './api/access/index.ts';
import { registerOpenApi } from './api/openapi.ts';
import { platformErrors, sendPlatformError } from './api/platform/errors.ts';
import { PLATFORM_PREFIX, platformApi } from './api/platform/index.ts';
import { tokenRoute } from './api/platform/token.ts';
import { accountService } from './auth/accounts.ts';
import { clientService } from './auth/clients.ts';
import { anyOf } from './auth/principal.ts';
import type { Config } from './config.ts';
import { accessDecisions } from './directory/access-decisions.ts';
import { accessLinks } from './directory/access-links.ts';
import { apartmentDirectory } from './directory/apartment-directory.ts';
import { departmentUsers } from './directory/department-users.ts';
import { departments } from './directory/departments.ts';
import { createFaceAnalyzer } from './directory/face-analyzer.ts';
import type { FaceAnalyzer } from './directory/faces.ts';
import { identifierDirectory } from './directory/identifier-directory.ts';
import { timeProfileDirectory } from './directory/time-profile-directory.ts';
import { userDirectory } from './directory/user-directory.ts';
import { redactUrl } from './logging.ts';
import type { Store } from './store/database.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Fastify logger option; main passes pino settings, tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** The face detector (its model loads once per process, lazily); default: the real one. */
  faces?: FaceAnalyzer;
}

type Listener = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Node's HTTP server as Fastify makes it (its timeouts), whose new connections go to `connection`
 * first, with Node's own connection listener to hand them to.
 */
function httpServer(options: FastifyServerOptions, listener: Listener, connection: (socket: Socket, node: (socket: Socket) => void) => void): http.Server {
  const server = http.createServer(listener);
  server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
  server.requestTimeout = options.requestTimeout ?? 0;
  server.setTimeout(options.connectionTimeout ?? 0);
  if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
  const [node, ...others] = server.listeners('connection') as Array<(socket: Socket) => void>;
  // Node's server has one listener of its own; should that ever change, it keeps its connections.
  if (node === undefined || others.length > 0) return server;
  server.removeListener('connection', node);
  server.on('connection', (socket: Socket) => connection(socket, (handed) => node.call(server, handed)));
  return server;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps;
  const requestId = () => crypto.randomUUID();
  // Set once the routes exist: the panels' plain questions, answered on their connections.
  let fastPath: DecisionFastPath | undefined = undefined;
  const app = Fastify({
    serverFactory: (handler, options) =>
      httpServer(options, handler, (socket, node) => (fastPath ? fastPath.connection(socket, node) : node(socket))),
    logger: deps.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    // Unknown JSON properties are ignored, never stripped in place; prototype keys are refused.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true },
    // Every request gets a fresh UUID: the platform's RequestKey, in every log line of the request.
    genReqId: requestId,
    // A URL the router cannot read (bad percent-encoding): platform paths get their own error body.
    frameworkErrors: (error, request, reply) => {
      if (request.url.startsWith(PLATFORM_PREFIX)) {
        return sendPlatformError(platformErrors.badRequest('The path is not a valid URL (malformed percent-encoding)'), request, reply);
      }
      // Elsewhere Fastify's own answer (the error carries its 400).
      return (reply as FastifyReply).send(error);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const accounts = accountService(store, { tokenTtlSeconds: config.tokenTtlSeconds });
  const clients = clientService(store, { accessTokenTtlSeconds: config.accessTokenTtlSeconds });
  // The admin client exists with the configured secret, and the JWT key is loaded, before serving.
  await clients.bootstrap(config.clientId, config.clientSecret);
  // Platform JWTs first: they are checked without a database round trip.
  const verifier = anyOf([clients.verifier, accounts.sessions]);
  const identifiers = identifierDirectory(store, {
    faces: config.faceRecognition ? (deps.faces ?? createFaceAnalyzer()) : undefined,
    maxIdentifiers: config.maxIdentifiers,
    maxFaceIdentifiers: config.maxFaceIdentifiers,
  });
  const links = accessLinks(store, identifiers);
  const directory = userDirectory(store, { maxUsers: config.maxUsers, links: links.writer });

  await registerOpenApi(app);

  // Fastify's own 404 writes the raw URL (query string included) into the log and the body.
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ message: `Route ${request.method}:${redactUrl(request.url)} not found`, error: 'Not Found', statusCode: 404 }),
  );
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    try {
      await store.ping();
      return { status: 'ok' };
    } catch {
      return reply.code(503).send({ status: 'unavailable' });
    }
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(accessApi, {
    prefix: '/api/v1',
    store,
    accounts,
    verifier,
    directory,
    maxBulkItems: config.maxBulkItems,
    objects: {
      profiles: timeProfileDirectory(store),
      apartments: apartmentDirectory(store),
      identifiers,
      links,
    },
  });
  // The panels' decisions: the same dialect, beside it (device key, no account tokens).
  const decisions = accessDecisions(store, { timeZone: config.timeZone });
  // Its path is the fast path's, whole (no prefix): one place names it.
  await app.register(decisionRoutes, { decisions, deviceKey: config.deviceKey });
  fastPath = decisionFastPath(app.server, {
    decisions,
    deviceKey: config.deviceKey,
    bodyLimit: config.bodyLimitBytes,
    log: app.log,
    genReqId: requestId,
  });
  // From the close on, every request is Fastify's (its 503), and idle panels are let go: the
  // server's close waits for every connection, and Fastify closes only those Node keeps.
  app.addHook('preClose', (done) => {
    fastPath?.close();
    done();
  });

  await app.register(tokenRoute, { clients });
  await app.register(platformApi, {
    prefix: PLATFORM_PREFIX,
    store,
    verifier,
    departments: departments(store),
    departmentUsers: departmentUsers(store, { maxUsers: config.maxUsers }),
    maxBulkUsers: config.maxPlatformBulkUsers,
  });

  return app;
}

/** What main.ts needs besides the app: the bootstrap of the admin account. */
export async function bootstrapAccounts(deps: AppDeps): Promise<{ generatedPassword?: string }> {
  const accounts = accountService(deps.store, { tokenTtlSeconds: deps.config.tokenTtlSeconds });
  return accounts.bootstrap(deps.config.adminUsername, deps.config.adminPassword);
}
