/**
 * Platform requests, before the handler: the bearer token (401), the route's scopes (403), then
 * the query parameter names, matched without regard to case (`pagesize` is `PageSize`).
 * Routes say what they need in `config.scopes` (all of them) and `config.anyScope` (one of them).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hasScope, type TokenVerifier } from '../../auth/principal.ts';
import { bearerToken } from '../access/auth.ts';
import { keyField, type KeyEntity } from '../../directory/keys.ts';
import { validatePart } from '../validation.ts';
import { decodePathId } from './addressing.ts';
import { platformErrors } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Platform routes: which entity's key fields the query parameters `Name` / `SubName` may name. */
    keys?: { Name?: KeyEntity; SubName?: KeyEntity };
    /** Platform routes: every scope listed is needed. */
    scopes?: readonly string[];
    /** Platform routes: at least one of these is needed. */
    anyScope?: readonly string[];
  }
}

export function platformGuard(verifier: TokenVerifier) {
  return async function guard(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    reply.header('Request-Key', request.id);
    const token = bearerToken(request);
    const principal = token === undefined ? undefined : await verifier.verify(token);
    if (!principal) throw platformErrors.unauthorized();
    request.principal = principal;
    const { scopes = [], anyScope } = request.routeOptions.config ?? {};
    if (!scopes.every((s) => hasScope(principal, s))) throw platformErrors.forbidden();
    if (anyScope && !anyScope.some((s) => hasScope(principal, s))) throw platformErrors.forbidden();
  };
}

const canonicalNames = new WeakMap<object, Map<string, string>>();

/** Query parameters renamed to the spelling of the route's schema. */
function normaliseQueryNames(request: FastifyRequest): void {
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  if (!schema?.properties || typeof request.query !== 'object' || request.query === null) return;
  let names = canonicalNames.get(schema);
  if (!names) {
    names = new Map(Object.keys(schema.properties).map((k) => [k.toLowerCase(), k]));
    canonicalNames.set(schema, names);
  }
  const query = request.query as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(query)) {
    const canonical = names.get(name.toLowerCase()) ?? name;
    if (Object.hasOwn(out, canonical)) throw platformErrors.badRequest(`Query parameter '${canonical}': is given more than once`);
    out[canonical] = value;
  }
  request.query = out;
}

/**
 * preValidation, before Fastify checks the body: the path (schema, then `base64|` ids decoded in
 * place), then the query (names normalised, schema, then `Name` / `SubName` against the fixed key
 * fields of the route's entity).
 */
export async function checkPathThenQuery(request: FastifyRequest): Promise<void> {
  validatePart(request, 'params');
  const params = request.params as Record<string, unknown> | undefined;
  for (const name of ['Id', 'SubId']) {
    if (typeof params?.[name] === 'string') params[name] = decodePathId(params[name], `Path parameter '${name}'`);
  }
  normaliseQueryNames(request);
  validatePart(request, 'querystring');
  const keys = request.routeOptions.config?.keys;
  const query = request.query as Record<string, string | undefined>;
  if (keys?.Name) keyField(keys.Name, query.Name, "Query parameter 'Name'");
  if (keys?.SubName) keyField(keys.SubName, query.SubName, "Query parameter 'SubName'");
}
