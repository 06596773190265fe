/**
 * Route-level body validation for bodies whose rules a schema cannot hold alone (a number whose
 * format depends on its type, time rules with conditional parts): the route documents its full
 * schema, Ajv checks `structure` (the full schema or a looser one), then a domain `check` names
 * the first remaining problem. For bulks, items are checked one by one in order, so the error
 * names the first failing item whatever kind of problem it has.
 */
import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { RequestValidationError, validatorCompiler, type Problem } from './validation.ts';

/** A domain check on a structurally valid value: the first problem (path from the value's root), or null. */
export type BodyCheck = (value: unknown) => { path: string; problem: 'missing' | 'type' | 'range' } | null;

type Validate = (value: unknown) => Problem | null;

function compileBody(schema: TSchema): Validate {
  const validate = validatorCompiler({ schema, httpPart: 'body', method: 'POST', url: '' }) as unknown as (
    value: unknown,
  ) => true | { error: RequestValidationError };
  return (value) => {
    const result = validate(value);
    return result === true ? null : result.error.problem;
  };
}

function under(base: string, path: string): string {
  if (path === '') return base;
  return path.startsWith('[') ? `${base}${path}` : `${base}.${path}`;
}

function fromCheck(found: ReturnType<BodyCheck>, base = ''): Problem | null {
  if (!found) return null;
  const path = base === '' ? found.path : under(base, found.path);
  if (path === '') return { kind: 'root', path, keyword: 'check', params: {} };
  return { kind: found.problem, path, keyword: 'check', params: {} };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A validatorCompiler for one route: its body is `structure` (Ajv) then `check`; other parts as usual. */
export function checkedBody(structure: TSchema, check: BodyCheck): FastifySchemaCompiler<unknown> {
  const validate = compileBody(structure);
  return (route) => {
    if (route.httpPart !== 'body') return validatorCompiler(route);
    return (body: unknown) => {
      const problem = validate(body) ?? fromCheck(check(body));
      return problem ? { error: new RequestValidationError('body', problem) } : { value: body };
    };
  };
}

/**
 * A validatorCompiler for a bulk route: `{ [listKey]: [item, …] }` with 1…maxItems items, each
 * `item` (Ajv) then `check`; the first failing item is named (`list_items[3].name`).
 */
export function checkedBulkBody(
  options: { listKey?: string; maxItems: number; item: TSchema; check: BodyCheck },
): FastifySchemaCompiler<unknown> {
  const listKey = options.listKey ?? 'list_items';
  const validateItem = compileBody(options.item);
  const problemIn = (body: unknown): Problem | null => {
    if (!isObject(body)) return { kind: 'root', path: '', keyword: 'type', params: {} };
    const list = body[listKey];
    if (list === undefined || list === null) return { kind: 'missing', path: listKey, keyword: 'required', params: {} };
    if (!Array.isArray(list)) return { kind: 'type', path: listKey, keyword: 'type', params: {} };
    if (list.length === 0) return { kind: 'range', path: listKey, keyword: 'minItems', params: { limit: 1 } };
    if (list.length > options.maxItems) {
      return { kind: 'range', path: listKey, keyword: 'maxItems', params: { limit: options.maxItems } };
    }
    for (let i = 0; i < list.length; i++) {
      const base = `${listKey}[${i}]`;
      const problem = validateItem(list[i]);
      if (problem) return { ...problem, kind: problem.kind === 'root' ? 'type' : problem.kind, path: under(base, problem.path) };
      const checked = fromCheck(options.check(list[i]), base);
      if (checked) return checked;
    }
    return null;
  };
  return (route) => {
    if (route.httpPart !== 'body') return validatorCompiler(route);
    return (body: unknown) => {
      const problem = problemIn(body);
      return problem ? { error: new RequestValidationError('body', problem) } : { value: body };
    };
  };
}
