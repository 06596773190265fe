import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { QueryLanguageError, parseFilters, parseOrders } from '../../src/store/query-language.ts';
import {
  compileFilter,
  compileOrders,
  resolveFields,
  toStoredDatetime,
  type Dialect,
  type EntityFields,
} from '../../src/store/list-query.ts';

import { TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { STORE_KINDS } from '../helpers/stores.ts';

const PG_URL = TEST_DATABASE_URL;

const Department: EntityFields = {
  table: 'departments',
  fields: {
    Id: { column: 'id', type: 'uuid' },
    ExternalId: { column: 'external_id', type: 'text' },
    Name: { column: 'name', type: 'text' },
    DepartmentTypeId: { column: 'type', type: 'text' },
    ParentDepartmentId: { column: 'parent_id', type: 'uuid', relation: { entity: () => Department, key: 'id' } },
    Is_Active: { column: 'is_active', type: 'boolean' },
    CreatedOn: { column: 'created_on', type: 'datetime' },
    HeadCount: { column: 'head_count', type: 'integer' },
  },
};

const User: EntityFields = {
  table: 'users',
  fields: {
    Id: { column: 'id', type: 'integer' },
    Name: { column: 'name', type: 'text' },
    Email: { column: 'email', type: 'text' },
    External_Id: { column: 'external_id', type: 'text' },
    Is_Active: { column: 'is_active', type: 'boolean' },
    Creation_Date: { column: 'creation_date', type: 'datetime' },
    // Many-to-one: users.home_department_id → departments.id
    HomeDepartmentId: { column: 'home_department_id', type: 'uuid', relation: { entity: () => Department, key: 'id' } },
    // Many-to-many through memberships(user_id, department_id)
    DepartmentId: {
      column: 'id',
      type: 'uuid',
      relation: {
        entity: () => Department,
        key: 'id',
        through: { table: 'memberships', from: 'user_id', to: 'department_id' },
      },
    },
  },
};

const D = (n: number) => `6f1c2a3e-0000-4000-8000-00000000000${n}`;
const INJECTION = "x'); drop table users; --";

const departments = [
  { id: D(1), external_id: 'S100', name: 'Sales', type: 'Internal', parent_id: null, is_active: 1, created_on: '2020-06-01T00:00:00.000Z', head_count: 10 },
  { id: D(2), external_id: 'S101', name: 'My Department', type: 'Internal', parent_id: D(1), is_active: 1, created_on: '2021-03-15T12:30:00.000Z', head_count: 5 },
  { id: D(3), external_id: 'S102', name: 'sales support', type: 'External', parent_id: D(1), is_active: 0, created_on: '2021-01-01T00:00:00.000Z', head_count: 0 },
  { id: D(4), external_id: null, name: 'R&D_Lab', type: 'External', parent_id: D(2), is_active: 1, created_on: '2022-12-31T23:59:59.999Z', head_count: 42 },
  { id: D(5), external_id: 'S103', name: INJECTION, type: 'Internal', parent_id: null, is_active: 1, created_on: '2019-01-01T00:00:00.000Z', head_count: 1 },
];

const users = [
  { id: 1, name: 'Ann', email: 'ann@example.com', external_id: 'E1', is_active: true, creation_date: '2021-05-01T08:00:00.000Z', home_department_id: D(1) },
  { id: 2, name: 'Bob', email: null, external_id: 'E2', is_active: false, creation_date: '2021-06-01T08:00:00.000Z', home_department_id: D(2) },
  { id: 3, name: 'Carol', email: 'carol@example.com', external_id: null, is_active: true, creation_date: '2020-01-01T00:00:00.000Z', home_department_id: null },
  { id: 100, name: 'Dave', email: 'DAVE@EXAMPLE.COM', external_id: 'E100', is_active: true, creation_date: '2023-01-01T00:00:00.000Z', home_department_id: D(4) },
];

const memberships = [
  { user_id: 1, department_id: D(1) },
  { user_id: 1, department_id: D(2) },
  { user_id: 2, department_id: D(2) },
  { user_id: 3, department_id: D(3) },
];

async function createTables(db: Kysely<any>, kind: Dialect): Promise<void> {
  // On PostgreSQL: a real uuid column and a real boolean column, to show the compiler copes.
  const uuid = kind === 'postgres' ? 'uuid' : 'text';
  const bool = kind === 'postgres' ? 'boolean' : 'integer';
  await db.schema
    .createTable('departments')
    .addColumn('id', uuid, (c) => c.primaryKey())
    .addColumn('external_id', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('parent_id', uuid)
    .addColumn('is_active', 'integer', (c) => c.notNull())
    .addColumn('created_on', 'text', (c) => c.notNull())
    .addColumn('head_count', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('external_id', 'text')
    .addColumn('is_active', bool, (c) => c.notNull())
    .addColumn('creation_date', 'text', (c) => c.notNull())
    .addColumn('home_department_id', uuid)
    .execute();
  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('department_id', uuid, (c) => c.notNull())
    .execute();
  await db.insertInto('departments').values(departments).execute();
  await db
    .insertInto('users')
    .values(users.map((u) => ({ ...u, is_active: kind === 'postgres' ? u.is_active : u.is_active ? 1 : 0 })))
    .execute();
  await db.insertInto('memberships').values(memberships).execute();
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

interface Store {
  kind: Dialect;
  db: Kysely<any>;
}

function storeSuite(kind: Dialect) {
  const store = {} as Store;
  let admin: pg.Pool | undefined;
  let schema = '';

  beforeAll(async () => {
    store.kind = kind;
    if (kind === 'sqlite') {
      store.db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    } else {
      schema = `lq_${randomBytes(6).toString('hex')}`;
      admin = new pg.Pool({ connectionString: PG_URL, max: 1 });
      await admin.query(`create schema ${schema}`);
      store.db = new Kysely<any>({
        dialect: new PostgresDialect({
          pool: new pg.Pool({ connectionString: PG_URL, max: 2, options: `-c search_path=${schema}` }),
        }),
      });
    }
    await createTables(store.db, kind);
  });

  afterAll(async () => {
    await store.db?.destroy();
    if (admin) {
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });

  /** Department numbers (1–5) matching a filter. */
  async function depts(filter: string): Promise<number[]> {
    const rows = await store.db
      .selectFrom('departments')
      .select('id')
      .where(compileFilter(parseFilters(filter), Department, kind))
      .orderBy('id')
      .execute();
    return rows.map((r) => Number(String(r.id).slice(-1)));
  }

  /** User ids matching a filter. */
  async function userIds(filter: string): Promise<number[]> {
    const rows = await store.db
      .selectFrom('users')
      .select('id')
      .where(compileFilter(parseFilters(filter), User, kind))
      .orderBy('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  it('runs against the expected store', async () => {
    const probe =
      kind === 'postgres'
        ? await sql<{ v: string }>`select current_schema() as v`.execute(store.db)
        : await sql<{ v: string }>`select sqlite_version() as v`.execute(store.db);
    expect(probe.rows[0]!.v).toMatch(kind === 'postgres' ? /^lq_[0-9a-f]{12}$/ : /^3\./);
  });

  it('blank filter matches everything', async () => {
    expect(await depts('')).toEqual([1, 2, 3, 4, 5]);
  });

  it('= on text is exact (case-sensitive), values may hold spaces', async () => {
    expect(await depts('Name = Sales')).toEqual([1]);
    expect(await depts('Name = sales')).toEqual([]);
    expect(await depts('Name = My Department')).toEqual([2]);
    expect(await depts('(Name = My Department)')).toEqual([2]);
  });

  it('<> excludes the value and keeps NULLs', async () => {
    expect(await depts('ExternalId <> S100')).toEqual([2, 3, 4, 5]);
    expect(await userIds('Email <> ann@example.com')).toEqual([2, 3, 100]);
  });

  it('> >= < <= on integers', async () => {
    expect(await depts('HeadCount > 5')).toEqual([1, 4]);
    expect(await depts('HeadCount >= 5')).toEqual([1, 2, 4]);
    expect(await depts('HeadCount < 5')).toEqual([3, 5]);
    expect(await depts('HeadCount <= 5')).toEqual([2, 3, 5]);
    expect(await depts('HeadCount = 42')).toEqual([4]);
    expect(await depts('HeadCount > -1')).toEqual([1, 2, 3, 4, 5]);
  });

  it('compares datetimes given as dates or date-times with offsets', async () => {
    expect(await depts('CreatedOn > 2021-01-01')).toEqual([2, 4]);
    expect(await depts('CreatedOn >= 2021-01-01')).toEqual([2, 3, 4]);
    expect(await depts('CreatedOn = 2021-01-01')).toEqual([3]);
    // 14:30 at +02:00 is 12:30Z, department 2's exact time.
    expect(await depts('CreatedOn < 2021-03-15T14:30+02:00')).toEqual([1, 3, 5]);
    expect(await depts('CreatedOn <= 2021-03-15 14:30:00+02:00')).toEqual([1, 2, 3, 5]);
    expect(await depts('CreatedOn >= 2022-12-31T23:59:59.999Z')).toEqual([4]);
    expect(await depts('(Name = My Department) AND (CreatedOn > 2021-01-01)')).toEqual([2]);
    expect(await userIds('Creation_Date < 2021-05-01T08:00:00.001Z')).toEqual([1, 3]);
  });

  it('In / NotIn with text lists split by ;', async () => {
    expect(await depts('ExternalId In S100;S101')).toEqual([1, 2]);
    expect(await depts('ExternalId in S100 ; S102')).toEqual([1, 3]);
    expect(await depts('ExternalId NotIn S100;S102')).toEqual([2, 4, 5]);
    // A comma does not separate text values.
    expect(await depts('ExternalId In S100,S101')).toEqual([]);
    expect(await depts('Name In My Department;Sales')).toEqual([1, 2]);
  });

  it('In / NotIn with integer lists split by ,', async () => {
    expect(await userIds('Id In 1, 100')).toEqual([1, 100]);
    expect(await userIds('Id In 2')).toEqual([2]);
    expect(await userIds('Id NotIn 1,2')).toEqual([3, 100]);
    expect(await depts('HeadCount In 0,5,10')).toEqual([1, 2, 3]);
  });

  it('Like ignores case on both stores; % is the only wildcard', async () => {
    expect(await depts('Name Like sales%')).toEqual([1, 3]);
    expect(await depts('Name LIKE %SUPPORT')).toEqual([3]);
    expect(await depts('Name like %DEPART%')).toEqual([2]);
    expect(await depts('Name Like sales')).toEqual([1]);
    expect(await userIds('Email Like %@example.com')).toEqual([1, 3, 100]);
    // '_' is literal, not a single-character wildcard.
    expect(await depts('Name Like r&d_lab')).toEqual([4]);
    expect(await depts('Name Like R_D%')).toEqual([]);
    expect(await depts('Name Like %\\%')).toEqual([]);
    // Like on a uuid or datetime field works on the text form.
    expect(await depts(`Id Like %000000000003`)).toEqual([3]);
    expect(await depts('CreatedOn Like 2021-%')).toEqual([2, 3]);
  });

  it('booleans: true/false/1/0 in any case, on integer and boolean columns', async () => {
    expect(await depts('Is_Active = false')).toEqual([3]);
    expect(await depts('Is_Active = TRUE')).toEqual([1, 2, 4, 5]);
    expect(await depts('Is_Active <> 1')).toEqual([3]);
    expect(await userIds('Is_Active = true')).toEqual([1, 3, 100]);
    expect(await userIds('is_active = 0')).toEqual([2]);
    expect(await userIds('Is_Active In true,false')).toEqual([1, 2, 3, 100]);
  });

  it('uuid fields compare exactly and accept any text', async () => {
    expect(await depts(`Id = ${D(2)}`)).toEqual([2]);
    expect(await depts('Id = not-a-uuid')).toEqual([]);
    expect(await depts(`Id In ${D(1)};${D(4)};junk`)).toEqual([1, 4]);
  });

  it('dotted paths reach a related record (self relation)', async () => {
    expect(await depts('ParentDepartmentId.Name = Sales')).toEqual([2, 3]);
    expect(await depts('ParentDepartmentId.ExternalId In S101;S999')).toEqual([4]);
    expect(await depts('parentdepartmentid.name like my%')).toEqual([4]);
    expect(await depts(`ParentDepartmentId = ${D(1)}`)).toEqual([2, 3]);
  });

  it('dotted paths reach a related record (many-to-one and many-to-many)', async () => {
    expect(await userIds('HomeDepartmentId.ExternalId = S101')).toEqual([2]);
    expect(await userIds('HomeDepartmentId.HeadCount > 7')).toEqual([1, 100]);
    expect(await userIds('DepartmentId.Name = My Department')).toEqual([1, 2]);
    expect(await userIds('DepartmentId.Name Like %SALES%')).toEqual([1, 3]);
    expect(await userIds(`DepartmentId = ${D(3)}`)).toEqual([3]);
    expect(await userIds(`DepartmentId In ${D(1)};${D(3)}`)).toEqual([1, 3]);
    expect(await userIds('DepartmentId.CreatedOn > 2021-01-01 AND Is_Active = true')).toEqual([1]);
  });

  it('AND binds tighter than OR; parentheses nest', async () => {
    expect(await depts('Name = Sales OR Name = My Department AND HeadCount > 100')).toEqual([1]);
    expect(await depts('(Name = Sales OR Name = My Department) AND HeadCount > 6')).toEqual([1]);
    expect(await depts('HeadCount > 100 AND Name = Sales OR Name = My Department')).toEqual([2]);
    expect(
      await depts('(DepartmentTypeId = External AND (HeadCount = 0 OR (HeadCount > 40))) OR ExternalId = S103'),
    ).toEqual([3, 4, 5]);
  });

  it('field names and keywords match without regard to case', async () => {
    expect(await depts('name = Sales or EXTERNALID in S102')).toEqual([1, 3]);
    expect(await depts('departmenttypeid = Internal and headcount >= 5')).toEqual([1, 2]);
  });

  it('SQL-looking values are just values', async () => {
    expect(await depts("Name = x'; drop table users; --")).toEqual([]);
    expect(await depts("Name In x'; drop table users; --;Sales")).toEqual([1]);
    // A ')' ends a value in the language, so this text cannot be written as a value…
    expect(() => parseFilters(`Name = ${INJECTION}`)).toThrow(QueryLanguageError);
    // …but a hand-built clause holding it is bound as a parameter and matches literally.
    const node = { kind: 'clause' as const, path: ['Name'], op: '=' as const, raw: INJECTION, pos: 0, valuePos: 7 };
    const rows = await store.db.selectFrom('departments').select('id').where(compileFilter(node, Department, kind)).execute();
    expect(rows.map((r) => String(r.id))).toEqual([D(5)]);
    const like = { ...node, op: 'Like' as const, raw: `%${INJECTION}` };
    const rows2 = await store.db.selectFrom('departments').select('id').where(compileFilter(like, Department, kind)).execute();
    expect(rows2.map((r) => String(r.id))).toEqual([D(5)]);
    // The tables are all still there.
    const count = await store.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(4);
  });

  it('compiles to bound parameters, identifiers only from the field list', () => {
    const compiled = store.db
      .selectFrom('users')
      .select('id')
      .where(compileFilter(parseFilters("Name = Robert'; -- AND DepartmentId.Name Like a_b%"), User, kind))
      .compile();
    expect(compiled.parameters).toEqual(["Robert'; --", 'a\\_b%']);
    expect(compiled.sql).not.toContain('Robert');
    expect(compiled.sql).not.toContain('a_b');
  });

  it('orders by compiled columns', async () => {
    const orders = compileOrders(parseOrders('departmenttypeid DESC, headcount'), Department);
    expect(orders).toEqual([
      ['type', 'desc'],
      ['head_count', 'asc'],
    ]);
    let q = store.db.selectFrom('departments').select('id');
    for (const [column, direction] of orders) q = q.orderBy(column, direction);
    const rows = await q.execute();
    expect(rows.map((r) => Number(String(r.id).slice(-1)))).toEqual([5, 2, 1, 3, 4]);
  });
}

describe.each(STORE_KINDS)('list-query on %s', (kind) => {
  storeSuite(kind);
});

describe('list-query errors (QueryLanguageError, no database)', () => {
  const compile = (text: string, entity: EntityFields = Department) => () =>
    compileFilter(parseFilters(text), entity, 'sqlite');

  it('rejects values that do not fit the field type', () => {
    expect(errorOf(compile('HeadCount = abc')).message).toBe("Filters: 'abc' is not an integer (field 'HeadCount') at position 12");
    expect(errorOf(compile('HeadCount = 1.5')).message).toBe("Filters: '1.5' is not an integer (field 'HeadCount') at position 12");
    expect(errorOf(compile('HeadCount = 99999999999999999')).message).toBe(
      "Filters: '99999999999999999' is not an integer (field 'HeadCount') at position 12",
    );
    expect(errorOf(compile('HeadCount In 1,x,3')).message).toBe("Filters: 'x' is not an integer (field 'HeadCount') at position 15");
    expect(errorOf(compile('CreatedOn > 2021-13-01')).message).toBe(
      "Filters: '2021-13-01' is not an ISO 8601 date or date-time (field 'CreatedOn') at position 12",
    );
    expect(errorOf(compile('CreatedOn > 2021-02-30')).position).toBe(12);
    expect(errorOf(compile('CreatedOn > yesterday')).position).toBe(12);
    expect(errorOf(compile('CreatedOn > 2021-01-01T25:00')).position).toBe(12);
    expect(errorOf(compile('Is_Active = yes')).message).toBe("Filters: 'yes' is not true or false (field 'Is_Active') at position 12");
    expect(errorOf(compile('ParentDepartmentId.HeadCount > many')).message).toBe(
      "Filters: 'many' is not an integer (field 'ParentDepartmentId.HeadCount') at position 31",
    );
  });

  it('rejects empty list elements', () => {
    expect(errorOf(compile('ExternalId In S1;;S2')).message).toBe("Filters: empty element in the list for 'ExternalId' at position 17");
    expect(errorOf(compile('HeadCount In 1,')).message).toBe("Filters: empty element in the list for 'HeadCount' at position 15");
  });

  it('rejects unknown fields, saying where', () => {
    expect(errorOf(compile('Foo = 1')).message).toBe("Filters: unknown field 'Foo' at position 0");
    expect(errorOf(compile('Name = a OR Bogus = 1')).message).toBe("Filters: unknown field 'Bogus' at position 12");
    expect(errorOf(compile('ParentDepartmentId.Bogus = 1')).message).toBe(
      "Filters: unknown field 'ParentDepartmentId.Bogus' at position 0",
    );
  });

  it('rejects dotted paths that do not follow one relation', () => {
    expect(errorOf(compile('Name.Foo = 1')).message).toBe(
      "Filters: 'Name' has no related record, so 'Name.Foo' is not a field at position 0",
    );
    expect(errorOf(compile('ParentDepartmentId.ParentDepartmentId.Name = x')).message).toBe(
      "Filters: 'ParentDepartmentId.ParentDepartmentId.Name' goes more than one relation deep at position 0",
    );
    expect(errorOf(compile('parentdepartmentid.parentdepartmentid = x')).message).toBe(
      "Filters: 'ParentDepartmentId.ParentDepartmentId' goes more than one relation deep at position 0",
    );
  });

  it('rejects operators that do not apply to the field type', () => {
    expect(errorOf(compile('HeadCount Like 1%')).message).toBe("Filters: 'Like' does not apply to the integer field 'HeadCount' at position 0");
    expect(errorOf(compile('Is_Active > 0')).message).toBe("Filters: operator '>' does not apply to the boolean field 'Is_Active' at position 0");
  });

  it('compileOrders rejects unknown, related and link fields', () => {
    expect(errorOf(() => compileOrders(parseOrders('Name, Bogus DESC'), Department)).message).toBe(
      "Orders: unknown field 'Bogus' at position 6",
    );
    expect(errorOf(() => compileOrders(parseOrders('ParentDepartmentId.Name'), Department)).message).toBe(
      "Orders: cannot sort by the related field 'ParentDepartmentId.Name' at position 0",
    );
    expect(errorOf(() => compileOrders(parseOrders('departmentid'), User)).message).toBe("Orders: cannot sort by 'DepartmentId' at position 0");
    expect(compileOrders([{ path: 'external_id', direction: 'desc' }], User)).toEqual([['external_id', 'desc']]);
  });

  it('resolveFields returns canonical names', () => {
    expect(resolveFields(['name', 'ID', 'Name', 'is_active'], Department)).toEqual(['Name', 'Id', 'Is_Active']);
    expect(resolveFields('*', Department)).toEqual([
      'Id',
      'ExternalId',
      'Name',
      'DepartmentTypeId',
      'ParentDepartmentId',
      'Is_Active',
      'CreatedOn',
      'HeadCount',
    ]);
    expect(errorOf(() => resolveFields(['Name', 'Nope'], Department)).message).toBe("Fields: unknown field 'Nope'");
  });

  it('toStoredDatetime converts to UTC ISO text', () => {
    expect(toStoredDatetime('2021-01-01')).toBe('2021-01-01T00:00:00.000Z');
    expect(toStoredDatetime('2021-01-01T10:20')).toBe('2021-01-01T10:20:00.000Z');
    expect(toStoredDatetime('2021-01-01 10:20:30.5')).toBe('2021-01-01T10:20:30.500Z');
    expect(toStoredDatetime('2021-01-01T00:30:00-01:00')).toBe('2021-01-01T01:30:00.000Z');
    expect(toStoredDatetime('2021-01-01T00:30:00+0130')).toBe('2020-12-31T23:00:00.000Z');
    expect(toStoredDatetime('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
    expect(toStoredDatetime('2023-02-29')).toBeNull();
    expect(toStoredDatetime('2021-1-1')).toBeNull();
    expect(toStoredDatetime('2021-01-01T24:00')).toBeNull();
    expect(toStoredDatetime('2021-01-01T10:00+25:00')).toBeNull();
  });
});
