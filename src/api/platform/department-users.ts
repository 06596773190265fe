/** A department's users (platform-api.md §5.1, §5.2, seeds 003/004). A thin adapter over directory/department-users. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { BulkRecord, DepartmentUsers } from '../../directory/department-users.ts';
import type { Store } from '../../store/database.ts';
import { USER_ENTITY, departmentsRepository } from '../../store/departments.ts';
import { address, toFieldRef } from './addressing.ts';
import { errorResponses } from './errors.ts';
import { listMeta, parseListQuery } from './lists.ts';
import { IdParams, ListQueryProps, ListValidation, NameQuery, SubIdParams, User, UserPost, UserText, listOf, type UserText as UserTextType } from './schemas.ts';
import { sendJsonText } from '../json-bytes.ts';
import { departmentUsersJson } from './user-json.ts';
import { departmentRef, project, userView } from './views.ts';

export interface DepartmentUserRoutesOptions {
  store: Store;
  departmentUsers: DepartmentUsers;
  maxBulkUsers: number;
}

const BOOLEAN_TEXT = '^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|1|0)$';

function fieldsOf(body: { Name?: string; Username?: string | null; Email?: string | null; MobilePhone?: string | null; External_Id?: string | null; Is_Active?: boolean }) {
  return {
    name: body.Name,
    username: body.Username,
    email: body.Email,
    mobilePhone: body.MobilePhone,
    externalId: body.External_Id,
    isActive: body.Is_Active,
  };
}

/** One record of a bulk (50 000 of them: one object each, no spread). */
function bulkRecord(user: UserTextType): BulkRecord {
  return {
    id: user.Id,
    userId: user.UserId,
    name: user.Name,
    username: user.Username,
    email: user.Email,
    mobilePhone: user.MobilePhone,
    externalId: user.External_Id,
    isActive: user.Is_Active,
  };
}

/** Returned user fields of a department's user list (§5.1's record). */
const MEMBER_FIELDS = Object.keys(USER_ENTITY.fields);

