/**
 * The list-query language of the enterprise platform dialect (platform-api.md §6):
 * `Filters`, `Orders` and `Fields`.
 *
 * This module is pure: it turns the query text into an AST and never touches SQL.
 * `src/store/list-query.ts` compiles the AST to parameterised Kysely expressions
 * through a fixed per-entity field list.
 *
 * Filters grammar (keywords and operators match without regard to case):
 *
 *   filter  := or | <blank>                 (blank text = no filter: an empty `and`)
 *   or      := and ( OR and )*
 *   and     := primary ( AND primary )*     (AND binds tighter than OR)
 *   primary := '(' or ')' | clause
 *   clause  := path op value
 *   path    := ident ( '.' ident )*         ident = [A-Za-z_][A-Za-z0-9_]*
 *   op      := = | <> | > | >= | < | <= | In | NotIn | Like
 *   value   := any text up to ')' , a whitespace-delimited AND/OR, or the end;
 *              trimmed; must not be empty. No quoting, no escaping.
 *
 * `In`/`NotIn` values are kept raw here; the compiler splits them by the field's type
 * (text by `;`, numbers by `,`).
 *
 * The parser is a hand-written linear scanner (no backtracking regular expressions) with
 * hard limits: at most {@link MAX_FILTER_LENGTH} characters, parentheses nested at most
 * {@link MAX_DEPTH} deep and at most {@link MAX_CLAUSES} clauses.
 */

export type QueryParam = 'Filters' | 'Orders' | 'Fields';

/** A malformed list query; the HTTP layer maps it to a 400. `message` starts with the parameter name. */
export class QueryLanguageError extends Error {
  readonly statusCode = 400;
  constructor(
    readonly param: QueryParam,
    detail: string,
    readonly position?: number,
  ) {
    super(`${param}: ${detail}${position === undefined ? '' : ` at position ${position}`}`);
    this.name = 'QueryLanguageError';
  }
}

export type FilterOp = '=' | '<>' | '>' | '>=' | '<' | '<=' | 'In' | 'NotIn' | 'Like';

export interface FilterClause {
  kind: 'clause';
  /** Field path as written, split on '.', e.g. `['DepartmentId', 'Name']`. */
  path: string[];
  op: FilterOp;
  /** The value, trimmed, exactly as written (lists not yet split). */
  raw: string;
  /** 0-based offset of the clause (its field) in the Filters text. */
  pos: number;
  /** 0-based offset of the value in the Filters text. */
  valuePos: number;
}

export interface FilterGroup {
  kind: 'and' | 'or';
  items: FilterNode[];
}

export type FilterNode = FilterGroup | FilterClause;

export const MAX_FILTER_LENGTH = 4000;
export const MAX_DEPTH = 32;
export const MAX_CLAUSES = 200;
/** Orders and Fields are short lists; the same length cap keeps them cheap. */
export const MAX_LIST_LENGTH = 4000;

const WORD_OPS: Record<string, FilterOp> = { in: 'In', notin: 'NotIn', like: 'Like' };
const SYMBOL_OPS: readonly FilterOp[] = ['=', '<>', '>', '>=', '<', '<='];

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
}
function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_');
}
function isIdentPart(c: string | undefined): boolean {
  return isIdentStart(c) || (c !== undefined && c >= '0' && c <= '9');
}
function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
}

/** Shorten user text quoted back in an error message. */
export function quote(text: string): string {
  return `'${text.length > 60 ? `${text.slice(0, 60)}…` : text}'`;
}

class FilterParser {
  private i = 0;
  private depth = 0;
  private clauses = 0;

  constructor(private readonly s: string) {}

  private fail(detail: string, pos: number): never {
    throw new QueryLanguageError('Filters', detail, pos);
  }

  private skipSpace(): void {
    while (this.i < this.s.length && isSpace(this.s[this.i])) this.i++;
  }

  /** If a keyword AND/OR starts at `at` (and ends at a space, a parenthesis or the end), return it upper-cased. */
  private keywordAt(at: number): 'AND' | 'OR' | null {
    for (const kw of ['AND', 'OR'] as const) {
      const end = at + kw.length;
      if (this.s.slice(at, end).toUpperCase() !== kw) continue;
      const next = this.s[end];
      if (next === undefined || isSpace(next) || next === '(' || next === ')') return kw;
    }
    return null;
  }

  parse(): FilterNode {
    this.skipSpace();
    if (this.i >= this.s.length) return { kind: 'and', items: [] };
    const node = this.parseOr();
    this.skipSpace();
    if (this.i < this.s.length) {
      // parseOr stops only at ')' or the end.
      this.fail(`unexpected ')' (no matching '(')`, this.i);
    }
    return node;
  }

