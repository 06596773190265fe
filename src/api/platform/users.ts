/** Users and their departments, read through the platform dialect (platform-api.md §5). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { findAddressed, withParents } from '../../directory/departments.ts';
import type { Store } from '../../store/database.ts';
import { address } from './addressing.ts';
import { DEPARTMENT_ENTITY, USER_ENTITY, departmentsRepository } from '../../store/departments.ts';
import { errorResponses } from './errors.ts';
import { listMeta, parseListQuery } from './lists.ts';
import { Department, IdParams, ListQueryProps, NameQuery, User, listOf } from './schemas.ts';
import { departmentView, project, userView } from './views.ts';

/** A user read on its own has no DepartmentId (it may have several); filters may still use it. */
const USER_FIELDS = Object.keys(USER_ENTITY.fields).filter((f) => f !== 'DepartmentId');
const USER_KEYS = 'Id, Username, Email, External_Id, MobilePhone or Name; default Id';

export const userRoutes: FastifyPluginAsyncTypebox<{ store: Store }> = async (app, { store }) => {
  const repo = departmentsRepository(store);
  const tags = ['Platform users'];
  const findUser = (name: string | undefined, raw: string) => findAddressed(store, store.db, 'User', address(name, raw));

  app.get(
    '/Users',
    {
      config: { scopes: ['User:Read'] },
      schema: {
        tags,
        summary: 'List users',
        description: `§6 list query. Fields: ${USER_FIELDS.join(', ')}; Filters may also use DepartmentId and DepartmentId.<field>. Default order: Id.`,
        querystring: Type.Object(ListQueryProps),
        response: { 200: listOf(User), ...errorResponses },
      },
    },
    async (request) => {
      const parsed = parseListQuery(request.query, USER_ENTITY, USER_FIELDS);
      const { rows, total } = await repo.listUsers(store.db, parsed.request);
      return { Meta: listMeta(parsed, total, 'User'), Data: rows.map((row) => project(userView(row), parsed.fields)) };
    },
  );

  app.get(
    '/User/:Id',
    {
      config: { scopes: ['User:Read'], keys: { Name: 'User' } },
      schema: {
        tags,
        summary: 'Read a user',
        description: `\`{Id}\` (plain or \`base64|…\`) is matched against query \`Name\` (${USER_KEYS}): none 404, several 400.`,
        params: IdParams,
        querystring: NameQuery,
        response: { 200: User, ...errorResponses },
      },
    },
    async (request) => userView(await findUser(request.query.Name, request.params.Id)),
  );

  app.get(
    '/User/:Id/Departments',
    {
      config: { scopes: ['User:Read', 'Department:Read'], keys: { Name: 'User' } },
      schema: {
        tags,
        summary: "The user's departments",
        description: `\`{Id}\` and \`Name\` as for GET /User/{Id}; then a §6 list query over the departments. Needs User:Read and Department:Read.`,
        params: IdParams,
        querystring: Type.Object({ ...NameQuery.properties, ...ListQueryProps }),
        response: { 200: listOf(Department), ...errorResponses },
      },
    },
    async (request) => {
      const user = await findUser(request.query.Name, request.params.Id);
      const parsed = parseListQuery(request.query, DEPARTMENT_ENTITY, Object.keys(DEPARTMENT_ENTITY.fields));
      const { rows, total } = await repo.listDepartments(store.db, parsed.request, Number(user.id));
      const records = await withParents(store, store.db, rows);
      return { Meta: listMeta(parsed, total, 'Department'), Data: records.map((r) => project(departmentView(r), parsed.fields)) };
    },
  );
};
