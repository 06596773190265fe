/**
 * `POST /oAuth/rest/v2/Token` (platform-api.md §1): client credentials and refresh-token grants,
 * form-urlencoded or JSON, client authentication in the body or by HTTP Basic (RFC 6749 §2.3.1).
 * Every answer carries `Cache-Control: no-store`; errors are RFC 6749 §5.2 bodies.
 */
import formbody from '@fastify/formbody';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError, type ClientService } from '../../auth/clients.ts';

export interface TokenRouteOptions {
  clients: ClientService;
}

const GrantBody = Type.Object(
  {
    grant_type: Type.String({ enum: ['client_credentials', 'refresh_token'] }),
    client_id: Type.Optional(Type.String()),
    client_secret: Type.Optional(Type.String()),
    scope: Type.Optional(Type.String({ description: 'Space-separated; omitted = every scope the client may have' })),
    refresh_token: Type.Optional(Type.String({ description: 'With grant_type=refresh_token' })),
  },
  { description: 'Sent form-urlencoded (or as JSON)' },
);

const Grant = Type.Object({
  token_type: Type.Literal('Bearer'),
  expires_in: Type.Integer(),
  access_token: Type.String(),
  refresh_token: Type.String(),
  scope: Type.String(),
});
const OAuthErrorBody = Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) });

const PARAMS = ['grant_type', 'client_id', 'client_secret', 'scope', 'refresh_token'] as const;
type Params = Partial<Record<(typeof PARAMS)[number], string>>;

/** The request's parameters as single strings; a repeated or non-text parameter is invalid_request. */
function readParams(body: unknown): Params {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'the request needs a form-urlencoded (or JSON) body');
  }
  const out: Params = {};
  for (const name of PARAMS) {
    const value = (body as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new OAuthError('invalid_request', `parameter '${name}' must be given once, as text`);
    if (value.includes('\u0000')) throw new OAuthError('invalid_request', `parameter '${name}' must not contain NUL characters`);
    out[name] = value;
  }
  return out;
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** Client id and secret from HTTP Basic, or from the body; using both is invalid_request. */
function clientCredentials(request: FastifyRequest, params: Params): { id: string; secret: string } {
  const header = request.headers.authorization;
  const basic = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=._~-]*)\s*$/i.exec(header) : null;
  if (typeof header === 'string' && /^Basic\b/i.test(header)) {
    const decoded = basic ? Buffer.from(basic[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials');
    let id: string;
    let secret: string;
    try {
      id = formDecode(decoded.slice(0, colon));
      secret = formDecode(decoded.slice(colon + 1));
    } catch {
      throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials');
    }
    if (id.includes('\u0000') || secret.includes('\u0000')) throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials');
    if (params.client_secret !== undefined || (params.client_id !== undefined && params.client_id !== id)) {
      throw new OAuthError('invalid_request', 'use one way of client authentication: HTTP Basic or the body, not both');
    }
    return { id, secret };
  }
  if (params.client_id === undefined || params.client_secret === undefined) {
    throw new OAuthError('invalid_client', 'client authentication is missing (client_id and client_secret, or HTTP Basic)');
  }
  return { id: params.client_id, secret: params.client_secret };
}

function sendOAuthError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let mapped: OAuthError | undefined = error instanceof OAuthError ? error : undefined;
  const e = error as { code?: string; statusCode?: number };
  if (!mapped && typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    mapped = new OAuthError('invalid_request', e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'the body is too large' : 'the body cannot be read');
  }
  reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  if (!mapped) {
    request.log.error({ err: error }, 'token request failed');
    return reply.code(500).send({ error: 'server_error' });
  }
  if (mapped.error === 'invalid_client') reply.header('WWW-Authenticate', 'Basic realm="Gatehouse", charset="UTF-8"');
  return reply.code(mapped.statusCode).send({ error: mapped.error, error_description: mapped.description });
}

export const tokenRoute: FastifyPluginAsyncTypebox<TokenRouteOptions> = async (app, { clients }) => {
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  app.setErrorHandler((error, request, reply) => sendOAuthError(error, request, reply));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Request-Key', request.id);
  });

  app.post(
    '/oAuth/rest/v2/Token',
    {
      schema: {
        tags: ['OAuth'],
        summary: 'Get an access token (client credentials) or rotate a refresh token',
        description: [
          'RFC 6749 §4.4 client credentials: `grant_type=client_credentials` with `client_id` and `client_secret` in the body or as HTTP Basic (not both).',
          '`scope` (space-separated) narrows what the client may have; unknown or not allowed scopes are `invalid_scope`.',
          'Access tokens are HS256 JWTs (`sub` client id, `scope`, `iat`, `exp`, `jti`) that live `expires_in` seconds (GATEHOUSE_ACCESS_TOKEN_TTL_SECONDS).',
          '`grant_type=refresh_token` (client authenticated as above) rotates: a refresh token works once, lives 30 days, and may only narrow the scope it was granted with;',
          'a used, expired, unknown or another client\'s refresh token is 400 `invalid_grant`. Errors are RFC 6749 §5.2 bodies; every answer is `Cache-Control: no-store`.',
        ].join(' '),
        security: [],
        consumes: ['application/x-www-form-urlencoded', 'application/json'],
        body: GrantBody,
        response: { 200: Grant, 400: OAuthErrorBody, 401: OAuthErrorBody, 500: OAuthErrorBody },
      },
      // The body is read by hand, so that every problem is an OAuth error and not a schema one.
      validatorCompiler: () => () => true,
      bodyLimit: 64 * 1024,
    },
    async (request, reply) => {
      const params = readParams(request.body);
      if (params.grant_type === undefined) throw new OAuthError('invalid_request', 'grant_type is missing');
      if (params.grant_type !== 'client_credentials' && params.grant_type !== 'refresh_token') {
        throw new OAuthError('unsupported_grant_type', `grant_type '${params.grant_type.slice(0, 60)}' is not supported`);
      }
      if (params.grant_type === 'refresh_token' && params.refresh_token === undefined) {
        throw new OAuthError('invalid_request', 'refresh_token is missing');
      }
      const credentials = clientCredentials(request, params);
      const client = await clients.authenticate(credentials.id, credentials.secret);
      const grant =
        params.grant_type === 'refresh_token'
          ? await clients.refresh(client, params.refresh_token as string, params.scope)
          : await clients.clientCredentials(client, params.scope);
      return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(grant);
    },
  );
};
