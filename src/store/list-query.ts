/**
 * Compiles the platform list-query AST (`./query-language.ts`) to parameterised
 * Kysely expressions, through a fixed per-entity field list.
 *
 * Safety: table and column identifiers come only from {@link EntityFields} (constants in the code)
 * and are emitted with `sql.id` / `sql.table`; operators come from a fixed table; every value the
 * user wrote is converted to its field's type and bound as a parameter. No user text ever reaches
 * SQL as text.
 *
 * Field names are looked up case-insensitively over the entity's fixed list (`name`, `NAME` and
 * `Name` are the same field); errors and {@link resolveFields} report the canonical spelling.
 *
 * Value conversion per field type (a value that does not fit is a {@link QueryLanguageError}):
 * - `text`     – bound as is; `=` is exact (case-sensitive), `Like` ignores case.
 * - `uuid`     – any text, lower-cased (UUIDs are stored in lower case), compared exactly (on
 *                PostgreSQL the column is compared as text, so a `uuid`-typed column never raises on
 *                a malformed value).
 * - `integer`  – `/^-?\d+$/` within Number's safe range (bound as bigint on PostgreSQL, whatever
 *                the column's width).
 * - `boolean`  – `true`/`false`/`1`/`0`, any case; bound as 1/0 (works for SQLite integers and for
 *                PostgreSQL `boolean` or integer columns). Only `=`, `<>`, `In`, `NotIn` apply.
 * - `datetime` – ISO 8601 date (`2021-01-01`) or date-time (`2021-01-01T10:00`, `…:05`,
 *                `…:05.123`, with `Z` or `±hh:mm`/`±hhmm`; a space may replace the `T`; no offset
 *                means UTC). Converted to the STORED FORM: UTC text `YYYY-MM-DDTHH:MM:SS.sssZ`
 *                (`Date#toISOString()`), which sorts and compares correctly as text on both stores.
 *                Columns of type `datetime` must hold exactly that text form.
 *
 * Operators: `= <> > >= < <=` compare; `<>` and `NotIn` also match rows whose column is NULL
 * ("not S100" includes "unset"). `In`/`NotIn` split text/uuid lists on `;` and integer, boolean
 * and datetime lists on `,` (or `;`). `Like` → `lower(col) like lower(?) escape '\'`, with `%` the
 * only wildcard (`_` and `\` in the value are literal); it applies to text, uuid and datetime fields.
 *
 * Dotted paths (`DepartmentId.Name = Sales`) go one relation deep:
 * `col in (select key from <related table> where <clause on the related entity>)`; with a link
 * table (`through`, many-to-many) the subquery goes through it. A related record must exist and
 * match. A plain clause on a `through` field (`DepartmentId = <id>`) compares the link table's
 * `to` column.
 */
import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import {
  QueryLanguageError,
  quote,
  type FilterClause,
  type FilterNode,
} from './query-language.ts';

export type FieldType = 'text' | 'integer' | 'boolean' | 'datetime' | 'uuid';
export type Dialect = 'sqlite' | 'postgres';

export interface FieldRelation {
  /** The related entity (a thunk, so entities may refer to each other). */
  entity: () => EntityFields;
  /** Column in the related table that this field's column (or `through.to`) refers to. */
  key: string;
  /**
   * Many-to-many through a link table: `from` is the link column referring to this field's
   * `column` in the entity's own table; `to` is the link column referring to the related `key`.
   */
  through?: { table: string; from: string; to: string };
}

export interface FieldDef {
  /** Column in the entity's table. */
  column: string;
  type: FieldType;
  relation?: FieldRelation;
}

export interface EntityFields {
  table: string;
  /** Public PascalCase name → definition. The keys are the canonical field names. */
  fields: Record<string, FieldDef>;
}

export type Direction = 'asc' | 'desc';

const SUB_ALIAS = 'lq_rel';
const LINK_ALIAS = 'lq_link';

const lookupCache = new WeakMap<EntityFields, Map<string, string>>();

