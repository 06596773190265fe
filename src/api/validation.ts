/**
 * Schema validation shared by both dialects: TypeBox schemas compiled by Ajv, with bodies checked
 * strictly (no type coercion: `"1"` is not a number) and path/query values coerced from text.
 * Ajv's first error becomes a `Problem` that each dialect renders in its own error format.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyRequest, FastifySchemaCompiler } from 'fastify';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers';

export interface Problem {
  /** missing: no value (absent or null); type: wrong JSON type; range: right type, value not allowed. */
  kind: 'missing' | 'type' | 'range' | 'root';
  /** Path of the field, e.g. `list_items[3].name`; '' for the body itself. */
  path: string;
  /** The schema keyword that failed (minItems, maxItems, enum, …). */
  keyword: string;
  /** The schema of the failing field (for dialect-specific wording). */
  params: Record<string, unknown>;
}

function makeAjv(part: 'body' | 'text'): Ajv {
  const ajv = new Ajv({
    coerceTypes: part === 'text',
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
    strict: false,
  });
  addFormats(ajv);
  // `x-lowercase: true`: a valid value is kept in lower case (UUIDs are case-insensitive on input,
  // RFC 4122 §3, so `ABC…` and `abc…` must name the same record).
  ajv.addKeyword({
    keyword: 'x-lowercase',
    modifying: true,
    schemaType: 'boolean',
    validate: (lower: boolean, data: unknown, _schema?: unknown, where?: { parentData?: Record<string | number, unknown>; parentDataProperty: string | number }) => {
      if (lower && typeof data === 'string' && where?.parentData) where.parentData[where.parentDataProperty] = data.toLowerCase();
      return true;
    },
  });
  return ajv;
}

const bodyAjv = makeAjv('body');
const textAjv = makeAjv('text');

/** Does any text value (at any depth) hold a NUL character? Builds no paths (a bulk body has 100 000s of values). */
function holdsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) stack.push(element);
    } else if (typeof item === 'object' && item !== null) {
      for (const element of Object.values(item)) stack.push(element);
    }
  }
  return false;
}

/**
 * The path of the first text value (at any depth) that holds a NUL character, or null.
 * PostgreSQL cannot store NUL in text, so both stores refuse it as input: a 400, never a 500.
 * Iterative, so that a deeply nested body cannot overflow the stack.
 */
export function nulTextPath(value: unknown): string | null {
  if (!holdsNul(value)) return null;
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [item, path] = stack.pop() as [unknown, string];
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return path;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null) {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i][1], join(path, entries[i][0])]);
    }
  }
  return null;
}

/** A NUL in text: the right JSON type with a value not allowed. */
export function nulProblem(value: unknown): Problem | null {
  const path = nulTextPath(value);
  return path === null ? null : { kind: path === '' ? 'root' : 'range', path, keyword: 'nul', params: {} };
}

type PartValidator = (data: unknown) => true | { error: RequestValidationError };

const DECIMAL_INTEGER = /^-?\d+$/;

/** The integer properties of a path or query schema. */
function integerProperties(schema: unknown): string[] {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.keys(properties).filter((name) => properties[name].type === 'integer');
}

/**
 * An integer path or query value written otherwise than in decimal digits: Ajv's coercion reads
 * it with Number(), so `0x1`, `1e0`, `1.0` and ` 1` would all be 1.
 */
function nonDecimalInteger(names: readonly string[], data: unknown): Problem | null {
  if (names.length === 0 || typeof data !== 'object' || data === null) return null;
  const values = data as Record<string, unknown>;
  const name = names.find((n) => typeof values[n] === 'string' && !DECIMAL_INTEGER.test(values[n]));
  return name === undefined ? null : { kind: 'type', path: name, keyword: 'type', params: { type: 'integer' } };
}

/** Ajv's check of a request part (integers in paths and queries as decimal digits), then no NUL in any text of it. */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  const validate = ajv.compile(schema as object) as ValidateFunction;
  const part = (httpPart ?? 'body') as HttpPart;
  const integers = httpPart === 'body' ? [] : integerProperties(schema);
  const check: PartValidator = (data) => {
    const problem =
      nonDecimalInteger(integers, data) ?? (validate(data) ? nulProblem(data) : problemOf(validate.errors ?? []));
    return problem ? { error: new RequestValidationError(part, problem) } : true;
  };
  return check;
};

/** `/list_items/3/name` → `list_items[3].name` */
export function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

