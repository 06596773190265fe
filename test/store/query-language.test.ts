import { describe, it, expect } from 'vitest';
import {
  MAX_CLAUSES,
  MAX_DEPTH,
  MAX_FILTER_LENGTH,
  QueryLanguageError,
  parseFields,
  parseFilters,
  parseOrders,
  type FilterNode,
} from '../../src/store/query-language.ts';

/** The AST without positions, for compact comparisons. */
function strip(node: FilterNode): unknown {
  if (node.kind === 'clause') return [node.path.join('.'), node.op, node.raw];
  return { [node.kind]: node.items.map(strip) };
}

function p(text: string): unknown {
  return strip(parseFilters(text));
}

function errorOf(fn: () => unknown): QueryLanguageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(QueryLanguageError);
    return e as QueryLanguageError;
  }
  throw new Error('expected a QueryLanguageError');
}

function filterError(text: string): string {
  return errorOf(() => parseFilters(text)).message;
}

describe('parseFilters: clauses and operators', () => {
  it('parses every comparison operator', () => {
    expect(p('Id = 100')).toEqual(['Id', '=', '100']);
    expect(p('Id <> 100')).toEqual(['Id', '<>', '100']);
    expect(p('Id > 100')).toEqual(['Id', '>', '100']);
    expect(p('Id >= 100')).toEqual(['Id', '>=', '100']);
    expect(p('Id < 100')).toEqual(['Id', '<', '100']);
    expect(p('Id <= 100')).toEqual(['Id', '<=', '100']);
  });

  it('parses operators without surrounding spaces', () => {
    expect(p('Id=100')).toEqual(['Id', '=', '100']);
    expect(p('Id<>100')).toEqual(['Id', '<>', '100']);
    expect(p('Id>=100')).toEqual(['Id', '>=', '100']);
    expect(p('Id<=100')).toEqual(['Id', '<=', '100']);
  });

  it('parses In / NotIn with text and number lists (raw, split later by type)', () => {
    expect(p('ExternalId In S100;S101')).toEqual(['ExternalId', 'In', 'S100;S101']);
    expect(p('Id In 1,2, 3')).toEqual(['Id', 'In', '1,2, 3']);
    expect(p('ExternalId NotIn S100; S101')).toEqual(['ExternalId', 'NotIn', 'S100; S101']);
    expect(p('Id NotIn 5')).toEqual(['Id', 'NotIn', '5']);
  });

  it('parses Like with % wildcards', () => {
    expect(p('Name Like %sales%')).toEqual(['Name', 'Like', '%sales%']);
  });

  it('matches word operators without regard to case and returns the canonical spelling', () => {
    expect(p('Id in 1,2')).toEqual(['Id', 'In', '1,2']);
    expect(p('Id IN 1,2')).toEqual(['Id', 'In', '1,2']);
    expect(p('Id notin 1')).toEqual(['Id', 'NotIn', '1']);
    expect(p('Id NOTIN 1')).toEqual(['Id', 'NotIn', '1']);
    expect(p('Name LIKE a%')).toEqual(['Name', 'Like', 'a%']);
    expect(p('Name like a%')).toEqual(['Name', 'Like', 'a%']);
  });

  it('keeps values with inner spaces and trims the ends', () => {
    expect(p('Name =   My  Big Department   ')).toEqual(['Name', '=', 'My  Big Department']);
    expect(p('Name = Andrew ORourke')).toEqual(['Name', '=', 'Andrew ORourke']);
    expect(p('Name = Sandy Bandy')).toEqual(['Name', '=', 'Sandy Bandy']);
  });

  it('keeps punctuation, quotes and SQL-looking text as part of the value', () => {
    expect(p("Name = x'; drop table users; --")).toEqual(['Name', '=', "x'; drop table users; --"]);
    expect(p('Name = a(b')).toEqual(['Name', '=', 'a(b']);
    expect(p('Email = a.b@c.com')).toEqual(['Email', '=', 'a.b@c.com']);
  });

  it('parses dotted paths', () => {
    expect(p('DepartmentId.Name = Sales')).toEqual(['DepartmentId.Name', '=', 'Sales']);
    const node = parseFilters('DepartmentId.Name = Sales');
    expect(node).toEqual({
      kind: 'clause',
      path: ['DepartmentId', 'Name'],
      op: '=',
      raw: 'Sales',
      pos: 0,
      valuePos: 20,
    });
  });

  it('records clause and value positions', () => {
    const node = parseFilters('(Name = My Department) AND (CreatedOn > 2021-01-01)');
    expect(node).toEqual({
      kind: 'and',
      items: [
        { kind: 'clause', path: ['Name'], op: '=', raw: 'My Department', pos: 1, valuePos: 8 },
        { kind: 'clause', path: ['CreatedOn'], op: '>', raw: '2021-01-01', pos: 28, valuePos: 40 },
      ],
    });
  });

  it('treats blank text as no filter', () => {
    expect(parseFilters('')).toEqual({ kind: 'and', items: [] });
    expect(parseFilters('   ')).toEqual({ kind: 'and', items: [] });
  });
});