/** Case-insensitive lookup of a public field name; returns the canonical name and definition. */
export function lookupField(entity: EntityFields, name: string): { name: string; def: FieldDef } | undefined {
  let map = lookupCache.get(entity);
  if (!map) {
    map = new Map(Object.keys(entity.fields).map((k) => [k.toLowerCase(), k]));
    lookupCache.set(entity, map);
  }
  const canonical = map.get(name.toLowerCase());
  return canonical === undefined ? undefined : { name: canonical, def: entity.fields[canonical]! };
}

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * Convert an ISO 8601 date or date-time to the stored datetime form
 * (`YYYY-MM-DDTHH:MM:SS.sssZ`, UTC); `null` if malformed or not a real calendar date.
 */
export function toStoredDatetime(text: string): string | null {
  const m = ISO_RE.exec(text.trim());
  if (!m) return null;
  const [, ys, mos, ds, hs = '0', mis = '0', ss = '0', frac = '', zone = 'Z'] = m;
  const y = Number(ys), mo = Number(mos), d = Number(ds), h = Number(hs), mi = Number(mis), s = Number(ss);
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return null;
  const ms = Number((frac + '000').slice(0, 3));
  const base = new Date(0);
  base.setUTCFullYear(y, mo - 1, d);
  base.setUTCHours(h, mi, s, ms);
  if (base.getUTCFullYear() !== y || base.getUTCMonth() !== mo - 1 || base.getUTCDate() !== d) return null;
  let offsetMin = 0;
  if (zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2));
    if (oh > 23 || om > 59) return null;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const t = base.getTime() - offsetMin * 60_000;
  const out = new Date(t);
  if (Number.isNaN(t) || out.getUTCFullYear() < 0 || out.getUTCFullYear() > 9999) return null;
  return out.toISOString();
}

const TYPE_WORD: Record<FieldType, string> = {
  text: 'text',
  uuid: 'text',
  integer: 'an integer',
  boolean: 'true or false',
  datetime: 'an ISO 8601 date or date-time',
};

/** Convert one user value to the bound value for a field type. */
function convertValue(raw: string, type: FieldType, field: string, pos: number): string | number {
  switch (type) {
    case 'text':
      return raw;
    case 'uuid':
      // Stored in lower case; UUIDs are case-insensitive on input (RFC 4122 §3).
      return raw.toLowerCase();
    case 'integer': {
      if (/^-?\d{1,16}$/.test(raw)) {
        const n = Number(raw);
        if (Number.isSafeInteger(n)) return n;
      }
      break;
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (v === 'true' || v === '1') return 1;
      if (v === 'false' || v === '0') return 0;
      break;
    }
    case 'datetime': {
      const d = toStoredDatetime(raw);
      if (d !== null) return d;
      break;
    }
  }
  throw new QueryLanguageError('Filters', `${quote(raw)} is not ${TYPE_WORD[type]} (field '${field}')`, pos);
}

/** Split an In/NotIn list by the field's type; each element trimmed, with its position. */
function splitList(raw: string, type: FieldType, valuePos: number, field: string): { text: string; pos: number }[] {
  const isSep = type === 'text' || type === 'uuid' ? (c: string) => c === ';' : (c: string) => c === ';' || c === ',';
  const out: { text: string; pos: number }[] = [];
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && !isSep(raw[i]!)) continue;
    const piece = raw.slice(start, i);
    const lead = piece.length - piece.trimStart().length;
    const text = piece.trim();
    if (text === '') {
      throw new QueryLanguageError('Filters', `empty element in the list for '${field}'`, valuePos + start + lead);
    }
    out.push({ text, pos: valuePos + start + lead });
    start = i + 1;
  }
  return out;
}

const COMPARE_SQL: Record<'=' | '<>' | '>' | '>=' | '<' | '<=', RawBuilder<unknown>> = {
  '=': sql.raw('='),
  '<>': sql.raw('<>'),
  '>': sql.raw('>'),
  '>=': sql.raw('>='),
  '<': sql.raw('<'),
  '<=': sql.raw('<='),
};

