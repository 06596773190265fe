/**
 * Bearer authentication and rights for the panel dialect: 401 `Log In` without a valid token,
 * 403 `Administrator rights required` when a write is asked for without admin rights.
 * Routes say what they need in `config.access`: 'public', 'read' (default for GET) or 'admin'.
 */
import type { FastifyRequest } from 'fastify';
import { isAdmin, type Principal, type TokenVerifier } from '../../auth/principal.ts';
import { errors } from './errors.ts';

export type AccessLevel = 'public' | 'read' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessLevel;
    errorStyle?: 'flat' | 'nested';
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function accessGuard(verifier: TokenVerifier) {
  return async function guard(request: FastifyRequest): Promise<void> {
    const level = request.routeOptions.config?.access ?? (request.method === 'GET' ? 'read' : 'admin');
    if (level === 'public') return;
    const token = bearerToken(request);
    const principal = token === undefined ? undefined : await verifier.verify(token);
    if (!principal) throw errors.logIn();
    request.principal = principal;
    if (level === 'admin' && !isAdmin(principal)) throw errors.adminRequired();
  };
}
