/**
 * buildApp: the HTTP server over an opened store — both dialects, health checks, OpenAPI and
 * the docs page. main.ts opens the store and listens; tests call buildApp and `inject`.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { accessApi } from './api/access/index.ts';
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
import { createFaceAnalyzer, type FaceAnalyzer } from './directory/faces.ts';
import { identifierDirectory } from './directory/identifier-directory.ts';
import { timeProfileDirectory } from './directory/time-profile-directory.ts';
import { userDirectory } from './directory/user-directory.ts';
import type { Store } from './store/database.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Fastify logger option; main passes pino settings, tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** The face detector (its model loads once per process, lazily); default: the real one. */
  faces?: FaceAnalyzer;
}

const SECRET_PARAMS = new Set(['password', 'client_secret', 'key', 'access_token', 'refresh_token']);

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/**
 * Request URLs as logged: secrets in the query string are masked, whatever the spelling of their
 * name (`PASSWORD`, `pass%77ord` — the query parser decodes names, so they still arrive).
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    return eq >= 0 && SECRET_PARAMS.has(decodedName(pair.slice(0, eq))) ? `${pair.slice(0, eq)}=[redacted]` : pair;
  });
  return `${url.slice(0, q + 1)}${pairs.join('&')}`;
}

type OpenApiDocument = { paths?: Record<string, Record<string, { parameters?: { in?: string; name?: string }[] }>> };

/**
 * The panel dialect documents its path parameters as `user-uid`, `identifier-uid`, …; routes
 * declare them with `_` (find-my-way ends a parameter name at '-'), so the document is renamed.
 */
export function panelPathNames<T extends OpenApiDocument>(doc: T): T {
  const dashed = (name: string) => name.replace(/^([a-z]+)_uid$/, '$1-uid');
  const paths: NonNullable<OpenApiDocument['paths']> = {};
  for (const [path, operations] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith('/api/v1/')) {
      paths[path] = operations;
      continue;
    }
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && parameter.name) parameter.name = dashed(parameter.name);
      }
    }
    paths[path.replace(/\{([a-z]+_uid)\}/g, (_, name: string) => `{${dashed(name)}}`)] = operations;
  }
  return { ...doc, paths };
}

/** pino settings: secrets in headers and query strings never reach the log. */
export function loggerOptions(level: string, stream?: NodeJS.WritableStream) {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: ['req.headers.authorization', 'req.headers.cookie'],
    serializers: {
      req(request: { method: string; url: string; ip?: string }) {
        return { method: request.method, url: redactUrl(request.url), remoteAddress: request.ip };
      },
    },
  };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store } = deps;
  const app = Fastify({
    logger: deps.logger ?? false,
    bodyLimit: config.bodyLimitBytes,
    // Unknown JSON properties are ignored, never stripped in place; prototype keys are refused.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    routerOptions: { ignoreTrailingSlash: true },
    // Every request gets a fresh UUID: the platform's RequestKey, in every log line of the request.
    genReqId: () => crypto.randomUUID(),
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

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description:
          'The directory of people who may open doors. Two dialects over one store: the access-control panel API under `/api/v1` and the enterprise platform API under `/Endpoint/rest/api/v1`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Panel session token or platform access token' },
          deviceKey: { type: 'http', scheme: 'bearer', description: 'GATEHOUSE_DEVICE_KEY, for panels asking for access decisions (or `?key=`)' },
          oauth: {
            type: 'oauth2',
            description: 'Platform API clients (client credentials); a panel session works too (admin: `*`, manager: the read scopes)',
            flows: {
              clientCredentials: {
                tokenUrl: '/oAuth/rest/v2/Token',
                refreshUrl: '/oAuth/rest/v2/Token',
                scopes: {
                  'Department:Read': 'Read departments',
                  'Department:Create': 'Create departments',
                  'Department:Update': "Update departments and their users",
                  'Department:Delete': 'Delete departments',
                  'User:Read': 'Read users',
                  '*': 'Everything, both dialects',
                },
              },
            },
          },
        },
      },
      security: [{ bearer: [] }, { oauth: [] }],
      tags: [
        { name: 'OAuth', description: 'Platform API client tokens (platform-api.md §1).' },
        {
          name: 'Departments',
          description: [
            'Platform dialect conventions (all platform routes): every answer carries a fresh `Request-Key` header (also in the log lines of the request);',
            'errors are `{"Errors":[…],"Type","Title","StatusCode","Instance","RequestKey"}`; checks run authentication (401), scope (403), path, query, body;',
            'an unknown platform path is a 404 once authenticated (401 before). Query parameter names match without regard to case; unknown query parameters are ignored.',
            'Path ids may be `base64|…` (standard or URL-safe, padding optional). Key fields are a fixed list per entity; a user\'s `Username` matches without regard to case,',
            'every other key field exactly. Unset text is null; unset dates are `1900-01-01T00:00:00Z`; instants are UTC ISO 8601. `CreatedBy`/`ModifiedBy` name the API client',
            '(`Type` ApiClient) or panel account (`Type` Account) that wrote the row. Panel sessions work here too: an admin has `*`, a manager the read scopes.',
          ].join(' '),
        },
        { name: 'Department users', description: 'A department\'s users (seeds 003 and 004); the users are the same rows as the panel dialect\'s users.' },
        { name: 'Platform users', description: 'Users read through the platform dialect (the same rows as the panel dialect\'s users).' },
      ],
    },
    transformObject: (document) => panelPathNames(('openapiObject' in document ? document.openapiObject : {}) as OpenApiDocument),
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

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
      decisions: accessDecisions(store, { timeZone: config.timeZone }),
      deviceKey: config.deviceKey,
    },
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