describe('parseFilters: AND / OR and parentheses', () => {
  it('binds AND tighter than OR', () => {
    expect(p('A = 1 OR B = 2 AND C = 3')).toEqual({
      or: [['A', '=', '1'], { and: [['B', '=', '2'], ['C', '=', '3']] }],
    });
    expect(p('A = 1 AND B = 2 OR C = 3')).toEqual({
      or: [{ and: [['A', '=', '1'], ['B', '=', '2']] }, ['C', '=', '3']],
    });
  });

  it('lets parentheses override precedence', () => {
    expect(p('(A = 1 OR B = 2) AND C = 3')).toEqual({
      and: [{ or: [['A', '=', '1'], ['B', '=', '2']] }, ['C', '=', '3']],
    });
  });

  it('nests parentheses', () => {
    expect(p('((A = 1) AND ((B = 2 OR (C = 3))))')).toEqual({
      and: [['A', '=', '1'], { or: [['B', '=', '2'], ['C', '=', '3']] }],
    });
    expect(p('(A = 1 or B = 2) and (C = 3 or (D = 4 and E = 5))')).toEqual({
      and: [
        { or: [['A', '=', '1'], ['B', '=', '2']] },
        { or: [['C', '=', '3'], { and: [['D', '=', '4'], ['E', '=', '5']] }] },
      ],
    });
  });

  it('flattens chains of the same connective', () => {
    expect(p('A = 1 AND B = 2 AND (C = 3 AND D = 4)')).toEqual({
      and: [['A', '=', '1'], ['B', '=', '2'], ['C', '=', '3'], ['D', '=', '4']],
    });
  });

  it('matches AND / OR without regard to case', () => {
    expect(p('A = 1 and B = 2 Or C = 3')).toEqual({
      or: [{ and: [['A', '=', '1'], ['B', '=', '2']] }, ['C', '=', '3']],
    });
    expect(p('A = 1 aNd B = 2')).toEqual({ and: [['A', '=', '1'], ['B', '=', '2']] });
  });

  it('accepts a keyword directly before or after a parenthesis', () => {
    expect(p('(A = 1)AND(B = 2)')).toEqual({ and: [['A', '=', '1'], ['B', '=', '2']] });
    expect(p('A = x OR(B = 2)')).toEqual({ or: [['A', '=', 'x'], ['B', '=', '2']] });
  });

  it('ends a value at a whitespace-delimited AND / OR only', () => {
    expect(p('Name = Sandor AND Id = 1')).toEqual({ and: [['Name', '=', 'Sandor'], ['Id', '=', '1']] });
    expect(p('Name = Oregon OR Name = Andes')).toEqual({ or: [['Name', '=', 'Oregon'], ['Name', '=', 'Andes']] });
  });
});

