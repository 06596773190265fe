/**
 * The platform dialect's error body (platform-api.md §2):
 * `{"Errors":[…],"Type","Title","StatusCode","Instance","RequestKey"}` on every platform route,
 * whatever went wrong (schema, list query, domain rule, unknown path, internal failure).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryLanguageError } from '../../store/query-language.ts';
import { InvalidInputError, MULTIPLE_ROWS } from '../../directory/errors.ts';
import { CapacityError, NotFoundError } from '../../directory/users.ts';
import { toValidationError, type RequestValidationError } from '../validation.ts';

export const MESSAGES = {
  unauthorized: 'The session Id or OAuth token used has expired or is invalid.',
  forbidden: 'The user does not have access to execute operation',
  notFound: 'The requested resource does not exist',
  structure: 'The value does not match the specified entity structure',
  multipleRows: MULTIPLE_ROWS,
  internal: "An internal server error is an error on the web server you're trying to access.",
} as const;

const KINDS: Record<number, { type: string; title: string }> = {
  400: { type: '/Errors/Bad Input', title: 'Bad Request' },
  401: { type: '/Errors/Unauthorized', title: 'Unauthorized' },
  // As the seeds show it: Title "Bad Request" on a 403.
  403: { type: '/Errors/Permission', title: 'Bad Request' },
  404: { type: '/Errors/Not Found', title: 'Not Found' },
  413: { type: '/Errors/Bad Input', title: 'Payload Too Large' },
  500: { type: '/Errors/Internal Server Error', title: 'Internal Server Error' },
};

export class PlatformError extends Error {
  constructor(
    readonly statusCode: 400 | 401 | 403 | 404 | 413 | 500,
    readonly errors: string[],
  ) {
    super(errors.join('; '));
    this.name = 'PlatformError';
  }
}

export const platformErrors = {
  unauthorized: () => new PlatformError(401, [MESSAGES.unauthorized]),
  forbidden: () => new PlatformError(403, [MESSAGES.forbidden]),
  notFound: (detail?: string) => new PlatformError(404, [detail ? `${MESSAGES.notFound}: ${detail}` : MESSAGES.notFound]),
  badRequest: (...errors: string[]) => new PlatformError(400, errors),
};

export const ErrorBody = Type.Object(
  {
    Errors: Type.Array(Type.String()),
    Type: Type.String(),
    Title: Type.String(),
    StatusCode: Type.Integer(),
    Instance: Type.String(),
    RequestKey: Type.String({ format: 'uuid' }),
  },
  { description: 'Platform error body (platform-api.md §2); RequestKey is also the Request-Key header' },
);

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 500: ErrorBody };

const PART_NAMES = { params: 'Path parameter', querystring: 'Query parameter', headers: 'Header', body: '' } as const;

function describeRange(keyword: string, params: Record<string, unknown>): string {
  switch (keyword) {
    case 'minimum':
    case 'maximum':
      return `must be a number from ${String(params.minimum ?? '…')} to ${String(params.maximum ?? '…')}`;
    case 'minLength':
      return params.minLength === 1 ? 'must not be empty' : `must be at least ${String(params.minLength)} characters long`;
    case 'maxLength':
      return `must be at most ${String(params.maxLength)} characters long`;
    case 'maxItems':
      return `must have at most ${String(params.maxItems)} items`;
    case 'enum':
      return `must be one of ${(params.enum as unknown[] | undefined)?.map(String).join(', ') ?? 'the allowed values'}`;
    case 'const':
      return `must be ${String(params.const)}`;
    case 'format':
      return `must be a valid ${String(params.format)}`;
    case 'pattern':
      return String(params.description ?? 'has the wrong form');
    case 'nul':
      return 'must not contain NUL characters';
    default:
      return 'is not allowed';
  }
}

function typeWord(params: Record<string, unknown>): string {
  const t = params.type;
  const list = Array.isArray(t) ? t : [t];
  const words = list.filter((x) => x !== 'null').map((x) => (x === 'string' ? 'text' : x === 'integer' ? 'an integer' : x === 'boolean' ? 'true or false' : `a ${String(x)}`));
  return words.length > 0 ? words.join(' or ') : 'of another type';
}

/** A schema problem worded for the platform: `Users[3].Email: must be text`. */
export function fromValidation(error: RequestValidationError): PlatformError {
  const { part, problem } = error;
  if (problem.kind === 'root') return platformErrors.badRequest(`${MESSAGES.structure}: the body must be a JSON object`);
  const where = part === 'body' ? problem.path : `${PART_NAMES[part]} '${problem.path.split(/[.[]/)[0]}'`;
  const what =
    problem.kind === 'missing'
      ? 'is required'
      : problem.kind === 'type'
        ? `must be ${typeWord(problem.params)}`
        : describeRange(problem.keyword, problem.params);
  return platformErrors.badRequest(`${where}: ${what}`);
}

/** Maps anything thrown while serving a platform request to its status and Errors. */
export function toPlatformError(error: unknown): PlatformError {
  if (error instanceof PlatformError) return error;
  if (error instanceof InvalidInputError) return platformErrors.badRequest(...error.errors);
  if (error instanceof NotFoundError) return platformErrors.notFound(error.detail);
  if (error instanceof CapacityError) return platformErrors.badRequest(`Number of ${error.entity} exceeded`);
  if (error instanceof QueryLanguageError) return platformErrors.badRequest(error.message);
  const validation = toValidationError(error);
  if (validation) return fromValidation(validation);
  const e = error as { code?: unknown; statusCode?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new PlatformError(413, ['The request body is too large']);
  if (code.startsWith('FST_ERR_CTP_') || error instanceof SyntaxError) {
    return platformErrors.badRequest(`${MESSAGES.structure}: the body must be JSON (application/json)`);
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return platformErrors.badRequest(MESSAGES.structure);
  }
  return new PlatformError(500, [MESSAGES.internal]);
}

/** `Instance`: the path as received, without the query string. */
function instanceOf(request: FastifyRequest): string {
  const url = request.raw.url ?? request.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function sendPlatformError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toPlatformError(error);
  if (mapped.statusCode >= 500) request.log.error({ err: error, requestKey: request.id }, 'request failed');
  const kind = KINDS[mapped.statusCode];
  return reply
    .code(mapped.statusCode)
    .header('Request-Key', request.id)
    .type('application/json; charset=utf-8')
    .send({
      Errors: mapped.errors,
      Type: kind.type,
      Title: kind.title,
      StatusCode: mapped.statusCode,
      Instance: instanceOf(request),
      RequestKey: request.id,
    });
}