  /** `after`/`afterPos`: the token before the first primary (for error messages). */
  private parseOr(after?: string, afterPos?: number): FilterNode {
    const items: FilterNode[] = [this.parseAnd(after, afterPos)];
    for (;;) {
      this.skipSpace();
      if (this.keywordAt(this.i) !== 'OR') break;
      const kwPos = this.i;
      this.i += 2;
      items.push(this.parseAnd('OR', kwPos));
    }
    return group('or', items);
  }

  private parseAnd(after?: string, afterPos?: number): FilterNode {
    const items: FilterNode[] = [this.parsePrimary(after, afterPos)];
    for (;;) {
      this.skipSpace();
      const kw = this.keywordAt(this.i);
      if (kw === 'AND') {
        const kwPos = this.i;
        this.i += 3;
        items.push(this.parsePrimary('AND', kwPos));
        continue;
      }
      if (kw === 'OR' || this.i >= this.s.length || this.s[this.i] === ')') break;
      this.fail(`expected AND, OR or ')' but found ${quote(this.wordAt(this.i))}`, this.i);
    }
    return group('and', items);
  }

  private parsePrimary(after?: string, afterPos?: number): FilterNode {
    this.skipSpace();
    const start = this.i;
    if (start >= this.s.length) {
      if (after !== undefined) this.fail(`expected a clause after '${after}'`, start);
      this.fail('expected a clause', start);
    }
    const kw = this.keywordAt(start);
    if (kw) this.fail(`unexpected '${kw}'`, start);
    const c = this.s[start];
    if (c === ')') {
      if (after === '(') this.fail(`empty parentheses '()'`, afterPos ?? start);
      this.fail(`unexpected ')'`, start);
    }
    if (c === '(') {
      this.depth++;
      if (this.depth > MAX_DEPTH) this.fail(`parentheses nested deeper than ${MAX_DEPTH}`, start);
      this.i++;
      const inner = this.parseOr('(', start);
      this.skipSpace();
      if (this.s[this.i] !== ')') this.fail(`missing ')'`, this.i);
      this.i++;
      this.depth--;
      return inner;
    }
    return this.parseClause();
  }

  private wordAt(at: number): string {
    let j = at;
    while (j < this.s.length && !isSpace(this.s[j]) && j - at < 40) j++;
    return this.s.slice(at, Math.max(j, at + 1));
  }

  private parseClause(): FilterClause {
    const pos = this.i;
    this.clauses++;
    if (this.clauses > MAX_CLAUSES) this.fail(`more than ${MAX_CLAUSES} clauses`, pos);

    // Field path.
    const path: string[] = [];
    for (;;) {
      const segStart = this.i;
      if (!isIdentStart(this.s[this.i])) {
        if (path.length === 0) this.fail(`expected a field name but found ${quote(this.wordAt(segStart))}`, segStart);
        this.fail(`expected a field name after '.'`, segStart);
      }
      while (isIdentPart(this.s[this.i])) this.i++;
      path.push(this.s.slice(segStart, this.i));
      if (this.s[this.i] !== '.') break;
      this.i++;
    }
    const fieldText = path.join('.');

    // Operator.
    this.skipSpace();
    const opPos = this.i;
    if (opPos >= this.s.length) this.fail(`expected an operator after ${quote(fieldText)}`, opPos);
    let op: FilterOp | undefined;
    let opText: string;
    const c = this.s[opPos];
    if (isLetter(c)) {
      while (isLetter(this.s[this.i])) this.i++;
      opText = this.s.slice(opPos, this.i);
      op = WORD_OPS[opText.toLowerCase()];
    } else if (c === '<' || c === '>' || c === '=' || c === '!') {
      while (this.s[this.i] === '<' || this.s[this.i] === '>' || this.s[this.i] === '=' || this.s[this.i] === '!') {
        this.i++;
      }
      opText = this.s.slice(opPos, this.i);
      op = SYMBOL_OPS.find((o) => o === opText);
    } else {
      opText = this.wordAt(opPos);
    }
    if (!op) this.fail(`unknown operator ${quote(opText)} after ${quote(fieldText)}`, opPos);

    // Value: up to ')', a whitespace-delimited AND/OR, or the end.
    const scanStart = this.i;
    let j = scanStart;
    let end = this.s.length;
    while (j < this.s.length) {
      const ch = this.s[j];
      if (ch === ')') {
        end = j;
        break;
      }
      if (isSpace(ch)) {
        let k = j;
        while (k < this.s.length && isSpace(this.s[k])) k++;
        if (this.keywordAt(k)) {
          end = j;
          break;
        }
        j = k;
        continue;
      }
      j++;
    }
    let vs = scanStart;
    while (vs < end && isSpace(this.s[vs])) vs++;
    let ve = end;
    while (ve > vs && isSpace(this.s[ve - 1])) ve--;
    if (ve === vs) {
      let at = scanStart;
      while (at < this.s.length && isSpace(this.s[at])) at++;
      this.fail(`expected a value after '${opText}'`, at);
    }
    this.i = end;
    return { kind: 'clause', path, op, raw: this.s.slice(vs, ve), pos, valuePos: vs };
  }
}