export const departmentUserRoutes: FastifyPluginAsyncTypebox<DepartmentUserRoutesOptions> = async (app, options) => {
  const { store, departmentUsers } = options;
  const repo = departmentsRepository(store);
  const tags = ['Department users'];

  app.post(
    '/Department/:Id/User',
    {
      config: { scopes: ['Department:Update'], keys: { Name: 'Department' } },
      schema: {
        tags,
        summary: 'Upsert one user of the department (seed 004)',
        description: [
          '`{Id}` and query `Name` (Id, Name, ExternalId) find the department.',
          'Body `Id` given: that user is updated (not found: 404; Id never changes). Else `UserId` (FieldType over Id, Username, Email, External_Id, MobilePhone, Name):',
          'one match is updated, several are a 400, none inserts a user with the given fields and the UserId field and value (`UserId` by Id with no match: 404).',
          'Else a new user is inserted. `Name` is required for every insert. `Username` (without regard to case) and `External_Id` must stay unique (400 naming the other user).',
          'Empty text clears a field. The user becomes a member of the department once (repeating adds no second membership).',
          'Needs Department:Update. Returns the user with `DepartmentId`.',
        ].join(' '),
        params: IdParams,
        querystring: NameQuery,
        body: UserPost,
        response: { 200: User, ...errorResponses },
      },
    },
    async (request) => {
      const { Id, UserId, ...rest } = request.body;
      const result = await departmentUsers.upsertOne(
        address(request.query.Name, request.params.Id),
        { id: Id, userId: UserId === undefined ? undefined : toFieldRef(UserId, 'UserId'), ...fieldsOf(rest) },
      );
      return userView(result.users[0], departmentRef(result.department));
    },
  );

  const bulk = {
    config: { scopes: ['Department:Update'], keys: { Name: 'Department' as const } },
    schema: {
      tags,
      summary: 'Bulk upsert of the department\'s users (seed 003)',
      description: [
        '`{Id}` and query `Name` find the department. Each `Users[i]`: `Id` given → that user (none: 400); else `UserId` → the user whose field named by the',
        '`FieldName` of the `Extra` rule with `Name: "UserId"` (default Id) has that value (several: 400; none: a new user with that field set); else a new user.',
        '`Extra` rules per field: Required; Unique (within the request and in the store; a clash names every record); Min/Max (numbers as numbers, else ISO dates as',
        'instants, else the bound is a length); Pattern (ECMAScript regular expression searched in the value, evaluated with a 500 ms budget per rule: a pattern that',
        'takes longer is a 400); DefaultValue (fills an empty value; dropped when it does not fit the field\'s type). `IsFullValidation` also checks formats and lengths',
        '(Name ≤ 100, Username ≤ 100 without spaces, Email an address ≤ 254, MobilePhone digits/+/spaces/()./- ≤ 32, External_Id ≤ 255).',
        'Username and External_Id are always unique; one user may appear once per request. All or nothing: any problem is a 400 listing every failing record',
        '(`Users[3].Email: …`) and nothing is written; else all upserts, memberships and removals commit in one transaction.',
        'Query `DeleteNotExists` (true/false/1/0, any case; default false): afterwards, this department\'s memberships of users not in `Users` are removed (the users stay;',
        'other departments are untouched; an empty `Users` empties the department). Response: the users in request order, each with `DepartmentId`. POST is accepted too.',
      ].join(' '),
      params: IdParams,
      querystring: Type.Object({
        ...NameQuery.properties,
        DeleteNotExists: Type.Optional(Type.String({ pattern: BOOLEAN_TEXT, description: 'must be true, false, 1 or 0' })),
      }),
      body: Type.Object({
        Extra: Type.Optional(Type.Array(ListValidation, { maxItems: 100 })),
        IsFullValidation: Type.Optional(Type.Boolean()),
        Users: Type.Array(UserText, { maxItems: options.maxBulkUsers }),
      }),
      response: { 200: listOf(User), ...errorResponses },
    },
  };
  const bulkHandler = async (
    request: {
    params: { Id: string };
    query: { Name?: string; DeleteNotExists?: string };
    body: { Extra?: { Name: string; FieldName?: string | null; Required?: boolean; Unique?: boolean; Min?: string | null; Max?: string | null; Pattern?: string | null; DefaultValue?: string | null }[]; IsFullValidation?: boolean; Users: UserTextType[] };
    },
    reply: FastifyReply,
  ) => {
    const flag = request.query.DeleteNotExists?.toLowerCase();
    const result = await departmentUsers.bulkUpsert(
      address(request.query.Name, request.params.Id),
      {
        rules: (request.body.Extra ?? []).map((r) => ({
          name: r.Name,
          fieldName: r.FieldName,
          required: r.Required,
          unique: r.Unique,
          min: r.Min,
          max: r.Max,
          pattern: r.Pattern,
          defaultValue: r.DefaultValue,
        })),
        fullValidation: request.body.IsFullValidation === true,
        users: request.body.Users.map(bulkRecord),
        deleteNotExists: flag === 'true' || flag === '1',
      },
    );
    // The text the 200 schema's serialiser would write (see user-json.ts), sent as bytes.
    return sendJsonText(reply, departmentUsersJson(result.users, result.department));
  };
  app.patch('/Department/:Id/Users', bulk, bulkHandler);
  app.post('/Department/:Id/Users', bulk, bulkHandler);

  app.get(
    '/Department/:Id/Users',
    {
      config: { scopes: ['Department:Read', 'User:Read'], keys: { Name: 'Department' } },
      schema: {
        tags,
        summary: "List the department's users",
        description: `§6 list query over ${MEMBER_FIELDS.join(', ')} (DepartmentId.<field> reaches a department's fields). Default order: Id. Needs Department:Read and User:Read.`,
        params: IdParams,
        querystring: Type.Object({ ...NameQuery.properties, ...ListQueryProps }),
        response: { 200: listOf(User), ...errorResponses },
      },
    },
    async (request) => {
      const dept = await departmentUsers.department(address(request.query.Name, request.params.Id));
      const parsed = parseListQuery(request.query, USER_ENTITY, MEMBER_FIELDS);
      const { rows, total } = await repo.listUsers(store.db, parsed.request, dept.id);
      const departmentId = departmentRef(dept);
      return { Meta: listMeta(parsed, total, 'User'), Data: rows.map((row) => project(userView(row, departmentId), parsed.fields)) };
    },
  );

  app.delete(
    '/Department/:Id/User/:SubId',
    {
      config: { scopes: ['Department:Update'], keys: { Name: 'Department', SubName: 'User' } },
      schema: {
        tags,
        summary: 'Remove a user from the department',
        description:
          '`{SubId}` (plain or `base64|…`) is matched against query `SubName` (Id, Username, Email, External_Id, MobilePhone, Name; default Id). The user stays; only the membership goes. Not a member: 404. Returns the user. Needs Department:Update.',
        params: SubIdParams,
        querystring: Type.Object({ ...NameQuery.properties, SubName: Type.Optional(Type.String({ maxLength: 100 })) }),
        response: { 200: User, ...errorResponses },
      },
    },
    async (request) => {
      const result = await departmentUsers.removeMember(
        address(request.query.Name, request.params.Id),
        address(request.query.SubName, request.params.SubId, { id: 'SubId', name: 'SubName' }),
      );
      return userView(result.users[0]);
    },
  );
};
