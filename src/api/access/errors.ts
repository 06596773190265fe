/**
 * The panel dialect's two error styles (access-api.md §2):
 * flat `{"error":"…"}` on every route, and nested `{"error":{"code","message","data"}}` on the
 * bulk deletes (routes whose config says `errorStyle: 'nested'`).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toValidationError, type RequestValidationError } from '../validation.ts';

export type ErrorStyle = 'flat' | 'nested';
export type NestedCode = 'invalid_authentication' | 'permission_denied' | 'not_valid' | 'system_error' | 'bad_request' | 'connection_timeout';

/** An error with its flat message and its nested form; routes throw these. */
export class AccessError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly nested: { code: NestedCode; message: string; data?: Record<string, string> } = {
      code: statusCode >= 500 ? 'system_error' : 'bad_request',
      message,
    },
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export const errors = {
  logIn: () => new AccessError(401, 'Log In', { code: 'invalid_authentication', message: 'Invalid authentication' }),
  adminRequired: () =>
    new AccessError(403, 'Administrator rights required', { code: 'permission_denied', message: 'Administrator rights required' }),
  notFound: () => new AccessError(404, 'Entity not found'),
  badRequest: (message: string) => new AccessError(400, message),
  wrongBody: () => new AccessError(400, 'Wrong JSON body', { code: 'not_valid', message: 'Data validation error', data: { body: 'must be a JSON object' } }),
  tooLarge: () => new AccessError(413, 'Request body is too large'),
  emptyList: () => new AccessError(400, 'List cannot be empty'),
};

function nestedData(path: string, kind: string, keyword: string): Record<string, string> {
  if (kind === 'missing') return { [path]: 'is required' };
  if (path === 'link_ids') return { link_ids: 'must be an array of uuid strings' };
  if (/^link_ids\[\d+\]$/.test(path)) return { [path]: kind === 'type' ? 'must be a string' : 'must be a uuid string of at most 36 characters' };
  return { [path || 'body']: kind === 'type' || kind === 'root' ? 'has the wrong type' : `is not allowed (${keyword})` };
}

/** The message of a failed schema check, as the panel dialect words it. */
export function fromValidation(error: RequestValidationError): AccessError {
  const { part, problem } = error;
  // Path parameters are declared as `user_uid` (find-my-way ends a name at '-') and named as documented: `user-uid`.
  if (part === 'params') return new AccessError(400, `Wrong path parameter \`${problem.path.split(/[.[]/)[0].replace(/_/g, '-')}\``);
  if (part === 'querystring') return new AccessError(400, `Wrong query parameter \`${problem.path.split(/[.[]/)[0]}\``);
  const { kind, path, keyword, params } = problem;
  if (kind === 'root') return errors.wrongBody();
  if (keyword === 'minItems' && /(^|\.)auth_factors$/.test(path)) {
    return new AccessError(400, 'auth_factors must contain at least one item');
  }
  if (keyword === 'minItems' && (path === 'list_items' || path === 'link_ids')) return errors.emptyList();
  if (keyword === 'maxItems' && (path === 'list_items' || path === 'link_ids')) {
    return new AccessError(400, `Wrong JSON body: too many items in \`${path}\` (max ${String(params.limit)})`);
  }
  const message =
    kind === 'missing'
      ? `Wrong JSON body: no value for \`${path}\``
      : kind === 'type'
        ? `Wrong JSON body: value \`${path}\` was of the wrong type`
        : `Wrong JSON body: value \`${path}\` is out of range`;
  return new AccessError(400, message, { code: 'not_valid', message: 'Data validation error', data: nestedData(path, kind, keyword) });
}

/** Maps anything thrown while serving a panel-dialect request to its status and body. */
export function toAccessError(error: unknown): AccessError {
  if (error instanceof AccessError) return error;
  const validation = toValidationError(error);
  if (validation) return fromValidation(validation);
  const e = error as FastifyError & { status?: number };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e?.statusCode === 413) return errors.tooLarge();
  if (code.startsWith('FST_ERR_CTP_') || e instanceof SyntaxError || e?.statusCode === 415) return errors.wrongBody();
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) return new AccessError(e.statusCode, e.message);
  return new AccessError(500, 'Internal server error');
}

export function sendAccessError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toAccessError(error);
  if (mapped.statusCode >= 500) request.log.error({ err: error }, 'request failed');
  const style = (request.routeOptions.config as { errorStyle?: ErrorStyle } | undefined)?.errorStyle ?? 'flat';
  const body =
    style === 'nested'
      ? { error: { code: mapped.nested.code, message: mapped.nested.message, ...(mapped.nested.data ? { data: mapped.nested.data } : {}) } }
      : { error: mapped.message };
  return reply.code(mapped.statusCode).type('application/json; charset=utf-8').send(body);
}
