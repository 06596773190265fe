/**
 * List queries of the panel dialect (access-api.md §6): limit, page_number, sort_field,
 * sort_type, filter_field / filter_type / filter_format / filter_value, checked against the
 * entity's fixed list of fields; the response's `list_option`.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { ListField, ListSpec } from '../../store/paged-list.ts';
import { AccessError } from './errors.ts';

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 10 }),
  // Any page whose offset (page × limit) is a safe integer: a page past the end has no list_items.
  page_number: Type.Integer({ minimum: 1, maximum: Math.floor(Number.MAX_SAFE_INTEGER / 1000), default: 1 }),
  sort_field: Type.Optional(Type.String({ maxLength: 100, description: 'A field of the item; unset (null) values sort after every value (first with desc)' })),
  sort_type: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' }),
  filter_field: Type.Optional(Type.String({ maxLength: 100 })),
  filter_type: Type.Union([Type.Literal('equal'), Type.Literal('contains')], { default: 'equal' }),
  filter_format: Type.Optional(Type.Union([Type.Literal('string'), Type.Literal('number'), Type.Literal('boolean')])),
  filter_value: Type.Optional(Type.String({ maxLength: 1000 })),
});
export type ListQuery = Static<typeof ListQuery>;

export const ListOption = Type.Object({
  pagination: Type.Object({
    total_items: Type.Integer(),
    items_limit: Type.Integer(),
    total_pages: Type.Integer(),
    current_page: Type.Integer(),
  }),
  filter: Type.Object({
    field: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    format: Type.Optional(Type.String()),
    value: Type.Optional(Type.String()),
  }),
  sort: Type.Object({ field: Type.String(), asc: Type.Boolean(), available_fields: Type.Array(Type.String()) }),
});

const wrongQuery = (name: string) => new AccessError(400, `Wrong query parameter \`${name}\``);

/** Checks the query against the entity's fields; unknown names and unfit values are a 400. */
export function listSpec(query: ListQuery, fields: Record<string, ListField>, defaultSort: string): ListSpec {
  const sortName = query.sort_field ?? defaultSort;
  const sortField = Object.hasOwn(fields, sortName) ? fields[sortName] : undefined;
  if (!sortField) throw wrongQuery('sort_field');
  const spec: ListSpec = {
    limit: query.limit,
    page: query.page_number,
    sort: { field: sortName, column: sortField.column, direction: query.sort_type },
  };
  if (query.filter_field === undefined) {
    if (query.filter_value !== undefined) throw wrongQuery('filter_field');
    return spec;
  }
  const field = Object.hasOwn(fields, query.filter_field) ? fields[query.filter_field] : undefined;
  if (!field) throw wrongQuery('filter_field');
  const format = query.filter_format ?? field.type;
  if (format !== field.type) throw wrongQuery('filter_format');
  if (query.filter_type === 'contains' && field.type !== 'string') throw wrongQuery('filter_type');
  const raw = query.filter_value;
  if (raw === undefined) throw wrongQuery('filter_value');
  let value: string | number;
  if (field.type === 'number') {
    if (!/^-?\d{1,15}$/.test(raw.trim())) throw wrongQuery('filter_value');
    value = Number(raw.trim());
  } else if (field.type === 'boolean') {
    const lower = raw.trim().toLowerCase();
    if (!['true', 'false', '1', '0'].includes(lower)) throw wrongQuery('filter_value');
    value = lower === 'true' || lower === '1' ? 1 : 0;
  } else {
    // link_ids are stored in lower case (UUIDs are case-insensitive on input).
    value = query.filter_field === 'link_id' ? raw.toLowerCase() : raw;
  }
  spec.filter = { field: query.filter_field, type: query.filter_type, format, value, raw };
  return spec;
}

export function listOption(spec: ListSpec, total: number, fields: Record<string, ListField>): Static<typeof ListOption> {
  return {
    pagination: {
      total_items: total,
      items_limit: spec.limit,
      total_pages: Math.ceil(total / spec.limit),
      current_page: spec.page,
    },
    filter: spec.filter
      ? { field: spec.filter.field, type: spec.filter.type, format: spec.filter.format, value: spec.filter.raw }
      : {},
    sort: { field: spec.sort.field, asc: spec.sort.direction === 'asc', available_fields: Object.keys(fields) },
  };
}