function escapeLike(value: string): string {
  return value.replace(/[\\_]/g, (c) => `\\${c}`);
}

/**
 * A converted value as bound. On PostgreSQL integers are bound as bigint: a parameter compared
 * with an `integer` column is otherwise typed int4, and `Id = 99999999999` fails there instead of
 * matching nothing (int4 against int8 is still an indexed comparison).
 */
function bound(value: string | number, type: FieldType, dialect: Dialect): unknown {
  return type === 'integer' && dialect === 'postgres' ? sql`cast(${value} as bigint)` : value;
}

/** The condition `<column of qualifier> op value` for one field. */
function condition(
  qualifier: string,
  column: string,
  type: FieldType,
  clause: FilterClause,
  field: string,
  dialect: Dialect,
): RawBuilder<SqlBool> {
  const { op, raw, valuePos } = clause;
  const col = sql.id(qualifier, column);
  // On PostgreSQL a uuid-typed column is compared as text, so any text value is legal.
  const ref = type === 'uuid' && dialect === 'postgres' ? sql`cast(${col} as text)` : col;
  switch (op) {
    case '=':
    case '<>':
    case '>':
    case '>=':
    case '<':
    case '<=': {
      if (type === 'boolean' && op !== '=' && op !== '<>') {
        throw new QueryLanguageError('Filters', `operator '${op}' does not apply to the boolean field '${field}'`, clause.pos);
      }
      const v = bound(convertValue(raw, type, field, valuePos), type, dialect);
      if (op === '<>') return sql<SqlBool>`(${ref} <> ${v} or ${col} is null)`;
      return sql<SqlBool>`${ref} ${COMPARE_SQL[op]} ${v}`;
    }
    case 'In':
    case 'NotIn': {
      const values = splitList(raw, type, valuePos, field).map((e) => bound(convertValue(e.text, type, field, e.pos), type, dialect));
      const list = sql.join(values);
      if (op === 'In') return sql<SqlBool>`${ref} in (${list})`;
      return sql<SqlBool>`(${ref} not in (${list}) or ${col} is null)`;
    }
    case 'Like': {
      if (type === 'integer' || type === 'boolean') {
        throw new QueryLanguageError('Filters', `'Like' does not apply to the ${type} field '${field}'`, clause.pos);
      }
      const text = dialect === 'postgres' && type !== 'text' ? sql`cast(${col} as text)` : col;
      return sql<SqlBool>`lower(${text}) like lower(${escapeLike(raw)}) escape '\\'`;
    }
    default: {
      const bad: never = op;
      throw new QueryLanguageError('Filters', `unknown operator ${quote(String(bad))}`, clause.pos);
    }
  }
}

function unknownField(name: string, pos: number): QueryLanguageError {
  return new QueryLanguageError('Filters', `unknown field ${quote(name)}`, pos);
}

/** Compile one clause against `entity`, whose table is referred to as `qualifier`. */
function compileClause(clause: FilterClause, entity: EntityFields, dialect: Dialect, qualifier: string): RawBuilder<SqlBool> {
  const { path, pos } = clause;
  if (path.length === 0) throw new QueryLanguageError('Filters', 'expected a field name', pos);
  if (path.length > 2) {
    throw new QueryLanguageError('Filters', `${quote(path.join('.'))} goes more than one relation deep`, pos);
  }
  const found = lookupField(entity, path[0]!);
  if (!found) throw unknownField(path[0]!, pos);
  const { name, def } = found;
  const outer = sql.id(qualifier, def.column);

  if (path.length === 1) {
    const through = def.relation?.through;
    if (!through) return condition(qualifier, def.column, def.type, clause, name, dialect);
    const inner = condition(LINK_ALIAS, through.to, def.type, clause, name, dialect);
    return sql<SqlBool>`${outer} in (select ${sql.id(LINK_ALIAS, through.from)} from ${sql.table(through.table)} as ${sql.id(LINK_ALIAS)} where ${inner})`;
  }

  const rel = def.relation;
  if (!rel) {
    throw new QueryLanguageError('Filters', `'${name}' has no related record, so ${quote(path.join('.'))} is not a field`, pos);
  }
  const related = rel.entity();
  const relField = lookupField(related, path[1]!);
  if (!relField) throw unknownField(`${name}.${path[1]!}`, pos);
  if (relField.def.relation) {
    throw new QueryLanguageError('Filters', `'${name}.${relField.name}' goes more than one relation deep`, pos);
  }
  const inner = condition(SUB_ALIAS, relField.def.column, relField.def.type, clause, `${name}.${relField.name}`, dialect);
  const sub = sql`select ${sql.id(SUB_ALIAS, rel.key)} from ${sql.table(related.table)} as ${sql.id(SUB_ALIAS)} where ${inner}`;
  if (!rel.through) return sql<SqlBool>`${outer} in (${sub})`;
  const t = rel.through;
  return sql<SqlBool>`${outer} in (select ${sql.id(LINK_ALIAS, t.from)} from ${sql.table(t.table)} as ${sql.id(LINK_ALIAS)} where ${sql.id(LINK_ALIAS, t.to)} in (${sub}))`;
}