/** Build an and/or group, flattening nested groups of the same kind and unwrapping singletons. */
function group(kind: 'and' | 'or', items: FilterNode[]): FilterNode {
  if (items.length === 1) return items[0]!;
  const flat: FilterNode[] = [];
  for (const it of items) {
    if (it.kind === kind) flat.push(...it.items);
    else flat.push(it);
  }
  return { kind, items: flat };
}

/**
 * Parse a `Filters` value. Blank text yields `{kind:'and', items:[]}` (matches everything).
 * @throws QueryLanguageError naming the position of the problem.
 */
export function parseFilters(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new QueryLanguageError('Filters', `longer than ${MAX_FILTER_LENGTH} characters`);
  }
  return new FilterParser(text).parse();
}

interface ListItem {
  text: string;
  pos: number;
}

/** Split a comma list into trimmed items with their positions; blank text gives []. */
function splitCommaList(param: QueryParam, text: string): ListItem[] {
  if (text.length > MAX_LIST_LENGTH) {
    throw new QueryLanguageError(param, `longer than ${MAX_LIST_LENGTH} characters`);
  }
  if (text.trim() === '') return [];
  const items: ListItem[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && text[i] !== ',') continue;
    let a = start;
    let b = i;
    while (a < b && isSpace(text[a])) a++;
    while (b > a && isSpace(text[b - 1])) b--;
    if (a === b) throw new QueryLanguageError(param, `empty item in the list`, a);
    items.push({ text: text.slice(a, b), pos: a });
    start = i + 1;
  }
  return items;
}

/** Read a dotted identifier path at the start of `text`; returns its length (0 if none). */
function pathLength(text: string): number {
  let i = 0;
  for (;;) {
    if (!isIdentStart(text[i])) return 0;
    while (isIdentPart(text[i])) i++;
    if (text[i] !== '.') return i;
    i++;
  }
}

export interface OrderItem {
  /** The field (or dotted path) as written. */
  path: string;
  direction: 'asc' | 'desc';
  /** 0-based offset of the item in the Orders text. */
  pos: number;
}

/**
 * Parse an `Orders` value: `Name DESC, CreatedOn ASC`; direction optional (default ASC), any case.
 * Blank text yields [].
 */
export function parseOrders(text: string): OrderItem[] {
  return splitCommaList('Orders', text).map(({ text: item, pos }) => {
    const n = pathLength(item);
    if (n === 0) throw new QueryLanguageError('Orders', `expected a field name but found ${quote(item)}`, pos);
    const path = item.slice(0, n);
    let rest = item.slice(n);
    if (rest !== '' && !isSpace(rest[0])) {
      throw new QueryLanguageError('Orders', `unexpected ${quote(rest)} after ${quote(path)}`, pos + n);
    }
    const restPos = pos + n + (rest.length - rest.trimStart().length);
    rest = rest.trim();
    if (rest === '') return { path, direction: 'asc' as const, pos };
    const dir = rest.toLowerCase();
    if (dir !== 'asc' && dir !== 'desc') {
      throw new QueryLanguageError('Orders', `expected ASC or DESC after ${quote(path)} but found ${quote(rest)}`, restPos);
    }
    return { path, direction: dir, pos };
  });
}

/**
 * Parse a `Fields` value: a comma list of field names; blank text or `*` means all fields ('*').
 * Duplicates are dropped (first occurrence kept). Names are not checked against an entity here.
 */
export function parseFields(text: string): string[] | '*' {
  if (text.length <= MAX_LIST_LENGTH && (text.trim() === '' || text.trim() === '*')) return '*';
  const out: string[] = [];
  for (const { text: item, pos } of splitCommaList('Fields', text)) {
    if (pathLength(item) !== item.length || item.includes('.')) {
      throw new QueryLanguageError('Fields', `${quote(item)} is not a field name`, pos);
    }
    if (!out.includes(item)) out.push(item);
  }
  return out;
}
