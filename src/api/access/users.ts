/** Users of the panel dialect: access-api.md §3, routes U1–U8. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import type { BulkUserItem, UserDirectory } from '../../directory/user-directory.ts';
import { CapacityError, NotFoundError, type User } from '../../directory/users.ts';
import type { Store } from '../../store/database.ts';
import { pagedList, type ListField } from '../../store/paged-list.ts';
import { rowToUser, type UserRow } from '../../store/users.ts';
import { bulkDeleteRoute } from './bulk-delete.ts';
import { sendBulkResult } from './bulk-json.ts';
import { AccessError, errors } from './errors.ts';
import { ListOption, ListQuery, listOption, listSpec } from './list.ts';
import {
  BulkResult,
  Empty,
  LinkIdList,
  UserFieldsProps,
  Uuid,
  authFactorNames,
  flatErrors,
  pathParams,
  type UserFields,
} from './schemas.ts';

export interface UsersRouteOptions {
  store: Store;
  directory: UserDirectory;
  maxBulkItems: number;
  /** Adds identifiers, time profiles and apartments to a user's view (when those exist). */
  relations?: (userIds: readonly number[]) => Promise<Map<number, Record<string, unknown>>>;
}

export const USER_LIST_FIELDS: Record<string, ListField> = {
  item_uid: { column: 'id', type: 'number' },
  link_id: { column: 'link_id', type: 'string' },
  name: { column: 'name', type: 'string', lowerColumn: 'name_key' },
  info: { column: 'info', type: 'string' },
  lock_number: { column: 'lock_number', type: 'number' },
  is_custom_user_access: { column: 'is_custom_user_access', type: 'boolean' },
};

const UserView = Type.Object({
  item_uid: Type.Integer(),
  link_id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  info: Type.String(),
  auth_factors: Type.Array(Type.String()),
  lock_number: Type.Integer(),
  is_custom_user_access: Type.Boolean(),
  has_dublicates: Type.Boolean(),
});

const RelatedRef = Type.Object({ uid: Type.Integer(), link_id: Type.Union([Type.String(), Type.Null()]), name: Type.String() });
const UserDetail = Type.Composite([
  UserView,
  Type.Object({
    identifiers: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    time_profiles: Type.Array(RelatedRef),
    apartments: Type.Array(RelatedRef),
  }),
]);

const BulkItem = Type.Object({
  link_id: Uuid,
  ...UserFieldsProps,
  time_profiles: Type.Optional(LinkIdList),
  apartments: Type.Optional(LinkIdList),
  identifiers: Type.Optional(LinkIdList),
});

/** The five fields, and only them: unknown properties of the body are ignored, never written. */
function accessFields(body: UserFields) {
  const { name, info, lock_number, is_custom_user_access } = body;
  return { name, info, auth_factors: authFactorNames(body.auth_factors), lock_number, is_custom_user_access };
}

function view(user: User, hasDuplicates: boolean): Static<typeof UserView> {
  return {
    item_uid: user.id,
    link_id: user.link_id,
    name: user.name,
    info: user.info,
    auth_factors: user.auth_factors,
    lock_number: user.lock_number,
    is_custom_user_access: user.is_custom_user_access,
    has_dublicates: hasDuplicates,
  };
}

function domainError(error: unknown): never {
  if (error instanceof NotFoundError) throw errors.notFound();
  if (error instanceof CapacityError) throw new AccessError(400, 'Number of entities exceeded');
  throw error;
}

