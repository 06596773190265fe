/**
 * Departments, memberships and the platform's reads of users: lookups by key field (one query per
 * key kind, whatever the batch size), set-based membership writes, and the §6 list queries through
 * the fixed entity field lists below.
 */
import { sql, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { KeyField } from '../directory/keys.ts';
import { rowWriter } from './bulk-write.ts';
import type { Queryable, Store, Tx } from './database.ts';
import { compileFilter, compileOrders, type EntityFields } from './list-query.ts';
import type { FilterNode } from './query-language.ts';
import type { DepartmentsTable, MembershipsTable } from './schema.ts';
import { STORED_USER_COLUMNS, type StoredUser, type UserRow } from './users.ts';

export type DepartmentRow = Selectable<DepartmentsTable>;
type MembershipRow = Selectable<MembershipsTable>;

/** Department fields of the list queries (Filters, Orders, Fields). */
export const DEPARTMENT_ENTITY: EntityFields = {
  table: 'departments',
  fields: {
    Id: { column: 'id', type: 'uuid' },
    ExternalId: { column: 'external_id', type: 'text' },
    Name: { column: 'name', type: 'text' },
    DepartmentTypeId: { column: 'type', type: 'text' },
    ParentDepartmentId: { column: 'parent_id', type: 'uuid', relation: { entity: () => DEPARTMENT_ENTITY, key: 'id' } },
    ContactName: { column: 'contact_name', type: 'text' },
    ContactEmail: { column: 'contact_email', type: 'text' },
    ContactPhone: { column: 'contact_phone', type: 'text' },
    Is_Active: { column: 'is_active', type: 'boolean' },
    CreatedOn: { column: 'created_on', type: 'datetime' },
    CreatedBy: { column: 'created_by', type: 'text' },
    ModifiedOn: { column: 'modified_on', type: 'datetime' },
    ModifiedBy: { column: 'modified_by', type: 'text' },
  },
};

/** User fields of the list queries; `DepartmentId` reaches departments through memberships. */
export const USER_ENTITY: EntityFields = {
  table: 'users',
  fields: {
    Id: { column: 'id', type: 'integer' },
    Name: { column: 'name', type: 'text' },
    Username: { column: 'username', type: 'text' },
    Email: { column: 'email', type: 'text' },
    MobilePhone: { column: 'mobile_phone', type: 'text' },
    External_Id: { column: 'external_id', type: 'text' },
    Creation_Date: { column: 'created_at', type: 'datetime' },
    Last_Login: { column: 'last_login', type: 'datetime' },
    Is_Active: { column: 'is_active', type: 'boolean' },
    DepartmentId: {
      column: 'id',
      type: 'uuid',
      relation: {
        entity: () => DEPARTMENT_ENTITY,
        key: 'id',
        through: { table: 'memberships', from: 'user_id', to: 'department_id' },
      },
    },
  },
};

export interface ListRequest {
  filter: FilterNode;
  orders: { path: string; direction: 'asc' | 'desc'; pos?: number }[];
  /** 1-based. */
  page: number;
  pageSize: number;
}

/** Rows keyed by `key` whose value is one of `values`, as the key's column holds them. */
function byKeyValues<T extends 'users' | 'departments'>(store: Store, q: Queryable, table: T, key: KeyField, values: readonly (string | number)[]) {
  return q
    .selectFrom(table as 'users')
    .selectAll()
    .where(store.inList(sql.ref(`${table}.${key.column}`), values, key.type))
    .execute();
}

/**
 * The users whose key column holds one of `values` (distinct), as a query to select from. On
 * SQLite a join over json_each, where each value probes the column's index: `IN (select value
 * from json_each(…))` first copies the whole list into a temporary index, about 25 ms per 50 000
 * values whether any is found or not (a bulk asks twice). PostgreSQL: `= any(array)`, as inList.
 */
function usersHolding(store: Store, q: Queryable, key: KeyField, values: readonly (string | number)[]) {
  const column = sql.ref(`users.${key.column}`);
  if (store.kind === 'postgres') return q.selectFrom('users').where(store.inList(column, values, key.type));
  return q
    .selectFrom(sql<{ value: string | number }>`json_each(${JSON.stringify(values)})`.as('list'))
    .innerJoin('users', (join) => join.on(sql<SqlBool>`${column} = list.value`));
}

export function departmentsRepository(store: Store) {
  const dialect = store.kind;
  const addMemberships = rowWriter<MembershipRow>(store, {
    table: 'memberships',
    columns: [
      { name: 'department_id', type: 'text' },
      { name: 'user_id', type: 'int4' },
    ],
    conflict: ['department_id', 'user_id'],
    ignoreConflicts: true,
  });

  async function list<Row>(
    q: Queryable,
    entity: EntityFields,
    request: ListRequest,
    scope: RawBuilder<SqlBool> | undefined,
    tieBreak: string,
  ): Promise<{ rows: Row[]; total: number }> {
    const where = compileFilter(request.filter, entity, dialect);
    const orders = compileOrders(request.orders, entity);
    if (!orders.some(([column]) => column === tieBreak)) orders.push([tieBreak, 'asc']);
    let base = q.selectFrom(entity.table as 'users').where(where);
    if (scope) base = base.where(scope);
    const count = await base.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    let page = base.selectAll();
    // Unset (NULL) sorts after every value, on both stores (PostgreSQL's own order; SQLite's is the reverse).
    for (const [column, direction] of orders) {
      page = page.orderBy(sql.ref(`${entity.table}.${column}`), (ob) => (direction === 'desc' ? ob.desc().nullsFirst() : ob.asc().nullsLast()));
    }
    const rows = await page
      .limit(request.pageSize)
      .offset((request.page - 1) * request.pageSize)
      .execute();
    return { rows: rows as Row[], total: Number(count.n) };
  }

  return {
    async departmentsByKey(q: Queryable, key: KeyField, values: readonly (string | number)[]): Promise<DepartmentRow[]> {
      if (values.length === 0) return [];
      return (await byKeyValues(store, q, 'departments', key, values)) as unknown as DepartmentRow[];
    },

    async usersByKey(q: Queryable, key: KeyField, values: readonly (string | number)[]): Promise<UserRow[]> {
      if (values.length === 0) return [];
      return byKeyValues(store, q, 'users', key, values);
    },

    /** The users whose `key` is one of `values` (distinct), as the platform's upserts read them (fewer columns than `usersByKey`). */
    async storedUsersByKey(q: Queryable, key: KeyField, values: readonly (string | number)[]): Promise<StoredUser[]> {
      if (values.length === 0) return [];
      return usersHolding(store, q, key, values)
        .select(STORED_USER_COLUMNS.map((c) => `users.${c}` as const))
        .execute();
    },

    /** Who holds each value (distinct) of a key: just the id and the value, for uniqueness checks. */
    async holdersByKey(q: Queryable, key: KeyField, values: readonly (string | number)[]): Promise<{ id: number; value: string | number }[]> {
      if (values.length === 0) return [];
      const rows = await usersHolding(store, q, key, values)
        .select(['users.id', sql.ref<string | number>(`users.${key.column}`).as('value')])
        .execute();
      return rows.map((row) => ({ id: Number(row.id), value: row.value }));
    },

    async departmentsByIds(q: Queryable, ids: readonly string[]): Promise<DepartmentRow[]> {
      if (ids.length === 0) return [];
      return q.selectFrom('departments').selectAll().where(store.inList('id', ids, 'text')).execute();
    },

    async insertDepartment(q: Queryable, row: DepartmentRow): Promise<void> {
      await q.insertInto('departments').values(row).execute();
    },

    async updateDepartment(q: Queryable, row: DepartmentRow): Promise<void> {
      const { id, created_on: _on, created_by: _by, created_by_kind: _kind, ...rest } = row;
      await q.updateTable('departments').set(rest).where('id', '=', id).execute();
    },

    async deleteDepartment(q: Queryable, id: string): Promise<void> {
      await q.deleteFrom('departments').where('id', '=', id).execute();
    },

    /** Ids of the department's ancestors, nearest first (stops at `limit` against a cycle). */
    async ancestors(q: Queryable, id: string, limit = 10_000): Promise<string[]> {
      const out: string[] = [];
      let current: string | null = id;
      while (current !== null && out.length < limit) {
        const row: { parent_id: string | null } | undefined = await q
          .selectFrom('departments')
          .select('parent_id')
          .where('id', '=', current)
          .executeTakeFirst();
        current = row?.parent_id ?? null;
        if (current !== null) out.push(current);
      }
      return out;
    },

    /** Adds the users to the department; existing memberships stay as they are. */
    async addMembers(tx: Tx, departmentId: string, userIds: readonly number[]): Promise<void> {
      if (userIds.length === 0) return;
      if (store.kind === 'sqlite') {
        // One statement over the ids as one JSON value: binding two values per row of a 50 000-user
        // bulk cost more than SQLite's reading of the list (`where true` lets the upsert parse after a select).
        await sql`insert into memberships (department_id, user_id) select ${departmentId}, value from json_each(${JSON.stringify(userIds)}) where true
          on conflict (department_id, user_id) do nothing`.execute(tx);
        return;
      }
      await addMemberships(tx, userIds.map((user_id) => ({ department_id: departmentId, user_id })));
    },

    async removeMember(q: Queryable, departmentId: string, userId: number): Promise<boolean> {
      const result = await q.deleteFrom('memberships').where('department_id', '=', departmentId).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    /** Removes the department's memberships of every user not in `keep` (one statement). */
    async removeMembersExcept(q: Queryable, departmentId: string, keep: readonly number[]): Promise<number> {
      let query = q.deleteFrom('memberships').where('department_id', '=', departmentId);
      if (keep.length > 0) {
        // PostgreSQL: NOT IN over a subquery is a hashed anti-join; `<> all(array)` would scan the array per row.
        const kept =
          store.kind === 'postgres'
            ? sql<SqlBool>`user_id not in (select unnest(${keep}::int4[]))`
            : sql<SqlBool>`not (${store.inList('user_id', keep, 'integer')})`;
        query = query.where(kept);
      }
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    listDepartments(q: Queryable, request: ListRequest, ofUser?: number) {
      const scope = ofUser === undefined ? undefined : sql<SqlBool>`departments.id in (select department_id from memberships where user_id = ${ofUser})`;
      return list<DepartmentRow>(q, DEPARTMENT_ENTITY, request, scope, 'id');
    },

    listUsers(q: Queryable, request: ListRequest, ofDepartment?: string) {
      const scope = ofDepartment === undefined ? undefined : sql<SqlBool>`users.id in (select user_id from memberships where department_id = ${ofDepartment})`;
      return list<UserRow>(q, USER_ENTITY, request, scope, 'id');
    },
  };
}

export type DepartmentsRepository = ReturnType<typeof departmentsRepository>;