function join(path: string, property: string): string {
  return path === '' ? property : `${path}.${property}`;
}

function fromError(error: ErrorObject): Problem {
  const path = pointerToPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    return { kind: 'missing', path: join(path, String(params.missingProperty)), keyword: 'required', params };
  }
  if (error.keyword === 'type') {
    // 1.5 for an integer field is a number (the right JSON type) with a value not allowed.
    if (params.type === 'integer' && typeof error.data === 'number') return { kind: 'range', path, keyword: 'type', params };
    if (path === '') return { kind: 'root', path, keyword: 'type', params };
    return { kind: error.data === null ? 'missing' : 'type', path, keyword: 'type', params };
  }
  return { kind: 'range', path, keyword: error.keyword, params: { ...params, ...(error.parentSchema ?? {}) } };
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(schemaType: unknown, actual: string): boolean {
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer') || (t === 'integer' && actual === 'number'));
}

type Branch = { type?: unknown; const?: unknown; anyOf?: Branch[] };

/** The branches of an anyOf, with the branches of an anyOf nested in it (a union inside a union). */
function alternatives(branches: readonly Branch[]): Branch[] {
  return branches.flatMap((b) => (b.type === undefined && Array.isArray(b.anyOf) ? alternatives(b.anyOf) : [b]));
}

/**
 * The problem to report for Ajv's errors. For `anyOf` (e.g. an auth factor given as a string or
 * as an object) the branch whose JSON type matches the value decides; when none does, it is a
 * wrong type (or a missing value for null).
 */
export function problemOf(errors: readonly ErrorObject[]): Problem {
  // Ajv stops at the first failing keyword, so a failed anyOf is the last error; the ones before it
  // come from inside its branches (an inner anyOf there is not the one that failed).
  const last = errors[errors.length - 1];
  const anyOf = last?.keyword === 'anyOf' || last?.keyword === 'oneOf' ? last : undefined;
  if (anyOf && Array.isArray(anyOf.schema)) {
    const actual = jsonType(anyOf.data);
    const branches = alternatives(anyOf.schema as Branch[]).filter((b) => typeMatches(b.type, actual));
    // A choice of constants (`Internal` | `External`): the value is none of them, not "not the first".
    if (branches.length > 1 && branches.every((b) => b.const !== undefined)) {
      const path = pointerToPath(anyOf.instancePath);
      return { kind: 'range', path, keyword: 'enum', params: { enum: branches.map((b) => b.const) } };
    }
    const branch = branches[0];
    if (branch) {
      const validate = bodyAjv.compile(branch);
      if (!validate(anyOf.data) && validate.errors?.length) {
        const inner = problemOf(validate.errors);
        const base = pointerToPath(anyOf.instancePath);
        const path = inner.path === '' ? base : inner.path.startsWith('[') ? base + inner.path : join(base, inner.path);
        return { ...inner, kind: inner.kind === 'root' ? 'type' : inner.kind, path };
      }
    }
    return fromError({ ...anyOf, keyword: 'type', params: {} });
  }
  return fromError(errors[0]);
}

/** Error thrown when a part of the request does not match its schema. */
export class RequestValidationError extends Error {
  constructor(
    readonly part: HttpPart,
    readonly problem: Problem,
  ) {
    super(`${part}: ${problem.kind} ${problem.path}`);
    this.name = 'RequestValidationError';
  }
}

export function toValidationError(error: unknown): RequestValidationError | undefined {
  if (error instanceof RequestValidationError) return error;
  const e = error as { validation?: ErrorObject[]; validationContext?: HttpPart };
  if (!Array.isArray(e?.validation) || e.validation.length === 0) return undefined;
  return new RequestValidationError(e.validationContext ?? 'body', problemOf(e.validation));
}

/** Checks one part of the request against the route's schema (throws RequestValidationError). */
export function validatePart(request: FastifyRequest, part: 'params' | 'querystring'): void {
  const validate = request.getValidationFunction(part) as unknown as PartValidator | undefined;
  if (!validate) return;
  const result = validate(part === 'params' ? request.params : request.query);
  if (result !== true) throw result.error;
}

/**
 * preValidation hook: checks path parameters, then the query, before Fastify checks the body, so
 * a request with several bad parts is told about them in the order path, query, body.
 */
export async function validatePathThenQuery(request: FastifyRequest): Promise<void> {
  validatePart(request, 'params');
  validatePart(request, 'querystring');
}