export const usersRoutes: FastifyPluginAsyncTypebox<UsersRouteOptions> = async (app, options) => {
  const { store, directory, maxBulkItems } = options;
  const UserId = pathParams('user_uid');
  const tags = ['Users'];

  async function listUsers(query: ListQuery, linkedOnly: boolean) {
    const spec = listSpec(query, USER_LIST_FIELDS, 'item_uid');
    const { rows, total } = await pagedList<UserRow>(
      store.db,
      'users',
      USER_LIST_FIELDS,
      spec,
      linkedOnly ? sql`link_id is not null` : undefined,
    );
    const users = rows.map(rowToUser);
    const flags = await directory.duplicateFlags(users);
    return {
      list_option: listOption(spec, total, USER_LIST_FIELDS),
      list_items: users.map((u) => view(u, flags.get(u.id) ?? false)),
    };
  }

  app.post(
    '/access/users/item',
    {
      schema: {
        tags,
        summary: 'Create a user (seed 002)',
        description:
          'All five fields are required. `has_dublicates` is true when another user has the same name, ignoring case and surrounding spaces.',
        body: Type.Object(UserFieldsProps),
        response: { 200: Type.Object({ item_uid: Type.Integer(), has_dublicates: Type.Boolean() }), ...flatErrors },
      },
    },
    async (request) => {
      const created = await directory.create(accessFields(request.body)).catch(domainError);
      return { item_uid: created.id, has_dublicates: created.has_dublicates };
    },
  );

  app.get(
    '/access/users/item/:user_uid',
    {
      schema: {
        tags,
        summary: 'Read a user with its identifiers, time profiles and apartments',
        params: UserId,
        response: { 200: UserDetail, ...flatErrors },
      },
    },
    async (request) => {
      const user = await directory.get(request.params.user_uid).catch(domainError);
      const flags = await directory.duplicateFlags([user]);
      const related = (await options.relations?.([user.id]))?.get(user.id) ?? {};
      return { identifiers: [], time_profiles: [], apartments: [], ...view(user, flags.get(user.id) ?? false), ...related };
    },
  );

  app.patch(
    '/access/users/item/:user_uid',
    {
      schema: {
        tags,
        summary: 'Replace the five fields of a user',
        params: UserId,
        body: Type.Object(UserFieldsProps),
        response: { 200: Type.Object({ has_dublicates: Type.Boolean() }), ...flatErrors },
      },
    },
    async (request) => directory.replaceAccessFields(request.params.user_uid, accessFields(request.body)).catch(domainError),
  );

  app.delete(
    '/access/users/item/:user_uid',
    {
      schema: {
        tags,
        summary: 'Delete a user',
        description: 'Its identifiers are unbound (not deleted); its links to time profiles, apartments and departments go.',
        params: UserId,
        response: { 200: Empty, ...flatErrors },
      },
    },
    async (request) => {
      await directory.delete(request.params.user_uid).catch(domainError);
      return {};
    },
  );

  app.get(
    '/access/users/items',
    {
      schema: {
        tags,
        summary: 'List users',
        description: `Sort and filter fields: ${Object.keys(USER_LIST_FIELDS).join(', ')}.`,
        querystring: ListQuery,
        response: { 200: Type.Object({ list_option: ListOption, list_items: Type.Array(UserView) }), ...flatErrors },
      },
    },
    async (request) => listUsers(request.query, false),
  );

  app.get(
    '/access/users/items/link',
    {
      schema: {
        tags,
        summary: 'List users that have a link_id',
        querystring: ListQuery,
        response: { 200: Type.Object({ list_option: ListOption, list_items: Type.Array(UserView) }), ...flatErrors },
      },
    },
    async (request) => listUsers(request.query, true),
  );

  app.post(
    '/access/users/items/link',
    {
      schema: {
        tags,
        summary: 'Create/update users by link_id (seed 000)',
        description: [
          'The whole body is checked first; a structural error names the item path and nothing is applied.',
          'Items are applied in order in one transaction. Matching: a user with this link_id is updated (`updated`);',
          'else exactly one user with the same name (ignoring case and surrounding spaces) and no link_id is updated and takes the link_id (`updated`);',
          'else, when several such users exist, a new user is created with result `has_dublicates`; else a new user is created (`created`).',
          'A repeated link_id in one request is applied again. `number_of_entities_exceeded` (success false) when the user capacity is reached.',
          '`time_profiles`, `apartments`, `identifiers` replace that user\'s links of the kind given; missing ones are skipped and reported',
          '(`bound_time_profile_doesnt_exist`, `bound_apartment_doesnt_exist`, `bound_identifier_doesnt_exist`, success true), first kind in that order.',
        ].join(' '),
        body: Type.Object({ list_items: Type.Array(BulkItem, { minItems: 1, maxItems: maxBulkItems }) }),
        response: { 200: BulkResult, ...flatErrors },
      },
    },
    async (request, reply) => {
      const items: BulkUserItem[] = request.body.list_items.map((item) => ({
        ...item,
        auth_factors: authFactorNames(item.auth_factors),
      }));
      return sendBulkResult(reply, await directory.bulkUpsertByLinkId(items));
    },
  );

  bulkDeleteRoute(app, {
    paths: [
      ['DELETE', '/access/users/items/link'],
      ['POST', '/access/users/link/delete'],
    ],
    tags,
    summary: 'Delete users by link_id (seed 001)',
    maxItems: maxBulkItems,
    handler: (linkIds) => directory.bulkDeleteByLinkId(linkIds),
  });
};
