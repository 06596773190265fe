/** §6 list queries: `Fields`, `Filters`, `Orders`, `CurrentPage`, `PageSize` → a store list request. */
import type { ListRequest } from '../../store/departments.ts';
import { resolveFields, type EntityFields } from '../../store/list-query.ts';
import { QueryLanguageError, parseFields, parseFilters, parseOrders, quote } from '../../store/query-language.ts';
import type { ListQuery } from './schemas.ts';

export interface ParsedList {
  request: ListRequest;
  /** The fields to return; undefined = all. */
  fields: string[] | undefined;
}

/** `returned`: the fields the route's records carry (a subset of the entity's filterable fields). */
export function parseListQuery(query: ListQuery, entity: EntityFields, returned: readonly string[]): ParsedList {
  const fieldList = parseFields(query.Fields ?? '');
  let fields: string[] | undefined;
  if (fieldList !== '*') {
    fields = resolveFields(fieldList, entity);
    const other = fields.find((f) => !returned.includes(f));
    if (other !== undefined) throw new QueryLanguageError('Fields', `unknown field ${quote(other)}`);
  }
  return {
    request: {
      filter: parseFilters(query.Filters ?? ''),
      orders: parseOrders(query.Orders ?? ''),
      page: Math.max(1, query.CurrentPage),
      pageSize: query.PageSize,
    },
    fields,
  };
}

export function listMeta(parsed: ParsedList, total: number, type: 'User' | 'Department') {
  return { TotalItems: total, CurrentPage: parsed.request.page, PageSize: parsed.request.pageSize, Type: type };
}
