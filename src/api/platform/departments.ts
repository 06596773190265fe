/** Department routes of the platform dialect (platform-api.md §5). A thin adapter over directory/departments. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { hasScope, type Principal } from '../../auth/principal.ts';
import { withParents, type DepartmentInput, type Departments, type Writer } from '../../directory/departments.ts';
import type { Store } from '../../store/database.ts';
import { DEPARTMENT_ENTITY, departmentsRepository } from '../../store/departments.ts';
import { address, toFieldRef } from './addressing.ts';
import { errorResponses, platformErrors } from './errors.ts';
import { listMeta, parseListQuery } from './lists.ts';
import { Department, DepartmentBody, IdParams, ListQueryProps, NameQuery, listOf } from './schemas.ts';
import { departmentView, project } from './views.ts';

export interface DepartmentRoutesOptions {
  store: Store;
  departments: Departments;
}

export function writerOf(principal: Principal | undefined): Writer {
  if (!principal) throw platformErrors.unauthorized();
  return { kind: principal.kind, subject: principal.subject };
}

function toInput(body: DepartmentBody): DepartmentInput {
  const type = body.DepartmentTypeId;
  return {
    id: body.Id,
    externalId: body.ExternalId,
    name: body.Name,
    type: type === undefined ? undefined : typeof type === 'string' ? type : type.Id,
    parent: body.ParentDepartmentId === undefined || body.ParentDepartmentId === null ? body.ParentDepartmentId : toFieldRef(body.ParentDepartmentId, 'ParentDepartmentId'),
    contactName: body.ContactName,
    contactEmail: body.ContactEmail,
    contactPhone: body.ContactPhone,
    isActive: body.Is_Active,
  };
}

const ADDRESSING =
  '`{Id}` may be `base64|<base64 of UTF-8 text>`. Query `Name` (Id, Name or ExternalId; default Id) says which field `{Id}` is matched against: no match 404, several 400.';

export const departmentRoutes: FastifyPluginAsyncTypebox<DepartmentRoutesOptions> = async (app, { store, departments }) => {
  const tags = ['Departments'];
  const record = { 200: Department, ...errorResponses };

  app.post(
    '/Department',
    {
      config: { scopes: ['Department:Create'] },
      schema: {
        tags,
        summary: 'Create a department',
        description: '`Name` is required. `Id` (a UUID) is generated unless given; a taken `Id` or `ExternalId` is a 400. `ParentDepartmentId` is a FieldType.',
        body: DepartmentBody,
        response: record,
      },
    },
    async (request) => departmentView(await departments.create(toInput(request.body), writerOf(request.principal))),
  );

  app.patch(
    '/Department',
    {
      config: { anyScope: ['Department:Create', 'Department:Update'] },
      schema: {
        tags,
        summary: 'Upsert a department',
        description:
          'By `Id` when given (not found: 404), else by `ExternalId` when given, else a new department. Creating needs Department:Create, updating Department:Update. Fields left out stay as they are; null clears one.',
        body: DepartmentBody,
        response: record,
      },
    },
    async (request) => {
      const principal = request.principal;
      const upserted = await departments.upsert(toInput(request.body), writerOf(principal), (outcome) => {
        if (!hasScope(principal!, outcome === 'created' ? 'Department:Create' : 'Department:Update')) throw platformErrors.forbidden();
      });
      return departmentView(upserted);
    },
  );

  app.get(
    '/Department/:Id',
    {
      config: { scopes: ['Department:Read'], keys: { Name: 'Department' } },
      schema: { tags, summary: 'Read a department', description: ADDRESSING, params: IdParams, querystring: NameQuery, response: record },
    },
    async (request) => departmentView(await departments.get(address(request.query.Name, request.params.Id))),
  );

  app.put(
    '/Department/:Id',
    {
      config: { scopes: ['Department:Update'], keys: { Name: 'Department' } },
      schema: {
        tags,
        summary: 'Update a department',
        description: `${ADDRESSING} Fields left out stay as they are; null clears one; \`Id\` cannot change. A department cannot become its own ancestor.`,
        params: IdParams,
        querystring: NameQuery,
        body: DepartmentBody,
        response: record,
      },
    },
    async (request) =>
      departmentView(await departments.update(address(request.query.Name, request.params.Id), toInput(request.body), writerOf(request.principal))),
  );

  app.delete(
    '/Department/:Id',
    {
      config: { scopes: ['Department:Delete'], keys: { Name: 'Department' } },
      schema: {
        tags,
        summary: 'Delete a department',
        description: `${ADDRESSING} Returns the deleted record. Its memberships go, its users stay; its child departments lose their parent.`,
        params: IdParams,
        querystring: NameQuery,
        response: record,
      },
    },
    async (request) => departmentView(await departments.remove(address(request.query.Name, request.params.Id))),
  );

  const repo = departmentsRepository(store);
  app.get(
    '/Departments',
    {
      config: { scopes: ['Department:Read'] },
      schema: {
        tags,
        summary: 'List departments',
        description: `§6 list query. Fields: ${Object.keys(DEPARTMENT_ENTITY.fields).join(', ')}. Default order: Id.`,
        querystring: Type.Object(ListQueryProps),
        response: { 200: listOf(Department), ...errorResponses },
      },
    },
    async (request) => {
      const parsed = parseListQuery(request.query, DEPARTMENT_ENTITY, Object.keys(DEPARTMENT_ENTITY.fields));
      const { rows, total } = await repo.listDepartments(store.db, parsed.request);
      const records = await withParents(store, store.db, rows);
      return { Meta: listMeta(parsed, total, 'Department'), Data: records.map((r) => project(departmentView(r), parsed.fields)) };
    },
  );
};