type Compiled = { kind: 'and' | 'or'; items: Compiled[] } | { kind: 'leaf'; expr: RawBuilder<SqlBool> };

function precompile(node: FilterNode, entity: EntityFields, dialect: Dialect, depth: number): Compiled {
  if (depth > 64) throw new QueryLanguageError('Filters', 'nested too deeply');
  if (node.kind === 'clause') return { kind: 'leaf', expr: compileClause(node, entity, dialect, entity.table) };
  return { kind: node.kind, items: node.items.map((n) => precompile(n, entity, dialect, depth + 1)) };
}

function build(eb: ExpressionBuilder<any, any>, c: Compiled): Expression<SqlBool> {
  if (c.kind === 'leaf') return c.expr;
  const items = c.items.map((i) => build(eb, i));
  return c.kind === 'and' ? eb.and(items) : eb.or(items);
}

/**
 * Compile a parsed filter for `entity`. Validation and value conversion happen now (throwing
 * {@link QueryLanguageError}); the returned callback only assembles the expression, e.g.
 * `db.selectFrom(entity.table).where(compileFilter(node, entity, 'sqlite'))`.
 * Columns are qualified with `entity.table`, so the query must refer to that table by its name
 * (joins are fine; an alias is not). An empty `and` compiles to a true condition.
 */
export function compileFilter(
  node: FilterNode,
  entity: EntityFields,
  dialect: Dialect,
): (eb: ExpressionBuilder<any, any>) => Expression<SqlBool> {
  const compiled = precompile(node, entity, dialect, 0);
  return (eb) => build(eb, compiled);
}

/**
 * Map parsed `Orders` to `[column, direction]` pairs (bare column names of `entity.table`).
 * Unknown fields, dotted paths and link-table fields are errors.
 */
export function compileOrders(
  orders: readonly { path: string; direction: Direction; pos?: number }[],
  entity: EntityFields,
): [column: string, direction: Direction][] {
  return orders.map(({ path, direction, pos }) => {
    if (path.includes('.')) {
      throw new QueryLanguageError('Orders', `cannot sort by the related field ${quote(path)}`, pos);
    }
    const found = lookupField(entity, path);
    if (!found) throw new QueryLanguageError('Orders', `unknown field ${quote(path)}`, pos);
    if (found.def.relation?.through) {
      throw new QueryLanguageError('Orders', `cannot sort by '${found.name}'`, pos);
    }
    return [found.def.column, direction];
  });
}

/** Map parsed `Fields` to canonical field names ('*' → every field, in definition order). */
export function resolveFields(list: readonly string[] | '*', entity: EntityFields): string[] {
  if (list === '*') return Object.keys(entity.fields);
  const out: string[] = [];
  for (const name of list) {
    const found = lookupField(entity, name);
    if (!found) throw new QueryLanguageError('Fields', `unknown field ${quote(name)}`);
    if (!out.includes(found.name)) out.push(found.name);
  }
  return out;
}
