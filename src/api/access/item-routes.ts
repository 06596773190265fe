/** Routes that identifiers, time profiles and apartments declare alike: the list (§6) and the delete by uid. */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ListField, ListSpec } from '../../store/paged-list.ts';
import { ListOption, ListQuery, listOption, listSpec, type ListQuery as ListQueryType } from './list.ts';
import { Empty, flatErrors, pathParams } from './schemas.ts';

export interface ListRoute<T> {
  url: string;
  tags: string[];
  summary: string;
  fields: Record<string, ListField>;
  item: TSchema;
  list: (spec: ListSpec) => Promise<{ items: T[]; total: number }>;
  view: (item: T) => unknown;
}

export function listRoute<T>(app: FastifyInstance, route: ListRoute<T>): void {
  app.get<{ Querystring: ListQueryType }>(
    route.url,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        description: `Sort and filter fields: ${Object.keys(route.fields).join(', ')}. Default sort: uid ascending.`,
        querystring: ListQuery,
        response: { 200: Type.Object({ list_option: ListOption, list_items: Type.Array(route.item) }), ...flatErrors },
      },
    },
    async (request) => {
      const spec = listSpec(request.query, route.fields, 'uid');
      const { items, total } = await route.list(spec);
      return { list_option: listOption(spec, total, route.fields), list_items: items.map(route.view) };
    },
  );
}

export interface DeleteRoute {
  url: string;
  /** The path parameter holding the uid, as declared in `url` (e.g. `identifier_uid`). */
  param: string;
  tags: string[];
  summary: string;
  description?: string;
  run: (id: number) => Promise<void>;
}

export function deleteItemRoute(app: FastifyInstance, route: DeleteRoute): void {
  app.delete<{ Params: Record<string, number> }>(
    route.url,
    {
      schema: {
        tags: route.tags,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        params: pathParams(route.param),
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      await route.run(request.params[route.param]);
      return {};
    },
  );
}