describe('parseFilters: malformed input', () => {
  it('rejects an unknown operator, saying where', () => {
    expect(filterError('Name Foo bar')).toBe("Filters: unknown operator 'Foo' after 'Name' at position 5");
    expect(filterError('Id != 1')).toBe("Filters: unknown operator '!=' after 'Id' at position 3");
    expect(filterError('Id == 1')).toBe("Filters: unknown operator '==' after 'Id' at position 3");
    expect(filterError('Id ~ 1')).toBe("Filters: unknown operator '~' after 'Id' at position 3");
    expect(filterError('Name Inside x')).toBe("Filters: unknown operator 'Inside' after 'Name' at position 5");
  });

  it('rejects a missing operator', () => {
    expect(filterError('Name')).toBe("Filters: expected an operator after 'Name' at position 4");
  });

  it('rejects a missing value', () => {
    expect(filterError('Id =')).toBe("Filters: expected a value after '=' at position 4");
    expect(filterError('Id =   ')).toBe("Filters: expected a value after '=' at position 7");
    expect(filterError('Id = AND B = 1')).toBe("Filters: expected a value after '=' at position 5");
    expect(filterError('(Id In )')).toBe("Filters: expected a value after 'In' at position 7");
  });

  it('rejects a missing field', () => {
    expect(filterError('= 5')).toBe("Filters: expected a field name but found '=' at position 0");
    expect(filterError('A = 1 AND = 5')).toBe("Filters: expected a field name but found '=' at position 10");
    expect(filterError('5 = 5')).toBe("Filters: expected a field name but found '5' at position 0");
    expect(filterError('Dept. = 5')).toBe("Filters: expected a field name after '.' at position 5");
  });

  it("rejects a missing ')'", () => {
    expect(filterError('(Name = x')).toBe("Filters: missing ')' at position 9");
    expect(filterError('((A = 1) AND B = 2')).toBe("Filters: missing ')' at position 18");
  });

  it("rejects an extra ')'", () => {
    expect(filterError('Name = x)')).toBe("Filters: unexpected ')' (no matching '(') at position 8");
    expect(filterError('(A = 1))')).toBe("Filters: unexpected ')' (no matching '(') at position 7");
    expect(filterError(')')).toBe("Filters: unexpected ')' at position 0");
  });

  it('rejects a dangling AND / OR', () => {
    expect(filterError('AND Name = x')).toBe("Filters: unexpected 'AND' at position 0");
    expect(filterError('or Name = x')).toBe("Filters: unexpected 'OR' at position 0");
    expect(filterError('Name = x AND')).toBe("Filters: expected a clause after 'AND' at position 12");
    expect(filterError('Name = x OR   ')).toBe("Filters: expected a clause after 'OR' at position 14");
    expect(filterError('A = 1 AND AND B = 2')).toBe("Filters: unexpected 'AND' at position 10");
    expect(filterError('(A = 1 OR)')).toBe("Filters: unexpected ')' at position 9");
  });

  it('rejects empty parentheses', () => {
    expect(filterError('()')).toBe("Filters: empty parentheses '()' at position 0");
    expect(filterError('A = 1 AND ( )')).toBe("Filters: empty parentheses '()' at position 10");
    expect(filterError('(')).toBe("Filters: expected a clause after '(' at position 1");
  });

  it('rejects text after a parenthesised group that is not a connective', () => {
    expect(filterError('(A = 1) B = 2')).toBe("Filters: expected AND, OR or ')' but found 'B' at position 8");
  });

  it('rejects a filter that is too long', () => {
    const text = `Name = ${'x'.repeat(MAX_FILTER_LENGTH)}`;
    expect(filterError(text)).toBe(`Filters: longer than ${MAX_FILTER_LENGTH} characters`);
    // Exactly at the limit is fine.
    const ok = `Name = ${'x'.repeat(MAX_FILTER_LENGTH - 7)}`;
    expect(ok.length).toBe(MAX_FILTER_LENGTH);
    expect(parseFilters(ok)).toMatchObject({ kind: 'clause', raw: 'x'.repeat(MAX_FILTER_LENGTH - 7) });
  });

  it('rejects nesting that is too deep (and accepts the limit)', () => {
    const nest = (n: number) => `${'('.repeat(n)}A = 1${')'.repeat(n)}`;
    expect(p(nest(MAX_DEPTH))).toEqual(['A', '=', '1']);
    expect(filterError(nest(MAX_DEPTH + 1))).toBe(`Filters: parentheses nested deeper than ${MAX_DEPTH} at position ${MAX_DEPTH}`);
    // Pathological input within the length cap: no stack overflow, a clean error.
    expect(filterError('('.repeat(3999))).toBe(`Filters: parentheses nested deeper than ${MAX_DEPTH} at position ${MAX_DEPTH}`);
  });

  it('rejects too many clauses (and accepts the limit)', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `A = ${i}`).join(' OR ');
    const ok = parseFilters(many(MAX_CLAUSES));
    expect(ok.kind).toBe('or');
    expect(ok.kind !== 'clause' && ok.items.length).toBe(MAX_CLAUSES);
    const text = many(MAX_CLAUSES + 1);
    const pos = text.lastIndexOf('A = ');
    expect(filterError(text)).toBe(`Filters: more than ${MAX_CLAUSES} clauses at position ${pos}`);
  });

  it('handles long adversarial values quickly', () => {
    const started = Date.now();
    expect(filterError(`Name = ${' '.repeat(3980)}`)).toBe(`Filters: expected a value after '=' at position ${3987}`);
    expect(p(`Name = a${' a'.repeat(1990)}`)).toEqual(['Name', '=', `a${' a'.repeat(1990)}`]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('errors carry the parameter and position', () => {
    const e = errorOf(() => parseFilters('Name Foo bar'));
    expect(e.param).toBe('Filters');
    expect(e.position).toBe(5);
    expect(e.statusCode).toBe(400);
    expect(e).toBeInstanceOf(Error);
  });
});

describe('parseOrders', () => {
  it('parses fields with optional direction in any case', () => {
    expect(parseOrders('Name DESC, CreatedOn ASC')).toEqual([
      { path: 'Name', direction: 'desc', pos: 0 },
      { path: 'CreatedOn', direction: 'asc', pos: 11 },
    ]);
    expect(parseOrders('Name, Id desc,Email Asc')).toEqual([
      { path: 'Name', direction: 'asc', pos: 0 },
      { path: 'Id', direction: 'desc', pos: 6 },
      { path: 'Email', direction: 'asc', pos: 14 },
    ]);
  });

  it('treats blank text as no ordering', () => {
    expect(parseOrders('')).toEqual([]);
    expect(parseOrders('  ')).toEqual([]);
  });

  it('rejects malformed items', () => {
    expect(errorOf(() => parseOrders('Name UP')).message).toBe(
      "Orders: expected ASC or DESC after 'Name' but found 'UP' at position 5",
    );
    expect(errorOf(() => parseOrders('Name DESC ASC')).message).toBe(
      "Orders: expected ASC or DESC after 'Name' but found 'DESC ASC' at position 5",
    );
    expect(errorOf(() => parseOrders('Name,')).message).toBe('Orders: empty item in the list at position 5');
    expect(errorOf(() => parseOrders('1Name')).message).toBe("Orders: expected a field name but found '1Name' at position 0");
    expect(errorOf(() => parseOrders('Na-me')).message).toBe("Orders: unexpected '-me' after 'Na' at position 2");
    expect(errorOf(() => parseOrders('x'.repeat(4001))).message).toBe('Orders: longer than 4000 characters');
  });
});

describe('parseFields', () => {
  it('returns * for blank or *', () => {
    expect(parseFields('')).toBe('*');
    expect(parseFields(' * ')).toBe('*');
  });

  it('parses a comma list, trimming and dropping duplicates', () => {
    expect(parseFields('Name, Id,Email ,Name')).toEqual(['Name', 'Id', 'Email']);
    expect(parseFields('External_Id')).toEqual(['External_Id']);
  });

  it('rejects malformed lists', () => {
    expect(errorOf(() => parseFields('Name,,Id')).message).toBe('Fields: empty item in the list at position 5');
    expect(errorOf(() => parseFields('Na me')).message).toBe("Fields: 'Na me' is not a field name at position 0");
    expect(errorOf(() => parseFields('Id, Dept.Name')).message).toBe("Fields: 'Dept.Name' is not a field name at position 4");
    expect(errorOf(() => parseFields('Id, *')).message).toBe("Fields: '*' is not a field name at position 4");
  });
});
